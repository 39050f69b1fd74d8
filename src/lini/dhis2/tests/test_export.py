"""The export of Kab. Serang's November 2019: every mapped value of the dataValueSet equals the
figure of the monthly report, the ADX message validates against the ADX schema and carries the
same values, scope and audit; ``lini dhis2 export``."""

from __future__ import annotations

import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
import xmlschema

from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditEntry
from lini.dhis2.exporting import (
    ADX_NAMESPACE,
    AUDIT_MODEL,
    ExportError,
    adx_xml,
    dhis2_export,
    dhis2_values,
)
from lini.dhis2.models import FigureMapping, OrgUnitMapping, Use
from lini.dhis2.services import figure_mapping_save
from lini.indicators.report import MonthlyReport, monthly_report
from lini.indicators.tests.helpers import put_counts
from lini.regions.models import Region
from lini.regions.tests.places import KAB_SERANG, KAB_TANGERANG, PULO, SINGAMERTA

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("serang_november")]

SCHEMA = Path(__file__).resolve().parents[1] / "schema" / "adx.xsd"
ADX = f"{{{ADX_NAMESPACE}}}"
NOV = dt.date(2019, 11, 1)


def _serang() -> Region:
    return Region.objects.get(code=KAB_SERANG)


def _report_cell(report: MonthlyReport, figure: str) -> object:
    """The report's own cell for a figure code, read straight from its sections: the month's
    column in sections I, II and V, the named column in III and IV."""
    section_code, line_key, *column = figure.split(".")
    section = next(s for s in report.sections if s.code == section_code)
    line = next(li for li in section.lines if li.key == line_key)
    keys = [c.key for c in section.columns]
    return line.values[keys.index(column[0] if column else "current")]


def _json(region: Region | None = None) -> dict:  # type: ignore[type-arg]
    exported = dhis2_export(actor=None, region=region or _serang(), period="2019-11", fmt="json")
    return json.loads(exported.data)


def _add_percentage() -> None:
    figure_mapping_save(actor=None, mapping=None, fields={
        "use": "export", "figure": "I.cpr", "data_set": "LINI_KB_BULANAN",
        "data_element": "KB_CPR",
    })  # fmt: skip


def test_every_mapped_value_equals_the_monthly_report() -> None:
    _add_percentage()
    document = _json()
    report = monthly_report(region=_serang(), period="2019-11")
    assert (document["dataSet"], document["period"], document["orgUnit"]) == (
        "LINI_KB_BULANAN", "201911", KAB_SERANG,
    )  # fmt: skip
    values = {
        (v["dataElement"], v.get("categoryOptionCombo", ""), v.get("attributeOptionCombo", "")): v
        for v in document["dataValues"]
    }
    assert len(values) == len(document["dataValues"])  # no DHIS2 value twice
    mappings = list(FigureMapping.objects.filter(use=Use.EXPORT))
    assert len(mappings) == len(document["dataValues"])  # every mapped figure has a value here
    nonzero = 0
    for m in mappings:
        value = values[(m.data_element, m.category_option_combo, m.attribute_option_combo)]
        expected = _report_cell(report, m.figure)
        assert Decimal(value["value"]) == expected, m.figure
        assert (value["period"], value["orgUnit"]) == ("201911", KAB_SERANG)
        assert value["comment"] == f"Lini {m.figure}"
        nonzero += bool(expected)
    assert nonzero >= 25
    # Figures known from the fixture: the register of Singamerta plus Cisait's counts, never
    # Kuta Jaya's (Kab. Tangerang).
    assert values[("KB_PA", "KB_METODE_IUD", "")]["value"] == "2"
    assert values[("KB_PB", "KB_METODE_IUD", "")]["value"] == "2"
    assert values[("KB_PA", "KB_METODE_IMPLAN", "")]["value"] == "3"
    assert values[("KB_PUS", "", "")]["value"] == "47"  # 5 couples + 42
    assert values[("KB_CPR", "", "")]["value"] == str(_report_cell(report, "I.cpr"))
    assert "." in values[("KB_CPR", "", "")]["value"]
    assert values[("POKTAN_KELUARGA_ANGGOTA", "POKTAN_BKB", "")]["value"] == "18"


def test_a_figure_with_no_value_is_left_out() -> None:
    _add_percentage()
    put_counts(PULO, NOV, monthly_expected=1, poktan_bkb=1)  # counts, but no PUS
    report = monthly_report(region=Region.objects.get(code=PULO), period="2019-11")
    assert _report_cell(report, "I.cpr") is None  # a percentage over nothing
    figures = {
        v.figure: v.value for v in dhis2_values(region=report.region, period="2019-11").values
    }
    assert "I.cpr" not in figures
    assert (figures["I.pus"], figures["III.monthly_inputs.exist"]) == ("0", "1")


def test_the_adx_message_validates_and_carries_the_same_values() -> None:
    schema = xmlschema.XMLSchema(SCHEMA)
    values = dhis2_values(region=_serang(), period="2019-11")
    data = adx_xml(values)
    schema.validate(data.decode())  # raises with the reason when invalid
    root = ET.fromstring(data)  # noqa: S314 - our own output
    assert root.tag == f"{ADX}adx"
    assert root.get("exported", "").endswith("Z")
    groups = root.findall(f"{ADX}group")
    assert [(g.get("orgUnit"), g.get("period"), g.get("dataSet")) for g in groups] == [
        (KAB_SERANG, "2019-11-01/P1M", "LINI_KB_BULANAN")
    ]
    adx_values = {
        (v.get("dataElement"), tuple(sorted((k, x) for k, x in v.attrib.items()
                                            if k not in ("dataElement", "value")))): v.get("value")
        for v in groups[0].findall(f"{ADX}dataValue")
    }  # fmt: skip
    document = _json()
    assert len(adx_values) == len(document["dataValues"])
    assert adx_values[("KB_PA", (("KB_METODE", "IUD"),))] == "2"
    assert adx_values[("KB_PUS", ())] == "47"
    json_values = sorted(v["value"] for v in document["dataValues"])
    assert sorted(adx_values.values()) == json_values


def test_the_schema_refuses_what_is_not_adx() -> None:
    schema = xmlschema.XMLSchema(SCHEMA)
    good = adx_xml(dhis2_values(region=_serang(), period="2019-11")).decode()
    assert schema.is_valid(good)
    for broken in (
        good.replace('period="2019-11-01/P1M"', 'period="201911"'),
        good.replace('value="47"', 'value="many"'),
        good.replace(' exported="', ' made="'),
        good.replace(ADX_NAMESPACE, "urn:example:other"),
    ):
        assert broken != good
        assert not schema.is_valid(broken)


def test_attribute_categories_make_their_own_group() -> None:
    mapping = FigureMapping.objects.get(figure="I.pus")
    figure_mapping_save(actor=None, mapping=mapping, fields={
        "use": "export", "figure": "I.pus", "data_set": "LINI_KB_BULANAN",
        "data_element": "KB_PUS", "attribute_option_combo": "SUMBER_REGISTER",
        "adx_attributes": "SUMBER=REGISTER",
    })  # fmt: skip
    data = adx_xml(dhis2_values(region=_serang(), period="2019-11"))
    xmlschema.XMLSchema(SCHEMA).validate(data.decode())
    groups = ET.fromstring(data).findall(f"{ADX}group")  # noqa: S314 - our own output
    by_source = {g.get("SUMBER"): g for g in groups}
    assert set(by_source) == {None, "REGISTER"}
    assert [v.get("dataElement") for v in by_source["REGISTER"]] == ["KB_PUS"]
    assert "KB_PUS" not in {v.get("dataElement") for v in by_source[None]}
    pus = next(v for v in _json()["dataValues"] if v["dataElement"] == "KB_PUS")
    assert pus["attributeOptionCombo"] == "SUMBER_REGISTER"


def test_the_org_unit_mapping_names_the_region() -> None:
    OrgUnitMapping.objects.create(region=_serang(), org_unit="ID-BT-SERANG")
    document = _json()
    assert document["orgUnit"] == "ID-BT-SERANG"
    assert {v["orgUnit"] for v in document["dataValues"]} == {"ID-BT-SERANG"}


def test_a_month_without_data_and_an_unknown_figure_are_refused() -> None:
    with translation.override("en"), pytest.raises(ExportError, match="no figures for"):
        dhis2_values(region=_serang(), period="2017-06")
    FigureMapping.objects.create(use=Use.EXPORT, figure="I.gone", data_set="X", data_element="Y")
    with translation.override("en"), pytest.raises(ExportError, match=r"I\.gone"):
        dhis2_values(region=_serang(), period="2019-11")
    with pytest.raises(ValueError, match="2019"):
        dhis2_values(region=_serang(), period="2019")


def test_the_export_checks_the_scope_and_is_audited() -> None:
    outsider = make_user(Role.REGENCY_OFFICER, KAB_TANGERANG)
    with pytest.raises(PermissionDenied):
        dhis2_export(actor=outsider, region=_serang(), period="2019-11", fmt="json")
    assert not AuditEntry.objects.filter(model=AUDIT_MODEL).exists()
    cadre = make_user(Role.CADRE, SINGAMERTA)
    with pytest.raises(PermissionDenied):  # a village's cadre may not read the regency
        dhis2_export(actor=cadre, region=_serang(), period="2019-11", fmt="adx")
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    exported = dhis2_export(actor=officer, region=_serang(), period="2019-11", fmt="adx")
    assert exported.filename == "lini-dhis2-36.04-2019-11.adx.xml"
    entry = AuditEntry.objects.get(model=AUDIT_MODEL)
    assert (entry.actor, entry.action, entry.region_code) == (officer, "export", KAB_SERANG)
    assert entry.after["personal"] is False
    assert entry.after["values"] == len(exported.values.values)


# lini dhis2 export --------------------------------------------------------------------------


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("dhis2", *args, stdout=out)
    return out.getvalue()


def test_the_command_writes_the_same_file_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "serang.json"
    common = ("export", "--region", KAB_SERANG, "--period", "2019-11", "-o", str(target))
    assert "-> " in _run(*common, "--format", "json")
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["dataValues"] == _json()["dataValues"]
    with pytest.raises(CommandError, match="--force"):
        _run(*common, "--format", "adx")
    assert json.loads(target.read_text(encoding="utf-8")) == document  # untouched
    _run(*common, "--format", "adx", "--force")
    xmlschema.XMLSchema(SCHEMA).validate(target.read_text(encoding="utf-8"))
    entries = AuditEntry.objects.filter(model=AUDIT_MODEL, actor_name="system")
    assert entries.count() == 3  # the command's two, and the one of _json()


@pytest.mark.parametrize(
    ("region", "period", "message"),
    [
        ("99.99", "2019-11", "no region has the code"),
        (f"{KAB_SERANG}", "2019-13", "--period"),
        (f"{KAB_SERANG}", "2017-06", "no figures for"),
    ],
)
def test_the_command_explains_what_it_refuses(
    tmp_path: Path, region: str, period: str, message: str
) -> None:
    target = tmp_path / "out.json"
    with translation.override("en"), pytest.raises(CommandError, match=message):
        _run("export", "--region", region, "--period", period, "--format", "json",
             "-o", str(target))  # fmt: skip
    assert not target.exists()


def test_a_villages_small_counts_stay_hidden_in_the_file(settings: object) -> None:
    """Desa Singamerta has 2 IUD users: a file that leaves Lini hides that count (and what would
    give it away) like every other aggregate file; the regency's file carries it."""
    village = Region.objects.get(code=SINGAMERTA)
    report = monthly_report(region=village, period="2019-11")
    assert _report_cell(report, "I.pa_iud") == 2
    figures = {v.figure: v.value for v in dhis2_values(region=village, period="2019-11").values}
    assert "I.pa_iud" not in figures
    assert "I.pb_iud" not in figures
    assert figures["I.pus"] == "5"  # five couples: not a small count
    settings.LINI_SMALL_CELL_THRESHOLD = 0  # type: ignore[attr-defined]
    figures = {v.figure: v.value for v in dhis2_values(region=village, period="2019-11").values}
    assert figures["I.pa_iud"] == "2"
