"""The per-user CSV files the forms read on the phone (through the OpenRosa manifest): the
villages, families, poktan and facilities a user may change, and the stored Kampung KB profiles.

Every list is cut by the user's scope with ``Action.CHANGE``. Identity numbers are masked
(``3604********0001``): a lost phone must not carry the register's NIKs and No. KKs. A family is
named by its masked No. KK, its head and RT/RW; the value the form sends back is the family's
key in Lini, looked up again (in the user's scope) when the submission arrives.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import OuterRef, QuerySet, Subquery

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.kampung.models import KampungKB
from lini.kb.models import Facility
from lini.odk.definitions import NO_RUMAH_DATAKU
from lini.poktan.models import Poktan, PoktanMember
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import subtree_q
from lini.register.choices import Relation
from lini.register.identity import mask
from lini.register.models import Family, Member

if TYPE_CHECKING:
    from lini.accounts.models import User

# A family list longer than this is not sent to phones (a few MB of CSV at most); users whose
# scope holds more families (regency officers) update families on the pages or by import.
FAMILY_LIST_MAX = 50_000

Rows = list[dict[str, str]]


@dataclass(frozen=True)
class MediaFile:
    filename: str
    content: bytes
    rows: int
    personal: bool  # names of people (audited as an export when downloaded)

    @property
    def md5(self) -> str:
        return hashlib.md5(self.content, usedforsecurity=False).hexdigest()


def _csv(columns: tuple[str, ...], rows: Iterable[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def changeable_villages(user: User) -> QuerySet[Region]:
    villages = Region.objects.filter(level=RegionLevel.VILLAGE)
    return scope.restrict(villages, user, Action.CHANGE)


def village_rows(user: User) -> Rows:
    rows = (
        changeable_villages(user)
        .order_by("code")
        .values_list("code", "name", "kind", "parent__name", "parent__kind")
    )
    found = []
    for code, name, kind, district, district_kind in rows:
        shown = Region(name=name, kind=kind).display_name
        above = Region(name=district, kind=district_kind).display_name
        found.append({"name": code, "label": f"{shown} ({above})"})
    return found


def _families(user: User) -> QuerySet[Family]:
    families = scope.restrict(Family.objects.all(), user, Action.CHANGE, field="village__code")
    heads = Member.objects.filter(family=OuterRef("pk"), relation=Relation.HEAD).order_by(
        "position"
    )
    return families.annotate(head_name=Subquery(heads.values("name")[:1]))


def family_label(kk_number: str, head_name: str | None, rt: str, rw: str) -> str:
    label = f"{mask(kk_number)} · {head_name or '—'}"
    if rt or rw:
        label += f" (RT {rt or '-'}/RW {rw or '-'})"
    return label


def family_rows(user: User, *, village_code: str | None = None) -> Rows:
    families = _families(user)
    if village_code is not None:
        families = families.filter(village__code=village_code)
    elif families.count() > FAMILY_LIST_MAX:
        return []
    rows = families.order_by("village__code", "rw", "rt", "kk_number").values_list(
        "pk", "kk_number", "village__code", "rt", "rw", "head_name"
    )
    return [
        {"name": str(pk), "label": family_label(kk, head, rt, rw), "desa": code}
        for pk, kk, code, rt, rw, head in rows.iterator(chunk_size=5000)
    ]


def _poktan(user: User) -> QuerySet[Poktan]:
    return scope.restrict(Poktan.objects.all(), user, Action.CHANGE, field="village__code")


def poktan_rows(user: User, *, village_code: str | None = None) -> Rows:
    groups = _poktan(user).select_related("village")
    if village_code is not None:
        groups = groups.filter(village__code=village_code)
    return [
        {"name": str(p.pk), "label": str(p), "desa": p.village.code}
        for p in groups.order_by("village__code", "kind", "name")
    ]


def poktan_member_rows(user: User, *, poktan_id: int | None = None) -> Rows:
    members = PoktanMember.objects.filter(left_on=None, poktan__in=_poktan(user).values("pk"))
    if poktan_id is not None:
        members = members.filter(poktan_id=poktan_id)
    heads = Member.objects.filter(family=OuterRef("family_id"), relation=Relation.HEAD).order_by(
        "position"
    )
    rows = (
        members.annotate(head_name=Subquery(heads.values("name")[:1]))
        .order_by("poktan_id", "family__kk_number")
        .values_list(
            "family_id", "family__kk_number", "family__rt", "family__rw", "head_name", "poktan_id"
        )
    )
    return [
        {"name": str(family_id), "label": family_label(kk, head, rt, rw), "poktan": str(poktan_id)}
        for family_id, kk, rt, rw, head, poktan_id in rows
    ]


def facility_rows(user: User) -> Rows:
    """Active facilities of the provinces the user works in (services cross regency borders)."""
    facilities = Facility.objects.filter(active=True)
    if not scope.role_allows(user, Action.CHANGE):
        return []
    own = scope.user_scope(user)
    if not own.national:
        provinces = sorted({code.split(".")[0] for code in own.codes})
        if not provinces:
            return []
        facilities = facilities.filter(subtree_q(provinces, field="region__code"))
    return [
        {"name": code, "label": f"{name} ({code})"}
        for code, name in facilities.order_by("name", "code").values_list("code", "name")
    ]


KAMPUNG_COLUMNS = (
    "desa", "nama", "tanggal_pencanangan", "kriteria", "pokja_ada", "pokja_sk",
    "pokja_tanggal_sk", "pokja_anggota", "pokja_terlatih", "regulasi", "rkm", "mitra_sektor",
    "sumber_dana", "kegiatan_operasional", "penggunaan_data", "sekretariat", "rumah_dataku",
    "rumah_dataku_sejak", "rumah_dataku_data", "rumah_dataku_diperbarui",
)  # fmt: skip


def kampung_rows(user: User) -> Rows:
    """The stored profiles, as the answers of the profile form (pulldata fills them in)."""
    profiles = scope.restrict(
        KampungKB.objects.select_related("village"), user, Action.CHANGE, field="village__code"
    )

    def day(value: object) -> str:
        return value.isoformat() if value is not None else ""  # type: ignore[attr-defined]

    def flag(value: bool) -> str:
        return "ya" if value else "tidak"

    return [
        {
            "desa": k.village.code,
            "nama": k.name,
            "tanggal_pencanangan": day(k.launched_on),
            "kriteria": " ".join(k.criteria),
            "pokja_ada": flag(k.pokja_exists),
            "pokja_sk": k.pokja_decree,
            "pokja_tanggal_sk": day(k.pokja_decree_on),
            "pokja_anggota": str(k.pokja_members),
            "pokja_terlatih": str(k.pokja_trained),
            "regulasi": flag(k.regulation),
            "rkm": flag(k.work_plan),
            "mitra_sektor": "; ".join(k.partners),
            "sumber_dana": " ".join(k.funding_sources),
            "kegiatan_operasional": " ".join(k.operations),
            "penggunaan_data": " ".join(k.data_uses),
            "sekretariat": flag(k.secretariat),
            "rumah_dataku": k.rumah_dataku or NO_RUMAH_DATAKU,
            "rumah_dataku_sejak": day(k.rumah_dataku_since),
            "rumah_dataku_data": " ".join(k.rumah_dataku_data),
            "rumah_dataku_diperbarui": day(k.rumah_dataku_updated_on),
        }
        for k in profiles.order_by("village__code")
    ]


# filename -> (columns, rows of the user, holds names of people)
_FILES: dict[str, tuple[tuple[str, ...], Callable[[User], Rows], bool]] = {
    "villages.csv": (("name", "label"), village_rows, False),
    "families.csv": (("name", "label", "desa"), family_rows, True),
    "poktan.csv": (("name", "label", "desa"), poktan_rows, False),
    "poktan_members.csv": (("name", "label", "poktan"), poktan_member_rows, True),
    "facilities.csv": (("name", "label"), facility_rows, False),
    "kampung.csv": (KAMPUNG_COLUMNS, kampung_rows, False),
}
MEDIA_FILES = frozenset(_FILES)


def media_file(user: User, filename: str) -> MediaFile:
    """The content of ``filename`` for ``user`` (KeyError for a file Lini does not make)."""
    columns, rows_of, personal = _FILES[filename]
    rows = rows_of(user)
    return MediaFile(
        filename=filename, content=_csv(columns, rows), rows=len(rows), personal=personal
    )
