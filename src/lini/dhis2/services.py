"""Writing the DHIS2 mapping: one row from a page, or a whole CSV file (all rows or none).

The mapping is national: only national administrators change it. Lini has no right of its own for
it; :func:`can_manage_mapping` asks for the right to manage accounts (``Action.MANAGE_USERS``)
with a national scope, which only national administrators have. Every change is audited (one
entry per row changed; an import adds one entry for the file)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.models import AuditAction
from lini.audit.services import audit_change, audit_record, delete_with_audit, snapshot
from lini.dhis2.figures import indicator_code, report_catalog
from lini.dhis2.models import CODE_LENGTH, FigureMapping, OrgUnitMapping, Use
from lini.dhis2.selectors import combo
from lini.exchange.cells import is_blank, safe_for_spreadsheet
from lini.exchange.readers import FileError, read_rows
from lini.indicators.models import Indicator
from lini.regions.models import Region, RegionLevel

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User

FIGURE_FIELDS = (
    "use", "figure", "data_set", "data_element", "category_option_combo", "adx_categories",
    "attribute_option_combo", "adx_attributes",
)  # fmt: skip
FIGURE_COLUMNS = (*FIGURE_FIELDS, "label")  # the label is for reading; an import ignores it
ORG_UNIT_COLUMNS = ("region_code", "org_unit", "region_name")  # the name: for reading only

# Attribute names that ADX itself uses on <group> and <dataValue>.
ADX_RESERVED = frozenset({"orgUnit", "period", "dataSet", "completeDate", "dataElement", "value"})
_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def can_manage_mapping(user: User | AnonymousUser | None) -> bool:
    """National administrators (the right to manage accounts, nationwide)."""
    return scope.role_allows(user, Action.MANAGE_USERS) and scope.user_scope(user).national


def _require(actor: User | AnonymousUser | None) -> None:
    if actor is not None and not can_manage_mapping(actor):
        raise PermissionDenied


# Checks of one row ---------------------------------------------------------------------------


def adx_pairs(text: str) -> tuple[tuple[str, str], ...]:
    """``"KB_METODE=IUD; SEX=F"`` -> ``(("KB_METODE", "IUD"), ("SEX", "F"))`` (sorted by
    category); ValueError with a message when a pair is not ``CATEGORY=OPTION``."""
    pairs: dict[str, str] = {}
    for part in (p.strip() for p in (text or "").split(";")):
        if not part:
            continue
        name, sign, option = (s.strip() for s in part.partition("="))
        if not sign or not name or not option:
            raise ValueError(
                _("%(part)s is not CATEGORY=OPTION (codes, separated by ';')") % {"part": part}
            )
        if not _XML_NAME.fullmatch(name) or name in ADX_RESERVED:
            raise ValueError(
                _("%(name)s cannot be an ADX attribute: a category code starts with a letter or "
                  "'_' and holds only letters, digits, '_', '-' and '.' (and is not one of ADX's "
                  "own names)") % {"name": name}
            )  # fmt: skip
        if name in pairs:
            raise ValueError(_("the category %(name)s stands twice") % {"name": name})
        pairs[name] = option
    return tuple(sorted(pairs.items()))


def _code_problem(value: str, *, required: bool) -> str:
    if not value:
        return _("required") if required else ""
    if len(value) > CODE_LENGTH:
        return _("a DHIS2 code has at most %(n)d characters") % {"n": CODE_LENGTH}
    if _CONTROL.search(value):
        return _("control characters are not allowed")
    return ""


def _clean(fields: dict[str, Any]) -> dict[str, str]:
    cleaned = {name: " ".join(str(fields.get(name) or "").split()) for name in FIGURE_FIELDS}
    cleaned["use"] = cleaned["use"].lower() or Use.EXPORT
    for name in ("category_option_combo", "attribute_option_combo"):
        cleaned[name] = combo(cleaned[name])
    return cleaned


def _row_problems(
    fields: dict[str, str], report_codes: Iterable[str], indicators: set[str]
) -> dict[str, str]:
    """What is wrong with one mapping row on its own, by field."""
    problems: dict[str, str] = {}
    use, figure = fields["use"], fields["figure"]
    if use not in Use.values:
        problems["use"] = _("choose export or target")
    if not figure:
        problems["figure"] = _("required")
    elif use == Use.EXPORT and figure not in report_codes:
        problems["figure"] = _(
            "%(figure)s is not a figure of the monthly report (e.g. I.pa_iud, III.bkb.exist)"
        ) % {"figure": figure}
    elif use == Use.TARGET and indicator_code(figure) not in indicators:
        problems["figure"] = _(
            "a target maps an indicator of the catalog as indicator.<code>; %(figure)s is none"
        ) % {"figure": figure}
    for name, required in (("data_set", use == Use.EXPORT), ("data_element", True),
                           ("category_option_combo", False), ("attribute_option_combo", False)):  # fmt: skip
        problem = _code_problem(fields[name], required=required)
        if problem:
            problems[name] = problem
    for name, combo_field in (("adx_categories", "category_option_combo"),
                              ("adx_attributes", "attribute_option_combo")):  # fmt: skip
        try:
            pairs = adx_pairs(fields[name])
        except ValueError as exc:
            problems[name] = str(exc)
            continue
        if use == Use.EXPORT and bool(pairs) != bool(fields[combo_field]):
            problems[name] = _(
                "give both the combo code (for JSON) and its CATEGORY=OPTION codes (for ADX), "
                "or neither"
            )
    return problems


def _dhis2_key(fields: dict[str, str]) -> tuple[str, ...]:
    return (fields["use"], fields["data_element"], fields["category_option_combo"],
            fields["attribute_option_combo"])  # fmt: skip


def _adx_key(fields: dict[str, str]) -> tuple[object, ...]:
    return (fields["use"], fields["data_set"], adx_pairs(fields["adx_attributes"]),
            fields["data_element"], adx_pairs(fields["adx_categories"]))  # fmt: skip


def _clashes(rows: Sequence[dict[str, str]]) -> list[tuple[int, int, str, str]]:
    """Rows (of a whole final table) that would send the same DHIS2 value as an earlier row:
    (index, index of the earlier row, field, why)."""
    clashes: list[tuple[int, int, str, str]] = []
    seen_dhis2: dict[tuple[str, ...], int] = {}
    seen_adx: dict[tuple[object, ...], int] = {}
    for index, fields in enumerate(rows):
        other = seen_dhis2.setdefault(_dhis2_key(fields), index)
        if other != index:
            clashes.append((index, other, "data_element", _(
                "%(other)s already is this data element with this category and attribute "
                "option combo"
            ) % {"other": rows[other]["figure"]}))  # fmt: skip
            continue
        if fields["use"] != Use.EXPORT:
            continue
        try:
            key = _adx_key(fields)
        except ValueError:
            continue  # reported on its own
        other = seen_adx.setdefault(key, index)
        if other != index:
            clashes.append((index, other, "adx_categories", _(
                "%(other)s already is this data element with these ADX categories in this "
                "data set"
            ) % {"other": rows[other]["figure"]}))  # fmt: skip
    return clashes


def _indicator_codes() -> set[str]:
    return set(Indicator.objects.values_list("code", flat=True))


def _table(mappings: Iterable[FigureMapping]) -> dict[tuple[str, str], dict[str, str]]:
    return {(m.use, m.figure): {n: getattr(m, n) for n in FIGURE_FIELDS} for m in mappings}


# One row from a page -------------------------------------------------------------------------


def figure_mapping_save(
    *,
    actor: User | AnonymousUser | None,
    mapping: FigureMapping | None,
    fields: dict[str, Any],
) -> FigureMapping:
    """Create (``mapping`` None) or change one figure mapping; ValidationError by field."""
    _require(actor)
    cleaned = _clean(fields)
    problems = _row_problems(cleaned, report_catalog(), _indicator_codes())
    with transaction.atomic():
        table = _table(FigureMapping.objects.select_for_update().order_by("pk"))
        if mapping is not None:
            table.pop((mapping.use, mapping.figure), None)
        key = (cleaned["use"], cleaned["figure"])
        if key in table and "figure" not in problems:
            problems["figure"] = _("%(figure)s is mapped already (as %(use)s)") % {
                "figure": cleaned["figure"], "use": cleaned["use"],
            }  # fmt: skip
        if not problems:
            rows = [*table.values(), cleaned]
            problems.update({f: why for i, _o, f, why in _clashes(rows) if i == len(rows) - 1})
        if problems:
            raise ValidationError(problems)
        return _figure_write(actor, mapping, cleaned)


def _figure_write(
    actor: User | AnonymousUser | None, mapping: FigureMapping | None, fields: dict[str, str]
) -> FigureMapping:
    before = snapshot(mapping) if mapping is not None else None
    target = mapping or FigureMapping()
    for name, value in fields.items():
        setattr(target, name, value)
    target.full_clean()
    target.save()
    audit_change(actor=actor, obj=target, before=before, region_code="")
    return target


def figure_mapping_delete(*, actor: User | AnonymousUser | None, mapping: FigureMapping) -> None:
    _require(actor)
    with transaction.atomic():
        delete_with_audit(actor=actor, obj=mapping, region_code="")


def _org_unit_problems(rows: Sequence[tuple[Region, str]]) -> list[tuple[int, int, str]]:
    """Org unit codes (of a whole final table) that are not free: (index, index of the row it
    clashes with, or the same index, why)."""
    problems: list[tuple[int, int, str]] = []
    seen: dict[str, int] = {}
    mapped = {region.pk for region, _c in rows}
    default_of = {
        r.code: r
        for r in Region.objects.filter(code__in=[c for _r, c in rows]).exclude(pk__in=mapped)
    }
    for index, (_region, code) in enumerate(rows):
        problem, other = _code_problem(code, required=True), index
        if not problem and code in seen:
            other = seen[code]
            problem = _("%(region)s already is this org unit") % {"region": rows[other][0].code}
        elif not problem and code in default_of:
            problem = _("%(code)s is the Kemendagri code of %(region)s, which is sent under it") % {
                "code": code,
                "region": default_of[code].display_name,
            }
        if problem:
            problems.append((index, other, problem))
        seen.setdefault(code, index)
    return problems


def _region_problem(region: Region | None) -> str:
    if region is None:
        return _("no region has this code")
    if region.level > RegionLevel.VILLAGE:
        return _("DHIS2 org units are provinces, regencies, districts or villages")
    return ""


def org_unit_mapping_save(
    *,
    actor: User | AnonymousUser | None,
    mapping: OrgUnitMapping | None,
    region: Region | None,
    org_unit: str,
) -> OrgUnitMapping:
    """Create (``mapping`` None) or change the org unit code of a region; ValidationError by
    field (``region``, ``org_unit``)."""
    _require(actor)
    org_unit = " ".join((org_unit or "").split())
    problem = _region_problem(region)
    if problem:
        raise ValidationError({"region": problem})
    assert region is not None  # noqa: S101 - checked above
    with transaction.atomic():
        others = OrgUnitMapping.objects.select_for_update().select_related("region")
        if mapping is not None:
            others = others.exclude(pk=mapping.pk)
        rows = [(m.region, m.org_unit) for m in others.order_by("pk")]
        if any(r.pk == region.pk for r, _c in rows):
            raise ValidationError({"region": _("this region has its org unit code already")})
        rows.append((region, org_unit))
        problems = [why for i, _o, why in _org_unit_problems(rows) if i == len(rows) - 1]
        if problems:
            raise ValidationError({"org_unit": problems[0]})
        return _org_unit_write(actor, mapping, region, org_unit)


def _org_unit_write(
    actor: User | AnonymousUser | None,
    mapping: OrgUnitMapping | None,
    region: Region,
    org_unit: str,
) -> OrgUnitMapping:
    before = snapshot(mapping) if mapping is not None else None
    target = mapping or OrgUnitMapping()
    target.region, target.org_unit = region, org_unit
    target.full_clean()
    target.save()
    audit_change(actor=actor, obj=target, before=before, region_code=region.code)
    return target


def org_unit_mapping_delete(*, actor: User | AnonymousUser | None, mapping: OrgUnitMapping) -> None:
    _require(actor)
    with transaction.atomic():
        delete_with_audit(actor=actor, obj=mapping, region_code=mapping.region.code)


# CSV ------------------------------------------------------------------------------------------

FIGURES, ORG_UNITS = "data", "org-unit"  # the two tables (as the pages name them)
AUDIT_MODELS = {FIGURES: "dhis2.figuremapping", ORG_UNITS: "dhis2.orgunitmapping"}


@dataclass(frozen=True)
class Problem:
    """Why a row of a mapping file was refused (``line`` 0: the file as a whole)."""

    name: str
    line: int
    field: str
    why: str

    def __str__(self) -> str:
        if not self.line:
            return f"{self.name}: {self.why}"
        return _("%(name)s, row %(line)d, %(field)s: %(why)s") % {
            "name": self.name, "line": self.line, "field": self.field, "why": self.why,
        }  # fmt: skip


@dataclass
class CsvImport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_for_spreadsheet(str(v)) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def mapping_csv(*, actor: User | AnonymousUser | None, kind: str) -> bytes:
    """The mapping table ``kind`` as CSV (UTF-8 with a byte-order mark), recorded as an export."""
    _require(actor)
    if kind == FIGURES:
        labels = {code: f.label for code, f in report_catalog().items()}
        data = _csv(
            FIGURE_COLUMNS,
            ([*(getattr(m, n) for n in FIGURE_FIELDS), labels.get(m.figure, "")]
             for m in FigureMapping.objects.order_by("use", "figure")),
        )  # fmt: skip
    elif kind == ORG_UNITS:
        data = _csv(
            ORG_UNIT_COLUMNS,
            ((m.region.code, m.org_unit, m.region.name)
             for m in OrgUnitMapping.objects.select_related("region").order_by("region__code")),
        )  # fmt: skip
    else:
        raise ValueError(kind)
    audit_record(
        actor=actor, action=AuditAction.EXPORT, model=AUDIT_MODELS[kind],
        description=f"dhis2-{kind}.csv", after={"bytes": len(data), "personal": False},
    )  # fmt: skip
    return data


def _rows(path: Path, name: str, columns: Sequence[str], result: CsvImport) -> list[Any]:
    try:
        header, rows = read_rows(path, name=name)
        missing = [c for c in columns if c not in header]
        if missing:
            result.problems.append(
                Problem(name, 0, "", _("the column(s) %(columns)s are missing")
                        % {"columns": ", ".join(missing)})
            )  # fmt: skip
            return []
        found = list(rows)
        if not found:
            result.problems.append(Problem(name, 0, "", _("the file has no rows below its header")))
        return found
    except FileError as exc:
        result.problems.append(Problem(name, 0, "", str(exc)))
        return []


def _text(value: object) -> str:
    return "" if is_blank(value) else " ".join(str(value).split())


def mapping_import(
    *, actor: User | AnonymousUser | None, kind: str, path: Path, name: str
) -> CsvImport:
    """Read a mapping file (CSV or XLSX, the columns of :func:`mapping_csv`) into the table
    ``kind``: a row changes the mapping of its figure (or region) or adds one; rows not in the
    file stay. Every row is checked first, each alone and all together with the rows that
    stay; any problem and nothing is written."""
    _require(actor)
    result = CsvImport()
    if kind == FIGURES:
        _figures_import(actor, path, name, result)
    elif kind == ORG_UNITS:
        _org_units_import(actor, path, name, result)
    else:
        raise ValueError(kind)
    return result


def _figures_import(
    actor: User | AnonymousUser | None, path: Path, name: str, result: CsvImport
) -> None:
    rows = _rows(path, name, FIGURE_FIELDS[1:4], result)
    catalog, indicators = report_catalog(), _indicator_codes()
    read: list[tuple[int, dict[str, str]]] = []
    first: dict[tuple[str, str], int] = {}
    for row in rows:
        fields = _clean({n: _text(row.values.get(n)) for n in FIGURE_FIELDS})
        problems = _row_problems(fields, catalog, indicators)
        key = (fields["use"], fields["figure"])
        if key in first and "figure" not in problems:
            problems["figure"] = _("the same figure as row %(line)d") % {"line": first[key]}
        first.setdefault(key, row.line)
        result.problems += [Problem(name, row.line, f, why) for f, why in problems.items()]
        read.append((row.line, fields))
    if result.problems:
        return
    with transaction.atomic():
        existing = {
            (m.use, m.figure): m for m in FigureMapping.objects.select_for_update().order_by("pk")
        }
        final = _table(existing.values())
        final.update({(f["use"], f["figure"]): f for _line, f in read})
        keys = list(final)
        line_of = {(f["use"], f["figure"]): line for line, f in read}
        for index, other, field_name, why in _clashes(list(final.values())):
            # A row that stays as it is cannot be wrong on its own: blame the file's row.
            line = line_of.get(keys[index]) or line_of.get(keys[other], 0)
            result.problems.append(Problem(name, line, field_name, why))
        if result.problems:
            return
        for _line, fields in read:
            mapping = existing.get((fields["use"], fields["figure"]))
            if mapping is not None and all(getattr(mapping, n) == fields[n] for n in FIGURE_FIELDS):
                result.unchanged += 1
                continue
            _figure_write(actor, mapping, fields)
            if mapping is None:
                result.created += 1
            else:
                result.updated += 1
        _audit_import(actor, FIGURES, name, result)


def _org_units_import(
    actor: User | AnonymousUser | None, path: Path, name: str, result: CsvImport
) -> None:
    rows = _rows(path, name, ORG_UNIT_COLUMNS[:2], result)
    codes = [_text(row.values.get("region_code")) for row in rows]
    regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    read: list[tuple[int, Region, str]] = []
    first: dict[str, int] = {}
    for row, code in zip(rows, codes, strict=True):
        region = regions.get(code)
        problem = _region_problem(region) if code else _("required")
        if not problem and code in first:
            problem = _("the same region as row %(line)d") % {"line": first[code]}
        first.setdefault(code, row.line)
        if problem:
            result.problems.append(Problem(name, row.line, "region_code", problem))
            continue
        assert region is not None  # noqa: S101 - checked above
        read.append((row.line, region, _text(row.values.get("org_unit"))))
    if result.problems:
        return
    with transaction.atomic():
        existing = {
            m.region_id: m
            for m in OrgUnitMapping.objects.select_for_update().select_related("region")
        }
        final = {pk: (m.region, m.org_unit) for pk, m in existing.items()}
        final.update({region.pk: (region, code) for _line, region, code in read})
        keys = list(final)
        line_of = {region.pk: line for line, region, _code in read}
        for index, other, why in _org_unit_problems(list(final.values())):
            line = line_of.get(keys[index]) or line_of.get(keys[other], 0)
            result.problems.append(Problem(name, line, "org_unit", why))
        if result.problems:
            return
        for _line, region, code in read:
            mapping = existing.get(region.pk)
            if mapping is not None and mapping.org_unit == code:
                result.unchanged += 1
                continue
            _org_unit_write(actor, mapping, region, code)
            if mapping is None:
                result.created += 1
            else:
                result.updated += 1
        _audit_import(actor, ORG_UNITS, name, result)


def _audit_import(
    actor: User | AnonymousUser | None, kind: str, name: str, result: CsvImport
) -> None:
    audit_record(
        actor=actor, action=AuditAction.IMPORT, model=AUDIT_MODELS[kind], description=name[:200],
        after={"created": result.created, "updated": result.updated,
               "unchanged": result.unchanged},
    )  # fmt: skip
