"""The product of a KB service (1- or 3-monthly injection, implant rods, IUD type) wherever a
service is entered or exchanged: the service form and pages, the ``services`` import and export
(column ``produk``, with the words people write for it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from django.test import Client
from django.urls import reverse
from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.exchange.cells import CellError
from lini.exchange.registry import get_kind
from lini.exchange.services import export_run, import_run, template_write
from lini.kb.choices import Product, VisitType
from lini.kb.exchange import parse_product
from lini.kb.models import Service
from lini.kb.services import service_delete, service_record
from lini.kb.tests.factories import day, make_couple
from lini.regions.models import Region
from lini.regions.tests.places import CIRUAS, SINGAMERTA
from lini.register.choices import KBStatus, Method
from lini.register.models import Couple
from lini.register.records import StatusRecord
from lini.register.tests.files import read_table, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

HEADER = [
    "tanggal", "nik_istri", "metode", "produk", "jenis_kunjungan", "alasan_setelah_cabut",
    "pasca_persalinan", "informed_consent", "kode_faskes", "petugas", "catatan",
]  # fmt: skip


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def _row(day_text: str, nik: str, method: str, product: str, visit: str = "ulang") -> list[str]:
    return [day_text, nik, method, product, visit, "", "", "", "", "", ""]


def _problems(report: object) -> list[tuple[int, str, str]]:
    return [(p.line, p.column, p.message) for p in report.problems]  # type: ignore[attr-defined]


# The service form and pages -------------------------------------------------------------------


def test_the_service_form_records_the_product(client: Client) -> None:
    couple = make_couple(SINGAMERTA)
    english(client).force_login(make_user(Role.CADRE, SINGAMERTA))
    url = reverse("kb:service_create", kwargs={"couple_pk": couple.pk})
    page = client.get(url).content.decode()
    assert 'name="product"' in page
    assert '<optgroup label="injectable">' in page  # grouped by the method they belong to
    assert "3-monthly injection" in page
    response = client.post(
        url,
        {"served_on": "2019-11-05", "method": "suntik", "product": "suntik_3",
         "visit_type": "ganti"},
    )  # fmt: skip
    assert response.status_code == 302
    service = Service.objects.get()
    assert service.product == Product.INJECTABLE_3M
    detail = client.get(response.url).content.decode()
    assert "3-monthly injection" in detail


def test_a_product_of_another_method_is_an_error_on_the_product_field(client: Client) -> None:
    couple = make_couple(SINGAMERTA)
    english(client).force_login(make_user(Role.CADRE, SINGAMERTA))
    url = reverse("kb:service_create", kwargs={"couple_pk": couple.pk})
    response = client.post(
        url,
        {"served_on": "2019-11-05", "method": "pil", "product": "suntik_3", "visit_type": "ulang"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["product"]
    assert "3-monthly injection is not a product of the method pil" in errors["product"][0]
    assert "3-monthly injection is not a product of the method pil" in response.content.decode()
    unknown = client.post(
        url,
        {"served_on": "2019-11-05", "method": "suntik", "product": "suntik_6",
         "visit_type": "ulang"},
    )  # fmt: skip
    assert list(unknown.context["form"].errors) == ["product"]
    assert not Service.objects.exists()


def test_the_product_may_stay_empty(client: Client) -> None:
    couple = make_couple(SINGAMERTA)
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    url = reverse("kb:service_create", kwargs={"couple_pk": couple.pk})
    response = client.post(url, {"served_on": "2019-11-05", "method": "pil", "visit_type": "ulang"})
    assert response.status_code == 302
    assert Service.objects.get().product == ""


def test_the_service_list_shows_and_filters_by_product(client: Client) -> None:
    couple = make_couple(SINGAMERTA)
    other = make_couple(SINGAMERTA, serial=2)
    for target, product in ((couple, Product.INJECTABLE_3M), (other, Product.INJECTABLE_1M)):
        service_record(
            actor=None, couple=target, served_on=day("2019-11-02"), method=Method.INJECTABLE,
            visit_type=VisitType.SWITCH, product=product,
        )  # fmt: skip
    english(client).force_login(make_user(Role.CADRE, SINGAMERTA))
    url = reverse("kb:service_list")
    everything = client.get(url, {"month": "2019-11"})
    assert len(everything.context["page"]) == 2
    assert "injectable · 1-monthly injection" in everything.content.decode()
    monthly = client.get(url, {"month": "2019-11", "product": "suntik_1"})
    assert [s.couple_id for s in monthly.context["page"]] == [other.pk]
    assert monthly.context["product"] == "suntik_1"
    junk = client.get(url, {"month": "2019-11", "product": "zzz"})
    assert len(junk.context["page"]) == 2


# The import and export ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "product"),
    [
        ("suntik_3", Product.INJECTABLE_3M),
        ("3-monthly injection", Product.INJECTABLE_3M),
        ("Suntik 3 Bulan", Product.INJECTABLE_3M),
        ("suntik 3-bulanan", Product.INJECTABLE_3M),
        ("3 bulanan", Product.INJECTABLE_3M),
        ("DMPA", Product.INJECTABLE_3M),
        ("suntik 1 bulan", Product.INJECTABLE_1M),
        ("Cyclofem", Product.INJECTABLE_1M),
        ("implan 1 batang", Product.IMPLANT_1),
        ("Implanon", Product.IMPLANT_1),
        ("implan 2 batang", Product.IMPLANT_2),
        ("Jadelle", Product.IMPLANT_2),
        ("CuT 380A", Product.IUD_CUT380A),
        ("Cu-T 380A", Product.IUD_CUT380A),
        ("iud_cut", Product.IUD_CUT380A),
        ("AKDR lain", Product.IUD_OTHER),
    ],
)
def test_the_words_people_write_for_a_product(written: str, product: str) -> None:
    with translation.override("en"):
        assert parse_product(written) == product


@pytest.mark.parametrize("written", ["suntik", "suntik 6 bulan", "implan", "380", "abc", "1", "²"])
def test_what_names_no_product_is_refused(written: str) -> None:
    with translation.override("en"), pytest.raises(CellError, match="is not one of"):
        parse_product(written)


def test_services_import_reads_the_product_and_refuses_bad_ones(tmp_path: Path) -> None:
    couple = make_couple(SINGAMERTA)
    implant = make_couple(SINGAMERTA, serial=2, status=StatusRecord(
        status=KBStatus.USING, method=Method.IMPLANT, since=day("2017-01-01")))  # fmt: skip
    iud = make_couple(SINGAMERTA, serial=3)
    wife = couple.wife.nik
    rows = [
        _row("05/03/2019", wife, "suntik", "suntik 3 bulan", "ganti"),  # a synonym
        _row("04/06/2019", wife, "suntik", "3 bulanan"),  # another one
        _row("01/07/2019", implant.wife.nik, "implan", "implan 1 batang"),
        _row("02/07/2019", iud.wife.nik, "iud", "CuT 380A", "ganti"),
        _row("03/09/2019", wife, "suntik", "suntik 6 bulan"),  # no such product
        _row("04/09/2019", wife, "suntik", "implan_2"),  # not an injectable
        _row("05/09/2019", wife, "pil", "suntik_1", "ganti"),  # not a pill
        _row("06/09/2019", wife, "suntik", ""),  # not known: fine
    ]
    path = write_xlsx(tmp_path / "layanan.xlsx", HEADER, rows)
    user = make_user(Role.COUNSELLOR, CIRUAS)
    with translation.override("en"):
        report = import_run(kind=get_kind("services"), path=path, user=user)
    assert report.counts["service_created"] == 5
    problems = _problems(report)
    assert [p[:2] for p in problems] == [(6, "produk"), (7, "produk"), (8, "produk")]
    assert problems[0][2].startswith("suntik 6 bulan is not one of: suntik_1, suntik_3")
    assert problems[1][2] == "implant, 2 rods is not a product of the method suntik."
    assert problems[2][2] == "1-monthly injection is not a product of the method pil."
    stored = dict(Service.objects.values_list("served_on", "product"))
    assert stored == {
        day("2019-03-05"): Product.INJECTABLE_3M,
        day("2019-06-04"): Product.INJECTABLE_3M,
        day("2019-07-01"): Product.IMPLANT_1,
        day("2019-07-02"): Product.IUD_CUT380A,
        day("2019-09-06"): "",
    }
    assert report.rows_rejected == 3
    assert Couple.objects.get(pk=couple.pk).method == Method.INJECTABLE


def test_a_file_without_the_product_column_still_imports(tmp_path: Path) -> None:
    couple = make_couple(SINGAMERTA)
    header = [c for c in HEADER if c != "produk"]
    rows = [
        ["05/03/2019", couple.wife.nik, "suntik 1 bulan", "ganti", "", "", "", "", "", ""],
        ["02/04/2019", couple.wife.nik, "suntik", "ulang", "", "", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "layanan.csv", header, rows)
    user = make_user(Role.COUNSELLOR, CIRUAS)
    report = import_run(kind=get_kind("services"), path=path, user=user)
    assert report.rows_rejected == 0, _problems(report)
    # "suntik 1 bulan" in the method's cell names the product too; plain "suntik" names none
    assert list(Service.objects.order_by("served_on").values_list("product", flat=True)) == [
        Product.INJECTABLE_1M, "",
    ]  # fmt: skip
    again = import_run(kind=get_kind("services"), path=path, user=user)
    assert again.counts["service_unchanged"] == 2


def test_a_stored_service_with_another_product_is_not_changed_by_an_import(
    tmp_path: Path,
) -> None:
    couple = make_couple(SINGAMERTA)
    service_record(
        actor=None, couple=couple, served_on=day("2019-03-05"), method=Method.INJECTABLE,
        visit_type=VisitType.SWITCH, product=Product.INJECTABLE_1M,
    )  # fmt: skip
    user = make_user(Role.COUNSELLOR, CIRUAS)
    same = write_csv(
        tmp_path / "a.csv", HEADER, [_row("05/03/2019", couple.wife.nik, "suntik", "", "ganti")]
    )
    assert (
        import_run(kind=get_kind("services"), path=same, user=user).counts["service_unchanged"] == 1
    )  # an empty cell keeps what is recorded
    other = write_csv(
        tmp_path / "b.csv", HEADER,
        [_row("05/03/2019", couple.wife.nik, "suntik", "suntik_3", "ganti")],
    )  # fmt: skip
    with translation.override("en"):
        report = import_run(kind=get_kind("services"), path=other, user=user)
    assert _problems(report) == [
        (2, "produk", "this service is already recorded with another product; delete it first")
    ]
    assert Service.objects.get().product == Product.INJECTABLE_1M


def test_services_export_and_import_keep_the_product(tmp_path: Path) -> None:
    couple = make_couple(SINGAMERTA)
    implant = make_couple(SINGAMERTA, serial=2)
    for target, when, method, product in (
        (couple, "2019-03-05", Method.INJECTABLE, Product.INJECTABLE_3M),
        (couple, "2019-06-04", Method.INJECTABLE, ""),
        (implant, "2019-05-01", Method.IMPLANT, Product.IMPLANT_2),
    ):
        service_record(
            actor=None, couple=target, served_on=day(when), method=method,
            visit_type=VisitType.SWITCH if product else VisitType.REPEAT, product=product,
        )  # fmt: skip
    kind = get_kind("services")
    user = make_user(Role.COUNSELLOR, CIRUAS)
    out = tmp_path / "layanan.csv"
    assert export_run(kind=kind, region=Region.objects.get(code=CIRUAS), path=out, user=user) == 3
    header, rows = read_table(out)
    assert header == HEADER
    assert [(r[0], r[3]) for r in rows] == [
        ("2019-03-05", "suntik_3"), ("2019-05-01", "implan_2"), ("2019-06-04", ""),
    ]  # fmt: skip
    fields = ("served_on", "couple_id", "method", "product", "visit_type")
    before = list(Service.objects.order_by("served_on", "pk").values_list(*fields))
    for service in Service.objects.order_by("-served_on"):
        service_delete(actor=None, service=service)
    report = import_run(kind=kind, path=out, user=user)
    assert report.counts["service_created"] == 3, _problems(report)
    assert list(Service.objects.order_by("served_on", "pk").values_list(*fields)) == before


def test_the_template_explains_the_product_column(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    with translation.override("en"):
        template_write(kind=get_kind("services"), path=path)
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    texts = [
        " ".join(str(c) for c in row if c is not None)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    ]
    book.close()
    assert any("produk" in t and "implan 1 batang" in t and "suntik_3" in t for t in texts)
