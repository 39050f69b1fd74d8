"""The monthly inputs as a data kind (``monthly-inputs``): one row per village and month, the
F/I/Dal counts in Indonesian column names. Imported rows go through ``monthly_save`` (drafts, or
corrections of inputs not yet approved); a row that would change an approved (locked) month is
refused with that reason, and a row equal to what is stored changes nothing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.exchange.cells import is_blank
from lini.exchange.records import (
    CREATED,
    UNCHANGED,
    UPDATED,
    RecordKind,
    RowReader,
    RowRefusedError,
)
from lini.exchange.registry import Column, register_kind
from lini.monthly import services
from lini.monthly.models import INSTITUTIONS, MonthlyInput
from lini.regions.models import RegionLevel
from lini.regions.selectors import subtree_q

if TYPE_CHECKING:
    from lini.accounts.models import User
    from lini.regions.models import Region

# Column name -> model field, in the template's order (after kode_desa and bulan).
COUNT_COLUMNS: tuple[tuple[str, str], ...] = (
    *(
        pair
        for key, _label in INSTITUTIONS
        for pair in ((f"{key}_ada", f"{key}_exist"), (f"{key}_lapor", f"{key}_reported"))
    ),
    ("rakor_desa", "coordination_meetings"),
    ("penyuluhan", "counselling_sessions"),
    ("kie", "kie_sessions"),
    ("toma_toga_aktif", "kie_leaders_active"),
)
_LABELS = dict(INSTITUTIONS)


def _count_description(column: str) -> Any:
    key, _sep, side = column.rpartition("_")
    if column in ("rakor_desa", "penyuluhan", "kie", "toma_toga_aktif"):
        return {
            "rakor_desa": gettext_lazy("Village KB coordination meetings held this month."),
            "penyuluhan": gettext_lazy("Counselling sessions held by the PKB/PLKB this month."),
            "kie": gettext_lazy("KIE sessions held with the KIE kit this month."),
            "toma_toga_aktif": gettext_lazy(
                "Community and religious leaders (toma/toga) active in KIE this month."
            ),
        }[column]
    if side == "ada":
        return format_lazy(
            gettext_lazy("Number of {name} that exist in the village."), name=_LABELS[key]
        )
    return format_lazy(
        gettext_lazy("Number of {name} that reported this month (not more than {column})."),
        name=_LABELS[key],
        column=f"{key}_ada",
    )


COLUMNS = (
    Column(
        "kode_desa",
        gettext_lazy("Kemendagri village code, with or without dots (36.04.09.2013)."),
        True,
    ),
    Column("bulan", gettext_lazy("The month reported, yyyy-mm (2019-11)."), True, "yyyy-mm"),
    *(
        Column(column, _count_description(column), False, gettext_lazy("a whole number, 0 or more"))
        for column, _field in COUNT_COLUMNS
    ),
    Column("catatan", gettext_lazy("Notes (optional).")),
)


@register_kind
class MonthlyInputKind(RecordKind):
    slug = "monthly-inputs"
    title = gettext_lazy("Monthly field-control inputs (F/I/Dal)")
    entity = "monthly_input"
    columns = COLUMNS
    key_columns = ("kode_desa", "bulan")
    field_columns = {
        **{name: column for column, name in COUNT_COLUMNS},
        "notes": "catatan",
        "month": "bulan",
        "village": "kode_desa",
    }
    personal = False

    def row_save(self, cells: RowReader, user: User | None) -> str:
        village = cells.region("kode_desa", levels=(RegionLevel.VILLAGE,))
        month = cells.month("bulan", required=True)
        values: dict[str, Any] = {name: cells.number(column) for column, name in COUNT_COLUMNS}
        notes = cells.raw("catatan")
        values["notes"] = "" if is_blank(notes) else str(notes).strip()
        cells.check()
        if village is None or month is None:  # reported by check(); for the type checker
            raise RowRefusedError([("kode_desa", "", _("required; the cell is empty"))])
        if user is not None:
            scope.require(user, Action.CHANGE, village)
        services.check_month(month)
        stored = MonthlyInput.objects.filter(village=village, month=month).first()
        if stored is not None:
            cleaned = services.clean_values(values)
            if services.monthly_values(stored) == cleaned:
                return UNCHANGED
            if stored.locked:
                raise RowRefusedError([("bulan", month.strftime("%Y-%m"),
                                        services.locked_message(stored))])  # fmt: skip
        try:
            services.monthly_save(
                actor=user,
                village=village,
                month=month,
                values=values,
                version=stored.version if stored is not None else None,
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "conflict":
                raise ValidationError(
                    _("changed by someone else during the import; import the row again")
                ) from None
            raise
        return CREATED if stored is None else UPDATED

    def export_rows(self, *, user: User | None, region: Region) -> Iterator[Sequence[Any]]:
        inputs = MonthlyInput.objects.filter(subtree_q([region.code], field="village__code"))
        if user is not None:
            inputs = scope.restrict(inputs, user, Action.VIEW, field="village__code")
        fields = [name for _column, name in COUNT_COLUMNS]
        rows = inputs.order_by("village__code", "month").values_list(
            "village__code", "month", *fields, "notes"
        )
        for code, month, *rest in rows.iterator(chunk_size=2000):
            yield [code, month.strftime("%Y-%m"), *rest]
