"""Performance-agreement targets from a DHIS2 dataValueSet (JSON).

Each data value whose data element (with its category and attribute option combos) is mapped as
a target (``use = target``, figure ``indicator.<code>``) becomes the target of that indicator for
the region of its org unit and the year of its period (a DHIS2 yearly period, ``2019``). Every
value goes through :func:`lini.indicators.targets.target_save`, so the checks, the scope and
the audit entries are those of the target page.

All or nothing: every value is checked first (its index in ``dataValues`` and the field are in
each problem) and one problem writes nothing. A dry run does the same writes inside a transaction
that is rolled back.

Only targets are imported: Lini's monthly figures are counted from its own register and field
records (and the villages' monthly inputs, which their counsellors submit and the regency
approves), so there is no place where aggregate values from DHIS2 could be stored without being
overwritten or bypassing that approval.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.models import AuditAction
from lini.audit.services import audit_record
from lini.dhis2.figures import indicator_code
from lini.dhis2.models import Use
from lini.dhis2.selectors import combo, figure_mappings, regions_of_org_units
from lini.indicators.models import Indicator, Target
from lini.indicators.targets import YEARS, target_save, target_value

if TYPE_CHECKING:
    from decimal import Decimal

    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User
    from lini.regions.models import Region

MAX_BYTES = 20 * 1024 * 1024
AUDIT_MODEL = "dhis2.data_value_set"


@dataclass(frozen=True)
class ValueProblem:
    """Why a data value was refused (``index`` None: the file as a whole)."""

    index: int | None
    field: str
    why: str

    def text(self, name: str) -> str:
        if self.index is None:
            return f"{name}: {self.why}"
        return _("%(name)s, dataValues[%(index)d], %(field)s: %(why)s") % {
            "name": name, "index": self.index, "field": self.field, "why": self.why,
        }  # fmt: skip


@dataclass
class TargetImport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    problems: list[ValueProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _Target:
    index: int
    indicator: Indicator
    region: Region
    year: int
    value: Decimal


def _document(data: bytes) -> tuple[list[Any], dict[str, Any], list[ValueProblem]]:
    """The data values and the set's own fields, or the problem with the file as a whole."""
    if len(data) > MAX_BYTES:
        return [], {}, [ValueProblem(None, "", _("the file is larger than 20 MB"))]
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return [], {}, [ValueProblem(None, "", _("not a UTF-8 text file"))]
    except json.JSONDecodeError as exc:
        return [], {}, [ValueProblem(None, "", _(
            "not JSON (line %(line)d, column %(column)d: %(why)s)"
        ) % {"line": exc.lineno, "column": exc.colno, "why": exc.msg})]  # fmt: skip
    if not isinstance(document, dict) or not isinstance(document.get("dataValues"), list):
        return [], {}, [ValueProblem(None, "", _(
            'not a DHIS2 dataValueSet: expected an object with a list "dataValues"'
        ))]  # fmt: skip
    return document["dataValues"], document, []


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(_("expected a text"))
    return str(value).strip()


def _year(period: str) -> int | str:
    """The year of a DHIS2 yearly period, or why it is not one."""
    if not re.fullmatch(r"\d{4}", period):
        return _("%(value)s is not a yearly period: targets are given per year, as YYYY") % {
            "value": period[:20],
        }  # fmt: skip
    year = int(period)
    if not YEARS[0] <= year <= YEARS[1]:
        return _("The year must lie between %(low)d and %(high)d.") % {
            "low": YEARS[0], "high": YEARS[1],
        }  # fmt: skip
    return year


def _checked(
    values: list[Any], document: dict[str, Any], actor: User | AnonymousUser | None
) -> tuple[list[_Target], list[ValueProblem]]:
    problems: list[ValueProblem] = []
    targets: list[_Target] = []
    mapped = {
        (m.data_element, m.category_option_combo, m.attribute_option_combo): m
        for m in figure_mappings(use=Use.TARGET)
    }
    indicators = {i.code: i for i in Indicator.objects.all()}
    defaults: dict[str, str] = {}
    for name in ("period", "orgUnit", "attributeOptionCombo"):
        try:
            defaults[name] = _text(document.get(name))
        except ValueError as exc:
            problems.append(ValueProblem(None, "", f"{name}: {exc}"))
    rows: list[tuple[int, dict[str, str]]] = []
    for index, raw in enumerate(values):
        if not isinstance(raw, dict):
            problems.append(ValueProblem(index, "", _("a data value is an object")))
            continue
        if raw.get("deleted") is True:
            problems.append(ValueProblem(index, "deleted", _(
                "a deleted value cannot be a target; export from DHIS2 without deleted values"
            )))  # fmt: skip
            continue
        row: dict[str, str] = {}
        unreadable = False
        for name in ("dataElement", "period", "orgUnit", "categoryOptionCombo",
                     "attributeOptionCombo", "value"):  # fmt: skip
            try:
                row[name] = _text(raw.get(name)) or defaults.get(name, "")
            except ValueError as exc:
                problems.append(ValueProblem(index, name, str(exc)))
                unreadable = True
        if not unreadable:
            rows.append((index, row))
    regions = regions_of_org_units(row.get("orgUnit", "") for _i, row in rows)
    seen: dict[tuple[int, int, int | str], int] = {}
    for index, row in rows:
        found: list[ValueProblem] = []
        element = row.get("dataElement", "")
        key = (element, combo(row.get("categoryOptionCombo", "")),
               combo(row.get("attributeOptionCombo", "")))  # fmt: skip
        mapping = mapped.get(key)
        indicator = indicators.get(indicator_code(mapping.figure)) if mapping else None
        if not element:
            found.append(ValueProblem(index, "dataElement", _("required")))
        elif mapping is None:
            found.append(ValueProblem(index, "dataElement", _(
                "%(element)s (category option combo %(coc)s, attribute option combo %(aoc)s) is "
                "not mapped to the target of an indicator"
            ) % {"element": element, "coc": key[1] or "default", "aoc": key[2] or "default"}))  # fmt: skip
        elif indicator is None:
            found.append(ValueProblem(index, "dataElement", _(
                "%(element)s is mapped to %(figure)s, which is not in the indicator catalog"
            ) % {"element": element, "figure": mapping.figure}))  # fmt: skip
        year = _year(row.get("period", ""))
        if isinstance(year, str):
            found.append(ValueProblem(index, "period", year))
        unit = row.get("orgUnit", "")
        region = regions.get(unit)
        if not unit:
            found.append(ValueProblem(index, "orgUnit", _("required")))
        elif region is None:
            found.append(ValueProblem(index, "orgUnit", _(
                "%(code)s is neither a mapped org unit nor the Kemendagri code of a province, "
                "regency, district or village"
            ) % {"code": unit[:60]}))  # fmt: skip
        elif actor is not None and not scope.can(actor, Action.CHANGE, region):
            found.append(ValueProblem(index, "orgUnit", _(
                "you may not change the targets of %(region)s"
            ) % {"region": region.display_name}))  # fmt: skip
        amount: Decimal | None = None
        try:
            amount = target_value(row.get("value", ""))
        except ValidationError as exc:
            found.append(ValueProblem(index, "value", "; ".join(exc.messages)))
        if found:
            problems += found
            continue
        assert indicator is not None  # noqa: S101 - no problem found above
        assert region is not None  # noqa: S101
        assert amount is not None  # noqa: S101
        assert isinstance(year, int)  # noqa: S101
        same = (indicator.pk, region.pk, year)
        if same in seen:
            problems.append(ValueProblem(index, "dataElement", _(
                "the same target (indicator, org unit, year) as dataValues[%(other)d]"
            ) % {"other": seen[same]}))  # fmt: skip
            continue
        seen[same] = index
        targets.append(_Target(index, indicator, region, year, amount))
    return targets, problems


def targets_import(
    *,
    actor: User | AnonymousUser | None,
    data: bytes,
    name: str,
    dry_run: bool = False,
) -> TargetImport:
    """Import the targets of a dataValueSet (``data``, JSON; ``name`` is how problems name the
    file) for ``actor`` (None: the system), all or nothing."""
    result = TargetImport(dry_run=dry_run)
    values, document, result.problems = _document(data)
    if result.problems:
        return result
    targets, result.problems = _checked(values, document, actor)
    if result.problems:
        return result
    with transaction.atomic():
        existing = {
            (t.indicator_id, t.region_id, t.year): t.value
            for t in Target.objects.filter(
                region_id__in={t.region.pk for t in targets},
                year__in={t.year for t in targets},
            )
        }
        for t in targets:
            old = existing.get((t.indicator.pk, t.region.pk, t.year))
            if old is not None and old == t.value:
                result.unchanged += 1
                continue
            try:
                target_save(actor=actor, indicator=t.indicator, region=t.region, year=t.year,
                            value=t.value)  # fmt: skip
            except ValidationError as exc:
                result.problems.append(ValueProblem(t.index, "value", "; ".join(exc.messages)))
                continue
            except PermissionDenied:
                result.problems.append(ValueProblem(t.index, "orgUnit", _(
                    "you may not change the targets of %(region)s"
                ) % {"region": t.region.display_name}))  # fmt: skip
                continue
            if old is None:
                result.created += 1
            else:
                result.updated += 1
        if result.problems:
            result.created = result.updated = result.unchanged = 0
            transaction.set_rollback(True)
            return result
        if dry_run:
            transaction.set_rollback(True)
            return result
        audit_record(
            actor=actor, action=AuditAction.IMPORT, model=AUDIT_MODEL, description=name[:200],
            after={"targets_created": result.created, "targets_updated": result.updated,
                   "targets_unchanged": result.unchanged, "values": len(values)},
        )  # fmt: skip
    return result
