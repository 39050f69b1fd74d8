"""The mapping: the example seeded by the migration, the figure catalog read from the report, the
services (who may, checks, audit) and the CSV round trip and refusals (file, row, field)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditEntry
from lini.dhis2.defaults import default_figure_mappings
from lini.dhis2.figures import report_catalog, report_figures
from lini.dhis2.models import FigureMapping, OrgUnitMapping, Use
from lini.dhis2.services import (
    FIGURE_FIELDS,
    FIGURES,
    ORG_UNITS,
    adx_pairs,
    can_manage_mapping,
    figure_mapping_delete,
    figure_mapping_save,
    mapping_csv,
    mapping_import,
    org_unit_mapping_save,
)
from lini.indicators.models import Indicator
from lini.indicators.report import monthly_report
from lini.regions.models import Region, RegionKind
from lini.regions.services import subunit_create
from lini.regions.tests.places import CIRUAS, KAB_SERANG, KAB_TANGERANG, SINGAMERTA

pytestmark = pytest.mark.django_db


def _table() -> list[tuple[str, ...]]:
    return sorted(tuple(getattr(m, n) for n in FIGURE_FIELDS) for m in FigureMapping.objects.all())


def _write(tmp_path: Path, text: str, name: str = "mapping.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# The example and the catalog -----------------------------------------------------------------


def test_the_seeded_example_is_the_frozen_copy_of_the_defaults() -> None:
    migration = importlib.import_module("lini.dhis2.migrations.0002_default_mapping")
    assert default_figure_mappings() == migration.MAPPINGS
    stored = [{n: getattr(m, n) for n in FIGURE_FIELDS} for m in FigureMapping.objects.all()]
    assert sorted(stored, key=lambda r: (r["use"], r["figure"])) == sorted(
        default_figure_mappings(), key=lambda r: (r["use"], r["figure"])
    )


def test_every_default_figure_exists_and_each_is_valid() -> None:
    catalog = report_catalog()
    indicators = set(Indicator.objects.values_list("code", flat=True))
    for row in default_figure_mappings():
        if row["use"] == Use.EXPORT:
            assert row["figure"] in catalog, row["figure"]
        else:
            assert row["figure"].removeprefix("indicator.") in indicators, row["figure"]
    # Saving each row again through the service accepts it unchanged (no clash, no problem).
    for mapping in FigureMapping.objects.all():
        fields = {n: getattr(mapping, n) for n in FIGURE_FIELDS}
        figure_mapping_save(actor=None, mapping=mapping, fields=fields)
    assert not AuditEntry.objects.filter(model="dhis2.figuremapping").exists()  # nothing changed


def test_the_catalog_holds_every_cell_of_the_month() -> None:
    report = monthly_report(region=Region.objects.get(code=CIRUAS), period="2019-11")
    codes = set(report_catalog())
    expected = set()
    for section in report.sections:
        keys = [c.key for c in section.columns]
        for line in section.lines:
            if keys == ["previous", "current"]:
                expected.add(f"{section.code}.{line.key}")
            else:
                expected |= {f"{section.code}.{line.key}.{k}" for k in keys}
    assert codes == expected
    assert {
        "I.pa_iud",
        "II.nonuser_tial",
        "III.bkb.exist",
        "IV.bkb.members",
        "V.svc_m_iud",
    } <= codes
    assert list(report_figures(report)) == list(report_catalog())  # the same order


def test_adx_pairs_are_read_and_checked() -> None:
    assert adx_pairs(" SEX=F; KB_METODE = IUD ;") == (("KB_METODE", "IUD"), ("SEX", "F"))
    assert adx_pairs("") == ()
    with translation.override("en"):
        for text, why in (("KB_METODE", "CATEGORY=OPTION"), ("1X=A", "cannot be an ADX"),
                          ("value=A", "cannot be an ADX"), ("A=1;A=2", "stands twice")):  # fmt: skip
            with pytest.raises(ValueError, match=why):
                adx_pairs(text)


# The services ---------------------------------------------------------------------------------


NEW = {
    "use": "export", "figure": "I.cpr", "data_set": "LINI_KB_BULANAN", "data_element": "KB_CPR",
}  # fmt: skip


def test_only_national_administrators_change_the_mapping(national_admin: User) -> None:
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)  # may manage accounts, not nationwide
    assert can_manage_mapping(national_admin)
    assert not can_manage_mapping(officer)
    assert not can_manage_mapping(make_user(Role.PROVINCE_OFFICER, "36"))
    with pytest.raises(PermissionDenied):
        figure_mapping_save(actor=officer, mapping=None, fields=NEW)
    with pytest.raises(PermissionDenied):
        figure_mapping_delete(actor=officer, mapping=FigureMapping.objects.first())
    assert not FigureMapping.objects.filter(figure="I.cpr").exists()
    mapping = figure_mapping_save(actor=national_admin, mapping=None, fields=NEW)
    entry = AuditEntry.objects.get(model="dhis2.figuremapping", object_id=str(mapping.pk))
    assert (entry.actor, entry.action, entry.after["data_element"]) == (
        national_admin, "create", "KB_CPR",
    )  # fmt: skip
    figure_mapping_delete(actor=national_admin, mapping=mapping)
    assert AuditEntry.objects.filter(model="dhis2.figuremapping", action="delete").exists()


def test_a_row_is_checked_field_by_field(national_admin: User) -> None:
    cases = [
        ({"figure": "I.nothing"}, "figure", "not a figure of the monthly report"),
        ({"use": "target"}, "figure", "indicator.<code>"),
        ({"data_element": ""}, "data_element", "required"),
        ({"data_set": ""}, "data_set", "required"),
        ({"data_element": "X" * 51}, "data_element", "at most 50"),
        ({"category_option_combo": "KB_X"}, "adx_categories", "or neither"),
        ({"adx_categories": "KB_METODE"}, "adx_categories", "CATEGORY=OPTION"),
        ({"figure": "I.pa_iud"}, "figure", "mapped already"),
        ({"figure": "I.mcpr", "data_element": "KB_PA", "category_option_combo": "KB_METODE_IUD",
          "adx_categories": "KB_METODE=IUD"}, "data_element", "I.pa_iud already is"),
        ({"figure": "I.mcpr", "data_element": "KB_PA", "category_option_combo": "KB_X",
          "adx_categories": "KB_METODE=IUD"}, "adx_categories", "I.pa_iud already is"),
    ]  # fmt: skip
    for change, field, why in cases:
        with translation.override("en"), pytest.raises(ValidationError) as caught:
            figure_mapping_save(actor=national_admin, mapping=None, fields={**NEW, **change})
        assert why in " ".join(caught.value.message_dict.get(field, [])), (change, caught.value)
    assert not FigureMapping.objects.filter(figure__in=["I.cpr", "I.mcpr"]).exists()
    # "default" is DHIS2's default combo: stored as empty.
    saved = figure_mapping_save(
        actor=national_admin, mapping=None, fields={**NEW, "category_option_combo": "default"}
    )
    assert saved.category_option_combo == ""


def test_org_unit_codes_must_be_free(national_admin: User) -> None:
    serang = Region.objects.get(code=KAB_SERANG)
    mapping = org_unit_mapping_save(
        actor=national_admin, mapping=None, region=serang, org_unit="OU_SERANG"
    )
    assert AuditEntry.objects.filter(
        model="dhis2.orgunitmapping", region_code=KAB_SERANG, action="create"
    ).exists()
    tangerang = Region.objects.get(code=KAB_TANGERANG)
    dusun = subunit_create(
        actor=None, parent=Region.objects.get(code=SINGAMERTA), kind=RegionKind.DUSUN, name="Krajan"
    )
    with translation.override("en"):
        for region, code, field, why in (
            (tangerang, "OU_SERANG", "org_unit", "36.04 already is"),
            (tangerang, CIRUAS, "org_unit", "Kemendagri code of Kec. Ciruas"),
            (serang, "OU_OTHER", "region", "has its org unit code already"),
            (dusun, "X", "region", "villages"),
            (None, "X", "region", "no region"),
        ):
            with pytest.raises(ValidationError) as caught:
                org_unit_mapping_save(actor=national_admin, mapping=None, region=region,
                                      org_unit=code)  # fmt: skip
            assert why in " ".join(caught.value.message_dict[field])
    # Its own Kemendagri code (or changing its own row) is fine.
    org_unit_mapping_save(actor=national_admin, mapping=mapping, region=serang, org_unit="36.04")
    assert OrgUnitMapping.objects.get().org_unit == "36.04"


# CSV ------------------------------------------------------------------------------------------


def test_the_figure_csv_round_trip(tmp_path: Path, national_admin: User) -> None:
    original = _table()
    data = mapping_csv(actor=national_admin, kind=FIGURES)
    assert data.startswith(b"\xef\xbb\xbf")
    header = data.decode("utf-8-sig").splitlines()[0]
    assert header == ",".join((*FIGURE_FIELDS, "label"))
    path = tmp_path / "dhis2-data.csv"
    path.write_bytes(data)
    # Change the table, then read the exported file back: it is as it was.
    iud = FigureMapping.objects.get(figure="I.pa_iud")
    figure_mapping_save(actor=national_admin, mapping=iud, fields={
        **{n: getattr(iud, n) for n in FIGURE_FIELDS}, "data_element": "KB_PA_LAIN",
    })  # fmt: skip
    figure_mapping_delete(actor=national_admin, mapping=FigureMapping.objects.get(figure="I.pus"))
    result = mapping_import(actor=national_admin, kind=FIGURES, path=path, name=path.name)
    assert result.ok, [str(p) for p in result.problems]
    assert (result.created, result.updated, result.unchanged) == (1, 1, len(original) - 2)
    assert _table() == original
    entry = AuditEntry.objects.get(model="dhis2.figuremapping", action="import")
    assert entry.object_repr == "dhis2-data.csv"
    assert entry.after == {"created": 1, "updated": 1, "unchanged": len(original) - 2}
    assert AuditEntry.objects.filter(model="dhis2.figuremapping", action="export").exists()


def test_a_bad_figure_file_names_row_and_field_and_writes_nothing(
    tmp_path: Path, national_admin: User
) -> None:
    before = _table()
    path = _write(tmp_path, "\n".join([
        "use,figure,data_set,data_element,category_option_combo,adx_categories",
        "export,I.pa_iud,LINI_KB_BULANAN,KB_PA_BARU,KB_METODE_IUD,KB_METODE=IUD",  # fine alone
        "export,I.unknown,LINI_KB_BULANAN,KB_X,,",
        "export,I.pus,LINI_KB_BULANAN,,,",
        "export,I.mcpr,LINI_KB_BULANAN,KB_MCPR,KB_M,KB_METODE",
        "export,I.pa_iud,LINI_KB_BULANAN,KB_PA,KB_METODE_IUD,KB_METODE=IUD",
        "sometimes,I.cpr,LINI_KB_BULANAN,KB_CPR,,",
    ]), name="pemetaan.csv")  # fmt: skip
    with translation.override("en"):
        result = mapping_import(actor=national_admin, kind=FIGURES, path=path, name=path.name)
        found = {(p.line, p.field) for p in result.problems}
        texts = [str(p) for p in result.problems]
    assert found == {(3, "figure"), (4, "data_element"), (5, "adx_categories"), (6, "figure"),
                     (7, "use")}  # fmt: skip
    assert (
        "pemetaan.csv, row 3, figure: I.unknown is not a figure of the monthly report" in texts[0]
    )
    assert any("row 6, figure: the same figure as row 2" in t for t in texts)
    assert _table() == before
    assert not AuditEntry.objects.filter(model="dhis2.figuremapping").exists()


def test_a_file_that_clashes_with_the_rows_that_stay_is_refused(
    tmp_path: Path, national_admin: User
) -> None:
    before = _table()
    path = _write(tmp_path, "\n".join([
        "use,figure,data_set,data_element,category_option_combo,adx_categories",
        "export,I.cpr,LINI_KB_BULANAN,KB_PA,KB_METODE_PIL,KB_METODE=PIL",
    ]))  # fmt: skip
    with translation.override("en"):
        result = mapping_import(actor=national_admin, kind=FIGURES, path=path, name="m.csv")
    assert [(p.line, p.field) for p in result.problems] == [(2, "data_element")]
    assert "I.pa_pil already is" in str(result.problems[0])
    assert _table() == before
    # Moving two figures onto each other's codes in one file is fine (checked as a whole).
    swap = _write(tmp_path, "\n".join([
        "use,figure,data_set,data_element,category_option_combo,adx_categories",
        "export,I.pa_iud,LINI_KB_BULANAN,KB_PA,KB_METODE_PIL,KB_METODE=PIL",
        "export,I.pa_pil,LINI_KB_BULANAN,KB_PA,KB_METODE_IUD,KB_METODE=IUD",
    ]), name="swap.csv")  # fmt: skip
    result = mapping_import(actor=national_admin, kind=FIGURES, path=swap, name="swap.csv")
    assert result.ok
    assert result.updated == 2
    assert FigureMapping.objects.get(figure="I.pa_iud").category_option_combo == "KB_METODE_PIL"


def test_a_file_without_the_columns_is_refused(tmp_path: Path, national_admin: User) -> None:
    path = _write(tmp_path, "figure,code\nI.pus,KB_PUS\n")
    with translation.override("en"):
        result = mapping_import(actor=national_admin, kind=FIGURES, path=path, name="x.csv")
    assert [str(p) for p in result.problems] == [
        "x.csv: the column(s) data_set, data_element are missing"
    ]
    empty = _write(tmp_path, "region_code,org_unit\n", name="empty.csv")
    with translation.override("en"):
        result = mapping_import(actor=national_admin, kind=ORG_UNITS, path=empty, name="e.csv")
    assert [str(p) for p in result.problems] == ["e.csv: the file has no rows below its header"]
    assert not AuditEntry.objects.filter(action="import").exists()


def test_the_org_unit_csv_round_trip_and_its_refusals(tmp_path: Path, national_admin: User) -> None:
    serang = Region.objects.get(code=KAB_SERANG)
    org_unit_mapping_save(actor=national_admin, mapping=None, region=serang, org_unit="OU_SRG")
    org_unit_mapping_save(
        actor=national_admin, mapping=None, region=Region.objects.get(code=CIRUAS),
        org_unit="OU_CIRUAS",
    )  # fmt: skip
    data = mapping_csv(actor=national_admin, kind=ORG_UNITS)
    path = tmp_path / "ou.csv"
    path.write_bytes(data)
    OrgUnitMapping.objects.filter(region=serang).update(org_unit="OU_CHANGED")
    result = mapping_import(actor=national_admin, kind=ORG_UNITS, path=path, name="ou.csv")
    assert result.ok
    assert (result.updated, result.unchanged) == (1, 1)
    assert dict(OrgUnitMapping.objects.values_list("region__code", "org_unit")) == {
        KAB_SERANG: "OU_SRG", CIRUAS: "OU_CIRUAS",
    }  # fmt: skip
    bad = _write(tmp_path, "\n".join([
        "region_code,org_unit",
        "99.99,OU_X",
        f"{KAB_TANGERANG},OU_SRG",
        f"{KAB_TANGERANG},OU_T",
        f"{SINGAMERTA},",
    ]), name="bad.csv")  # fmt: skip
    with translation.override("en"):
        result = mapping_import(actor=national_admin, kind=ORG_UNITS, path=bad, name="bad.csv")
        texts = [str(p) for p in result.problems]
    assert texts[:2] == [
        "bad.csv, row 2, region_code: no region has this code",
        "bad.csv, row 4, region_code: the same region as row 3",
    ]
    assert len(texts) == 2  # the codes are checked once every region is known
    fixed = _write(tmp_path, f"region_code,org_unit\n{KAB_TANGERANG},OU_SRG\n{SINGAMERTA},\n")
    with translation.override("en"):
        result = mapping_import(actor=national_admin, kind=ORG_UNITS, path=fixed, name="f.csv")
        texts = [str(p) for p in result.problems]
    assert texts == [
        "f.csv, row 2, org_unit: 36.04 already is this org unit",
        "f.csv, row 3, org_unit: required",
    ]
    assert OrgUnitMapping.objects.count() == 2
