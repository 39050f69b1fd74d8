"""Targets from a DHIS2 dataValueSet: written through the target service, read back the same,
all or nothing (each problem with the value's index and field), dry run, scope, audit and
``lini dhis2 import``."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from django.core.management import CommandError, call_command
from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditEntry
from lini.dhis2.importing import AUDIT_MODEL, targets_import
from lini.dhis2.models import OrgUnitMapping
from lini.indicators.models import Indicator, Target
from lini.indicators.targets import target_save
from lini.regions.models import Region
from lini.regions.tests.places import CIRUAS, KAB_SERANG, KAB_TANGERANG

pytestmark = pytest.mark.django_db


def _set(*values: dict[str, Any], **top: Any) -> bytes:
    return json.dumps({"dataSet": "LINI_KB_TARGET", **top, "dataValues": list(values)}).encode()


def _targets() -> dict[tuple[str, str, int], Decimal]:
    return {
        (t.indicator.code, t.region.code, t.year): t.value
        for t in Target.objects.select_related("indicator", "region")
    }


VALUES = (
    {"dataElement": "KB_TARGET_CPR", "period": "2019", "orgUnit": KAB_SERANG, "value": "61.5"},
    {"dataElement": "KB_TARGET_UNMET_NEED", "orgUnit": KAB_SERANG, "value": "7.25",
     "categoryOptionCombo": "default"},
    {"dataElement": "KB_TARGET_CPR", "period": "2019", "orgUnit": "OU_CIRUAS", "value": 60},
)  # fmt: skip


@pytest.fixture(autouse=True)
def _ciruas_org_unit() -> None:
    OrgUnitMapping.objects.create(region=Region.objects.get(code=CIRUAS), org_unit="OU_CIRUAS")


def test_targets_are_imported_and_read_back_the_same() -> None:
    result = targets_import(actor=None, data=_set(*VALUES, period="2019"), name="t.json")
    assert result.ok, [p.text("t.json") for p in result.problems]
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert _targets() == {
        ("cpr", KAB_SERANG, 2019): Decimal("61.5"),
        ("unmet_need", KAB_SERANG, 2019): Decimal("7.25"),  # the set's period
        ("cpr", CIRUAS, 2019): Decimal(60),  # its mapped org unit
    }
    # The target service wrote them (one entry each) and the file has its own entry.
    assert AuditEntry.objects.filter(model="indicators.target", action="create").count() == 3
    entry = AuditEntry.objects.get(model=AUDIT_MODEL, action="import")
    assert (entry.object_repr, entry.after["targets_created"]) == ("t.json", 3)
    # The same file again changes nothing; a changed value updates its target only.
    again = targets_import(actor=None, data=_set(*VALUES, period="2019"), name="t.json")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    changed = ({**VALUES[0], "value": "63"}, *VALUES[1:])
    result = targets_import(actor=None, data=_set(*changed, period="2019"), name="t.json")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert _targets()[("cpr", KAB_SERANG, 2019)] == Decimal(63)


def test_one_bad_value_refuses_the_file_with_index_and_field() -> None:
    target_save(actor=None, indicator=Indicator.objects.get(code="cpr"),
                region=Region.objects.get(code=KAB_SERANG), year=2019, value="50")  # fmt: skip
    before = _targets()
    values = [
        VALUES[0],  # fine on its own
        {"dataElement": "KB_UNKNOWN", "period": "2019", "orgUnit": KAB_SERANG, "value": "1"},
        {"dataElement": "KB_TARGET_CPR", "period": "2019", "orgUnit": "NOWHERE", "value": "1"},
        {"dataElement": "KB_TARGET_CPR", "period": "201911", "orgUnit": CIRUAS, "value": "1"},
        {"dataElement": "KB_TARGET_MCPR", "period": "2019", "orgUnit": KAB_SERANG, "value": "x"},
        {"dataElement": "KB_TARGET_CPR", "period": "2019", "orgUnit": KAB_SERANG, "value": "62"},
        {"dataElement": "KB_TARGET_CPR", "categoryOptionCombo": "KB_METODE_IUD",
         "period": "2019", "orgUnit": KAB_SERANG, "value": "62"},
    ]  # fmt: skip
    with translation.override("en"):
        result = targets_import(actor=None, data=_set(*values), name="set.json")
        texts = [p.text("set.json") for p in result.problems]
    assert [(p.index, p.field) for p in result.problems] == [
        (1, "dataElement"), (2, "orgUnit"), (3, "period"),
        (3, "orgUnit"),  # Kec. Ciruas has its own org unit code: not its Kemendagri code
        (4, "value"), (5, "dataElement"), (6, "dataElement"),
    ]  # fmt: skip
    assert texts[0].startswith(
        "set.json, dataValues[1], dataElement: KB_UNKNOWN (category option combo default, "
        "attribute option combo default) is not mapped"
    )
    assert "NOWHERE is neither a mapped org unit nor the Kemendagri code" in texts[1]
    assert "201911 is not a yearly period" in texts[2]
    assert "the same target (indicator, org unit, year) as dataValues[0]" in texts[5]
    assert "KB_METODE_IUD" in texts[6]
    assert result.created == result.updated == 0
    assert _targets() == before  # nothing written, not even the first value
    assert not AuditEntry.objects.filter(model=AUDIT_MODEL).exists()


def test_a_file_that_is_not_a_data_value_set_is_refused() -> None:
    with translation.override("en"):
        for data, why in ((b"{not json", "not JSON (line 1, column 2"),
                          (b'{"dataValues": 3}', 'a list "dataValues"'),
                          (b"\xff\xfe", "not a UTF-8 text file")):  # fmt: skip
            result = targets_import(actor=None, data=data, name="x.json")
            assert [p.index for p in result.problems] == [None]
            assert why in result.problems[0].text("x.json")


def test_a_dry_run_counts_and_writes_nothing() -> None:
    result = targets_import(actor=None, data=_set(*VALUES, period="2019"), name="t.json",
                            dry_run=True)  # fmt: skip
    assert result.ok
    assert result.dry_run
    assert result.created == 3
    assert _targets() == {}
    assert not AuditEntry.objects.filter(model__in=[AUDIT_MODEL, "indicators.target"]).exists()


def test_a_user_imports_only_targets_of_their_regions() -> None:
    officer = make_user(Role.REGENCY_OFFICER, KAB_TANGERANG)
    with translation.override("en"):
        result = targets_import(actor=officer, data=_set(*VALUES, period="2019"), name="t.json")
    assert [(p.index, p.field) for p in result.problems] == [(0, "orgUnit"), (1, "orgUnit"),
                                                             (2, "orgUnit")]  # fmt: skip
    assert "you may not change the targets of" in result.problems[0].why
    assert _targets() == {}
    serang = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    result = targets_import(actor=serang, data=_set(*VALUES, period="2019"), name="t.json")
    assert result.ok
    assert result.created == 3
    assert AuditEntry.objects.filter(model="indicators.target", actor=serang).count() == 3


# lini dhis2 import ----------------------------------------------------------------------------


def test_the_command_imports_and_explains_refusals(tmp_path: Path) -> None:
    good = tmp_path / "targets.json"
    good.write_bytes(_set(*VALUES, period="2019"))
    out = io.StringIO()
    call_command("dhis2", "import", str(good), "--dry-run", stdout=out)
    assert "Dry run, nothing written: 3 targets new" in out.getvalue()
    assert _targets() == {}
    call_command("dhis2", "import", str(good), stdout=out)
    assert len(_targets()) == 3
    bad = tmp_path / "bad.json"
    bad.write_bytes(_set({**VALUES[0], "orgUnit": "NOWHERE"}))
    err = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="nothing was imported"):
        call_command("dhis2", "import", str(bad), stdout=out, stderr=err)
    assert "bad.json, dataValues[0], orgUnit: NOWHERE" in err.getvalue()
    with pytest.raises(CommandError, match="no such file"):
        call_command("dhis2", "import", str(tmp_path / "missing.json"))
