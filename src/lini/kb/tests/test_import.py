"""Importing and exporting facilities and KB services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from django.core.exceptions import PermissionDenied
from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.exchange.registry import get_kind
from lini.exchange.services import export_run, import_run
from lini.kb.choices import FacilityKind, FacilityLevel, Product, VisitType
from lini.kb.models import Facility, Service
from lini.kb.services import service_delete, service_record
from lini.kb.tests.factories import day, make_couple, make_facility
from lini.regions.models import Region
from lini.regions.tests.places import CIRUAS, KAB_SERANG, KUTA_JAYA, SINGAMERTA
from lini.register.choices import EventSource, KBStatus, Method, NotUsingReason
from lini.register.models import ContraceptiveEvent, Couple
from lini.register.records import StatusRecord
from lini.register.tests.files import read_table, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


FACILITY_HEADER = [
    "kode_faskes", "nama", "jenis", "tingkat", "kepemilikan", "kode_wilayah", "kode_faskes_induk",
    "alamat", "bpjs", "no_pks_bpjs", "pks_berlaku_sampai", "aktif",
]  # fmt: skip


def _problems(report: object) -> list[tuple[int, str, str]]:
    return [(p.line, p.column, p.message) for p in report.problems]  # type: ignore[attr-defined]


def test_facilities_import_with_synonyms_and_a_bad_row(tmp_path: Path) -> None:
    rows = [
        ["P3604090101", "Puskesmas Ciruas", "Faskes Induk", "Puskesmas", "Pemkab", "3604.09", "",
         "Jl. Raya Ciruas", "ya", "PKS/1/2019", "31/12/2020", ""],
        ["P3604090102", "Pustu Singamerta", "jejaring", "pustu", "dinkes", "36.04.09.2013",
         "p3604090101", "", "tidak", "", "", "ya"],
        ["X1", "Klinik", "faskes", "rumah sakit jiwa", "swasta", "36.04.09", "", "", "", "", "", ""],
        ["X2", "PMB Ani", "jaringan", "pmb jejaring", "perorangan", "36.04.09.2013", "", "", "",
         "", "", ""],
        ["X3", "PMB Iis", "faskes", "pmb", "perorangan", "36.04.09.2013", "", "", "tidak",
         "PKS 2", "", ""],
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "faskes.xlsx", FACILITY_HEADER, rows)
    report = import_run(kind=get_kind("facilities"), path=path, user=None)
    assert report.counts["facility_created"] == 2
    assert report.rows_rejected == 3
    problems = _problems(report)
    assert problems[0][:2] == (4, "tingkat")
    assert "rumah sakit jiwa is not one of" in problems[0][2]
    assert problems[1][:2] == (5, "kode_faskes_induk")
    assert "main facility" in problems[1][2]
    assert problems[2][:2] == (6, "no_pks_bpjs")
    pustu = Facility.objects.get(code="P3604090102")
    assert (pustu.kind, pustu.level, pustu.parent.code) == (
        FacilityKind.NETWORK, FacilityLevel.PUSTU, "P3604090101",
    )  # fmt: skip
    assert Facility.objects.get(code="P3604090101").bpjs_until == day("2020-12-31")


def test_facilities_outside_the_scope_are_refused(tmp_path: Path) -> None:
    rows = [["T1", "Puskesmas", "faskes", "puskesmas", "kabkota", "36.03.12", "", "", "", "", "",
             ""]]  # fmt: skip
    path = write_csv(tmp_path / "faskes.csv", FACILITY_HEADER, rows)
    user = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    report = import_run(kind=get_kind("facilities"), path=path, user=user)
    assert report.rows_rejected == 1
    assert not Facility.objects.exists()


def test_facilities_round_trip(tmp_path: Path) -> None:
    main = make_facility(CIRUAS, code="P1", bpjs=True)
    make_facility(
        SINGAMERTA, code="P2", name="Pustu", kind=FacilityKind.NETWORK,
        level=FacilityLevel.PUSTU, parent=main,
    )  # fmt: skip
    Facility.objects.filter(code="P1").update(bpjs_agreement="PKS 7", bpjs_until=day("2021-01-31"))
    out = tmp_path / "faskes.csv"
    kind = get_kind("facilities")
    assert (
        export_run(kind=kind, region=Region.objects.get(code=KAB_SERANG), path=out, user=None) == 2
    )
    header, rows = read_table(out)
    assert header == FACILITY_HEADER
    assert [r[0] for r in rows] == ["P1", "P2"]  # the main facility before its network
    before = list(Facility.objects.order_by("code").values())
    report = import_run(kind=kind, path=out, user=None)
    assert report.counts["facility_unchanged"] == 2
    assert list(Facility.objects.order_by("code").values()) == before
    # into an empty database: the same facilities again
    Facility.objects.filter(code="P2").delete()
    Facility.objects.filter(code="P1").delete()
    report = import_run(kind=kind, path=out, user=None)
    assert report.counts["facility_created"] == 2
    fields = ["code", "name", "kind", "level", "ownership", "region_id", "address", "bpjs",
              "bpjs_agreement", "bpjs_until", "active"]  # fmt: skip
    strip = [{k: v for k, v in row.items() if k in fields} for row in before]
    assert list(Facility.objects.order_by("code").values(*fields)) == strip
    assert Facility.objects.get(code="P2").parent.code == "P1"


# The columns of the files written here: without the optional ``produk``, as files written
# before it existed (the export has it: EXPORT_HEADER).
SERVICE_HEADER = [
    "tanggal", "nik_istri", "metode", "jenis_kunjungan", "alasan_setelah_cabut",
    "pasca_persalinan", "informed_consent", "kode_faskes", "petugas", "catatan",
]  # fmt: skip
EXPORT_HEADER = [*SERVICE_HEADER[:3], "produk", *SERVICE_HEADER[3:]]


def test_services_import_changes_the_status_and_is_idempotent(tmp_path: Path) -> None:
    couple = make_couple(SINGAMERTA)
    other = make_couple(SINGAMERTA, serial=2, status=StatusRecord(
        status=KBStatus.USING, method=Method.IUD, since=day("2016-01-01")))  # fmt: skip
    make_facility(CIRUAS, code="P1")
    wife, other_wife = couple.wife.nik, other.wife.nik
    rows = [
        ["05/03/2019", wife, "suntik 3 bulan", "GC", "", "tidak", "ya", "p1", "Bidan Lilis", ""],
        ["05/06/2019", wife, "suntik", "ulang", "", "", "", "P1", "Bidan Lilis", "kontrol"],
        ["10/07/2019", other_wife, "spiral", "pencabutan", "ingin anak segera", "", "", "", "",
         ""],
        ["11/07/2019", other_wife, "implan", "baru", "", "", "", "", "", ""],
    ]  # fmt: skip
    path = write_csv(tmp_path / "layanan.csv", SERVICE_HEADER, rows)
    user = make_user(Role.COUNSELLOR, CIRUAS)
    kind = get_kind("services")
    report = import_run(kind=kind, path=path, user=user)
    assert report.rows_rejected == 0, _problems(report)
    assert report.counts["service_created"] == 4
    couple, other = Couple.objects.get(pk=couple.pk), Couple.objects.get(pk=other.pk)
    assert (couple.method, couple.status_since) == (Method.INJECTABLE, day("2019-03-05"))
    assert (other.method, other.status_since) == (Method.IMPLANT, day("2019-07-11"))
    events = ContraceptiveEvent.objects.filter(couple=other).order_by("effective_on")
    assert [(e.status, e.reason, e.source) for e in events][1] == (
        KBStatus.NOT_USING, NotUsingReason.WANTS_CHILD_SOON, EventSource.IMPORT,
    )  # fmt: skip
    assert Service.objects.get(served_on=day("2019-06-05")).event is None  # a repeat
    count = ContraceptiveEvent.objects.count()
    again = import_run(kind=kind, path=path, user=user)
    assert again.counts["service_unchanged"] == 4
    assert again.counts["service_created"] == 0
    assert ContraceptiveEvent.objects.count() == count
    assert Service.objects.count() == 4


def test_services_import_reports_bad_rows(tmp_path: Path) -> None:
    couple = make_couple(SINGAMERTA)
    tangerang = make_couple(KUTA_JAYA)
    wife = couple.wife.nik
    rows = [
        ["05/03/2019", wife, "iud", "ganti", "", "", "", "", "", ""],  # fine
        ["05/03/2019", "3604091111110000", "iud", "ganti", "", "", "", "", "", ""],
        ["06/03/2019", wife, "iud", "cabut", "", "", "", "", "", ""],
        ["07/03/2019", wife, "jamu", "ganti", "", "", "", "ZZZ", "", ""],
        ["05/03/2019", tangerang.wife.nik, "iud", "ganti", "", "", "", "", "", ""],
        ["05/03/2019", wife, "iud", "ganti", "", "", "", "", "", ""],  # the same as row 2
        ["01/01/1970", wife, "pil", "ulang", "", "", "", "", "", ""],
    ]  # fmt: skip
    path = write_csv(tmp_path / "layanan.csv", SERVICE_HEADER, rows)
    rejects = tmp_path / "tolak.csv"
    user = make_user(Role.COUNSELLOR, CIRUAS)
    report = import_run(kind=get_kind("services"), path=path, user=user, rejects_path=rejects)
    assert report.counts["service_created"] == 1
    assert report.rows_rejected == 6
    problems = _problems(report)
    unknown = "no couple with a wife of this NIK in the regions you may change"
    assert problems[0] == (3, "nik_istri", unknown)
    assert problems[1][:2] == (4, "alasan_setelah_cabut")
    assert "A removal needs the reason" in problems[1][2]
    assert [p[:2] for p in problems[2:4]] == [(5, "metode"), (5, "kode_faskes")]
    # A NIK registered outside the user's regions reads exactly like one registered nowhere.
    assert problems[4] == (6, "nik_istri", unknown)
    assert problems[5][:2] == (7, "tanggal")
    assert problems[6][:2] == (8, "tanggal")
    assert "before the wife's birth" in problems[6][2]
    _header, rejected = read_table(rejects)
    assert len(rejected) == 6
    assert Couple.objects.get(pk=tangerang.pk).method == Method.PILL


def test_services_round_trip(tmp_path: Path) -> None:
    couple = make_couple(SINGAMERTA)
    facility = make_facility(CIRUAS, code="P1")
    service_record(
        actor=None, couple=couple, served_on=day("2019-03-05"), method=Method.IUD,
        visit_type=VisitType.SWITCH, informed_consent=True, facility=facility,
        provider="Bidan Lilis", notes="tanpa keluhan", postpartum=True,
        product=Product.IUD_CUT380A,
    )  # fmt: skip
    service_record(
        actor=None, couple=couple, served_on=day("2019-09-05"), method=Method.IUD,
        visit_type=VisitType.REMOVAL, reason_after=NotUsingReason.WANTS_TO_DELAY,
    )  # fmt: skip
    kind = get_kind("services")
    out = tmp_path / "layanan.xlsx"
    user = make_user(Role.COUNSELLOR, CIRUAS)
    assert export_run(kind=kind, region=Region.objects.get(code=CIRUAS), path=out, user=user) == 2
    header, rows = read_table(out)
    assert header == EXPORT_HEADER
    assert rows[0][:5] == ["2019-03-05", couple.wife.nik, "iud", "iud_cut", "ganti"]
    assert rows[1][3] == ""  # a removal records no product
    fields = ("served_on", "couple_id", "method", "product", "visit_type", "reason_after",
              "postpartum", "informed_consent", "facility_id", "provider", "notes")  # fmt: skip
    before = list(Service.objects.order_by("served_on").values_list(*fields))
    history = list(ContraceptiveEvent.objects.order_by("effective_on").values_list(
        "effective_on", "status", "method", "reason"))  # fmt: skip
    report = import_run(kind=kind, path=out, user=user)
    assert report.counts["service_unchanged"] == 2
    # into a register without those services: the same services and the same history again
    for service in Service.objects.all():
        service_delete(actor=None, service=service)
    assert ContraceptiveEvent.objects.count() == 1
    report = import_run(kind=kind, path=out, user=user)
    assert report.counts["service_created"] == 2
    assert list(Service.objects.order_by("served_on").values_list(*fields)) == before
    assert (
        list(ContraceptiveEvent.objects.order_by("effective_on").values_list(
            "effective_on", "status", "method", "reason"))
        == history
    )  # fmt: skip
    # a Kab. Tangerang officer exports nothing of Kab. Serang
    tangerang = make_user(Role.REGENCY_OFFICER, "36.03")
    with pytest.raises(PermissionDenied):
        export_run(kind=kind, region=Region.objects.get(code=CIRUAS), path=out, user=tangerang)
    tangerang_rows = list(kind.export_rows(user=tangerang, region=Region.objects.get(code="36")))
    assert tangerang_rows == []
