"""The data kind of this app: Kampung KB profiles, one row per village (import and export)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.exchange.records import (
    CREATED,
    UNCHANGED,
    UPDATED,
    RecordKind,
    RowReader,
    RowRefusedError,
)
from lini.exchange.records import allowed_values as allowed
from lini.exchange.registry import Column, register_kind
from lini.kampung import services
from lini.kampung.choices import Criterion, DataUse, FundingSource, Operation, RumahDataKuStatus
from lini.kampung.models import KampungKB
from lini.regions.models import RegionLevel
from lini.regions.selectors import subtree_q

if TYPE_CHECKING:
    from lini.accounts.models import User
    from lini.regions.models import Region

YES_NO = "ya; tidak"

COLUMNS = (
    Column("kode_desa", _("Kemendagri code of the village (e.g. 36.04.09.2013)"), required=True),
    Column("nama", _("name of the Kampung KB (empty: “Kampung KB” and the village's name)")),
    Column("tanggal_pencanangan", _("launch date, dd/mm/yyyy")),
    Column(
        "kriteria", _("criteria met, codes separated by commas"), allowed=allowed(Criterion)
    ),
    Column("pokja_ada", _("a working group (pokja) exists"), allowed=YES_NO),
    Column("pokja_sk", _("number of the pokja's decree (SK)")),
    Column("pokja_tanggal_sk", _("date of the pokja's decree, dd/mm/yyyy")),
    Column("pokja_anggota", _("number of pokja members")),
    Column("pokja_terlatih", _("number of pokja members trained (at most the members)")),
    Column("regulasi", _("a village regulation supports the Kampung KB"), allowed=YES_NO),
    Column("rkm", _("a community work plan (RKM) exists"), allowed=YES_NO),
    Column("mitra_sektor", _("sector partners (institutions), separated by semicolons")),
    Column(
        "sumber_dana", _("funding sources, codes separated by commas"),
        allowed=allowed(FundingSource),
    ),
    Column(
        "kegiatan_operasional", _("operational activities, codes separated by commas"),
        allowed=allowed(Operation),
    ),
    Column(
        "penggunaan_data", _("uses of data, codes separated by commas"), allowed=allowed(DataUse)
    ),
    Column("sekretariat", _("a secretariat exists"), allowed=YES_NO),
    Column(
        "rumah_dataku", _("Rumah DataKu status (empty: none)"),
        allowed=allowed(RumahDataKuStatus),
    ),
    Column("rumah_dataku_sejak", _("Rumah DataKu since, dd/mm/yyyy")),
    Column(
        "rumah_dataku_data", _("data the Rumah DataKu keeps up to date, codes separated by commas"),
        allowed=allowed(DataUse),
    ),
    Column("rumah_dataku_diperbarui", _("date the Rumah DataKu data was last updated")),
)  # fmt: skip

FIELD_COLUMNS = {
    "village": "kode_desa",
    "name": "nama",
    "launched_on": "tanggal_pencanangan",
    "criteria": "kriteria",
    "pokja_exists": "pokja_ada",
    "pokja_decree": "pokja_sk",
    "pokja_decree_on": "pokja_tanggal_sk",
    "pokja_members": "pokja_anggota",
    "pokja_trained": "pokja_terlatih",
    "regulation": "regulasi",
    "work_plan": "rkm",
    "partners": "mitra_sektor",
    "funding_sources": "sumber_dana",
    "operations": "kegiatan_operasional",
    "data_uses": "penggunaan_data",
    "secretariat": "sekretariat",
    "rumah_dataku": "rumah_dataku",
    "rumah_dataku_since": "rumah_dataku_sejak",
    "rumah_dataku_data": "rumah_dataku_data",
    "rumah_dataku_updated_on": "rumah_dataku_diperbarui",
}


def _flag(value: bool) -> str:
    return "ya" if value else "tidak"


@register_kind
class KampungKind(RecordKind):
    slug = "kampung"
    title = _("Kampung KB profiles")
    entity = "kampung"
    columns = COLUMNS
    key_columns = ("kode_desa",)
    field_columns = FIELD_COLUMNS
    personal = False

    def row_save(self, cells: RowReader, user: User | None) -> str:
        village = cells.region("kode_desa", levels=(RegionLevel.VILLAGE,))
        values = services.KampungValues(
            name=cells.text("nama", max_length=120),
            launched_on=cells.date("tanggal_pencanangan"),
            criteria=cells.choices("kriteria", Criterion),
            pokja_exists=cells.flag("pokja_ada"),
            pokja_decree=cells.text("pokja_sk", max_length=80),
            pokja_decree_on=cells.date("pokja_tanggal_sk"),
            pokja_members=cells.number("pokja_anggota"),
            pokja_trained=cells.number("pokja_terlatih"),
            regulation=cells.flag("regulasi"),
            work_plan=cells.flag("rkm"),
            partners=cells.names("mitra_sektor", max_length=services.MAX_PARTNER_LENGTH),
            funding_sources=cells.choices("sumber_dana", FundingSource),
            operations=cells.choices("kegiatan_operasional", Operation),
            data_uses=cells.choices("penggunaan_data", DataUse),
            secretariat=cells.flag("sekretariat"),
            rumah_dataku=cells.choice("rumah_dataku", RumahDataKuStatus),
            rumah_dataku_since=cells.date("rumah_dataku_sejak"),
            rumah_dataku_data=cells.choices("rumah_dataku_data", DataUse),
            rumah_dataku_updated_on=cells.date("rumah_dataku_diperbarui"),
        )
        cells.check()
        if village is None:  # cannot happen: a missing village is a problem check() raised
            raise RowRefusedError([("kode_desa", "", str(_("required; the cell is empty")))])
        if user is not None:
            scope.require(user, Action.CHANGE, village)
        existing = KampungKB.objects.select_related("village").filter(village=village).first()
        if services.kampung_unchanged(existing, values):
            return UNCHANGED
        services.kampung_save(actor=user, village=village, values=values)
        return CREATED if existing is None else UPDATED

    def export_rows(self, *, user: User | None, region: Region) -> Iterator[Sequence[Any]]:
        profiles = KampungKB.objects.select_related("village").filter(
            subtree_q([region.code], field="village__code")
        )
        if user is not None:
            profiles = scope.restrict(profiles, user, Action.VIEW, field="village__code")
        for k in profiles.order_by("village__code").iterator(chunk_size=1000):
            yield (
                k.village.code, k.name, k.launched_on, ", ".join(k.criteria),
                _flag(k.pokja_exists), k.pokja_decree, k.pokja_decree_on, k.pokja_members,
                k.pokja_trained, _flag(k.regulation), _flag(k.work_plan), "; ".join(k.partners),
                ", ".join(k.funding_sources), ", ".join(k.operations), ", ".join(k.data_uses),
                _flag(k.secretariat), k.rumah_dataku, k.rumah_dataku_since,
                ", ".join(k.rumah_dataku_data), k.rumah_dataku_updated_on,
            )  # fmt: skip
