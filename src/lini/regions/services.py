"""Writes to the region tree: loading the Kemendagri list and managing sub-village units."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from lini.core.bulk import bulk_insert, db_value
from lini.core.text import search_key
from lini.regions.codes import RegionCodeError, is_within, normalise_code, parent_code
from lini.regions.models import (
    KIND_LEVEL,
    SUBUNIT_PARENT_LEVELS,
    Region,
    RegionKind,
    RegionLevel,
)

if TYPE_CHECKING:
    from lini.accounts.models import User

_LEVEL_OF_TINGKAT = {
    "provinsi": RegionLevel.PROVINCE,
    "kabupaten": RegionLevel.REGENCY,
    "kecamatan": RegionLevel.DISTRICT,
    "desa": RegionLevel.VILLAGE,
}
_KINDS_OF_LEVEL = {
    RegionLevel.PROVINCE: {"": RegionKind.PROVINSI, "provinsi": RegionKind.PROVINSI},
    RegionLevel.REGENCY: {"kabupaten": RegionKind.KABUPATEN, "kota": RegionKind.KOTA},
    RegionLevel.DISTRICT: {"": RegionKind.KECAMATAN, "kecamatan": RegionKind.KECAMATAN},
    RegionLevel.VILLAGE: {
        "desa": RegionKind.DESA,
        "kelurahan": RegionKind.KELURAHAN,
        "desa_adat": RegionKind.DESA_ADAT,
    },
}
_BATCH = 2000
_INSERT_FIELDS = (
    "code",
    "name",
    "search_name",
    "level",
    "kind",
    "parent",
    "created_at",
    "updated_at",
)


class RegionFileError(ValueError):
    """A row of a region file that cannot be loaded; the message names the file, line and field."""


@dataclass(frozen=True, slots=True)
class RegionRow:
    line: int
    code: str
    name: str
    level: int
    kind: str


@dataclass
class LevelCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class LoadReport:
    """What a load did, per level."""

    levels: dict[int, LevelCounts] = field(
        default_factory=lambda: {level: LevelCounts() for level in range(1, 5)}
    )

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated for c in self.levels.values())

    def total(self, attr: str) -> int:
        return sum(getattr(c, attr) for c in self.levels.values())


def bundled_wilayah_csv() -> Path:
    """The copy of the Kemendagri list shipped inside the package (with its licence)."""
    return Path(str(resources.files("lini.regions") / "data" / "wilayah.csv"))


def read_wilayah_csv(path: Path, *, province: str | None = None) -> Iterator[RegionRow]:
    """Rows of a ``kode,nama,tingkat,jenis`` file, checked; only ``province`` when given."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"kode", "nama", "tingkat"} - set(reader.fieldnames or [])
        if missing:
            raise RegionFileError(
                f"{path}: missing column(s) {', '.join(sorted(missing))}; "
                "expected kode,nama,tingkat,jenis"
            )
        for record in reader:
            row = _parse_row(path, reader.line_num, record)
            if province is None or is_within(row.code, province):
                yield row


def _parse_row(path: Path, line: int, record: dict[str, str]) -> RegionRow:
    def fail(column: str, why: str) -> RegionFileError:
        return RegionFileError(f"{path}, line {line}, column {column}: {why}")

    raw_code = (record.get("kode") or "").strip()
    name = " ".join((record.get("nama") or "").split())
    tingkat = (record.get("tingkat") or "").strip().lower()
    jenis = (record.get("jenis") or "").strip().lower()
    try:
        code = normalise_code(raw_code)
    except RegionCodeError as exc:
        raise fail("kode", str(exc)) from exc
    if tingkat not in _LEVEL_OF_TINGKAT:
        raise fail("tingkat", f"{tingkat!r} is not one of {', '.join(_LEVEL_OF_TINGKAT)}")
    level = _LEVEL_OF_TINGKAT[tingkat]
    if code.count(".") + 1 != level:
        raise fail("kode", f"{code!r} is not a {tingkat} code")
    kinds = _KINDS_OF_LEVEL[level]
    if jenis not in kinds:
        allowed = ", ".join(k for k in kinds if k) or "(empty)"
        raise fail("jenis", f"{jenis!r} is not allowed for {tingkat} (allowed: {allowed})")
    if not name:
        raise fail("nama", "the name is empty")
    if len(name) > Region._meta.get_field("name").max_length:
        raise fail("nama", "the name is longer than 120 characters")
    return RegionRow(line=line, code=code, name=name, level=level, kind=kinds[jenis])


@transaction.atomic
def regions_load(*, rows: Iterable[RegionRow]) -> LoadReport:
    """Create, update (renames, kind changes) or leave each region of ``rows``; idempotent.

    Regions are keyed on their code, so a renamed village is updated in place, never duplicated.
    All or nothing: a bad row (e.g. a code whose parent is nowhere) rolls the whole load back.
    """
    by_level: dict[int, list[RegionRow]] = {level: [] for level in range(1, 5)}
    first_line: dict[str, int] = {}
    for row in rows:
        if row.code in first_line:
            raise RegionFileError(
                f"line {row.line}, column kode: {row.code!r} stands twice in the file "
                f"(also line {first_line[row.code]})"
            )
        first_line[row.code] = row.line
        by_level[row.level].append(row)
    wanted_codes = {row.code for rows_ in by_level.values() for row in rows_}
    parents = {c for c in (parent_code(code) for code in wanted_codes) if c}
    existing = _existing_regions(codes=wanted_codes | parents)
    ids = {code: values[0] for code, values in existing.items()}
    report = LoadReport()
    now = timezone.now()
    stamp = db_value(Region, "created_at", now)
    for level in range(1, 5):
        to_create: list[tuple[object, ...]] = []
        to_update: list[Region] = []
        counts = report.levels[level]
        for row in by_level[level]:
            parent_id = None
            if level > RegionLevel.PROVINCE:
                parent = parent_code(row.code)
                parent_id = ids.get(parent) if parent else None
                if parent_id is None:
                    raise RegionFileError(
                        f"line {row.line}, column kode: the parent {parent!r} of {row.code!r} "
                        "is neither in the file nor in the database"
                    )
            current = existing.get(row.code)
            if current is None:
                to_create.append(
                    (
                        row.code,
                        row.name,
                        search_key(row.name),
                        level,
                        row.kind,
                        parent_id,
                        stamp,
                        stamp,
                    )
                )
            elif current[1:] != (row.name, row.kind, parent_id):
                to_update.append(
                    Region(
                        pk=current[0],
                        name=row.name,
                        search_name=search_key(row.name),
                        kind=row.kind,
                        parent_id=parent_id,
                        updated_at=now,
                    )
                )
            else:
                counts.unchanged += 1
        bulk_insert(Region, _INSERT_FIELDS, to_create)
        if to_create:
            created = {row[0] for row in to_create}
            ids.update(
                (code, pk)
                for code, pk in Region.objects.filter(level=level).values_list("code", "pk")
                if code in created
            )
        Region.objects.bulk_update(
            to_update, ["name", "search_name", "kind", "parent", "updated_at"], batch_size=_BATCH
        )
        counts.created, counts.updated = len(to_create), len(to_update)
    return report


def _existing_regions(*, codes: set[str]) -> dict[str, tuple[int, str, str, int | None]]:
    """``code -> (pk, name, kind, parent_id)`` of the Kemendagri regions among ``codes``."""
    qs = Region.objects.filter(level__lte=RegionLevel.VILLAGE)
    if len(codes) < 900:  # a small file: ask for its codes; a large one: read the table once
        qs = qs.filter(code__in=codes)
    rows = qs.values_list("code", "pk", "name", "kind", "parent_id").iterator(chunk_size=10_000)
    return {code: (pk, name, kind, parent_id) for code, pk, name, kind, parent_id in rows}


def _next_subunit_code(*, parent: Region, kind: str, number: int | None) -> str:
    if kind == RegionKind.DUSUN:
        taken = {
            c.rsplit(".", 1)[1]
            for c in Region.objects.filter(parent=parent, kind=RegionKind.DUSUN).values_list(
                "code", flat=True
            )
        }
        n = 1
        while f"D{n:02d}" in taken:
            n += 1
        return f"{parent.code}.D{n:02d}"
    prefix = "RW" if kind == RegionKind.RW else "RT"
    return f"{parent.code}.{prefix}{number:03d}"


def _require_change(actor: User | None, region: Region) -> None:
    if actor is not None:
        from lini.accounts import scope
        from lini.accounts.roles import Action

        scope.require(actor, Action.CHANGE, region)


@transaction.atomic
def subunit_create(
    *, actor: User | None, parent: Region, kind: str, name: str = "", number: int | None = None
) -> Region:
    """Add a dusun, RW or RT below a village (or an RW below a dusun, an RT below an RW).
    ``actor`` None is the system itself; a user must be allowed to change ``parent``."""
    _require_change(actor, parent)
    if kind not in SUBUNIT_PARENT_LEVELS:
        raise ValidationError({"kind": _("Only a dusun, RW or RT can be added.")})
    if parent.level not in SUBUNIT_PARENT_LEVELS[kind]:
        raise ValidationError(
            {
                "kind": _("A %(kind)s cannot be added under a %(parent)s.")
                % {"kind": RegionKind(kind).label, "parent": RegionLevel(parent.level).label}
            }
        )
    if kind == RegionKind.DUSUN:
        name = " ".join(name.split())
        if not name:
            raise ValidationError({"name": _("Give the dusun a name.")})
    else:
        if number is None or not 1 <= number <= 999:
            raise ValidationError({"number": _("Give a number from 1 to 999.")})
        name = f"{'RW' if kind == RegionKind.RW else 'RT'} {number:03d}"
    code = _next_subunit_code(parent=parent, kind=kind, number=number)
    village_code = ".".join(parent.code.split(".")[:4])
    if (
        kind == RegionKind.RW
        and Region.objects.filter(
            kind=RegionKind.RW, name=name, code__startswith=village_code + "."
        ).exists()
    ):  # RW numbers are unique in a village, with or without dusun
        raise ValidationError({"number": _("%(name)s already exists here.") % {"name": name}})
    if Region.objects.filter(code=code).exists():
        raise ValidationError({"number": _("%(name)s already exists here.") % {"name": name}})
    region = Region(
        code=code,
        name=name,
        search_name=search_key(name),
        level=KIND_LEVEL[kind],
        kind=kind,
        parent=parent,
    )
    region.full_clean()
    try:
        region.save()
    except IntegrityError as exc:  # a concurrent request took the same code
        raise ValidationError(
            {"number": _("%(name)s already exists here.") % {"name": name}}
        ) from exc
    return region


@transaction.atomic
def subunit_rename(*, actor: User | None, region: Region, name: str) -> Region:
    """Rename a dusun (RW and RT are named by their number)."""
    _require_change(actor, region)
    if region.kind != RegionKind.DUSUN:
        raise ValidationError({"name": _("Only a dusun can be renamed.")})
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the dusun a name.")})
    region.name, region.search_name = name, search_key(name)
    region.full_clean()
    region.save(update_fields=["name", "search_name", "updated_at"])
    return region


@transaction.atomic
def subunit_delete(*, actor: User | None, region: Region) -> None:
    """Remove a sub-village unit that has no units below it and nothing pointing at it."""
    _require_change(actor, region)
    if not region.is_subunit:
        raise ValidationError(_("Official Kemendagri regions cannot be deleted."))
    if region.children.exists():
        raise ValidationError(_("Remove the units below it first."))
    try:
        region.delete()
    except ProtectedError as exc:
        raise ValidationError(
            _("%(name)s is still in use (e.g. an account is assigned to it).")
            % {"name": region.name}
        ) from exc
