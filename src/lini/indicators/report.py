"""The monthly field-control report (laporan bulanan pengendalian lapangan, DOMAIN.md §4.11 and
§5) of a village, district, regency or province for a month, as a plain structure that the page
and the writers (:mod:`lini.indicators.report_writers`) share.

Every figure is read from the counts (:class:`~lini.indicators.models.VillageMonthCount` summed
over the region's villages, two queries: this month and the month before), never from the
register. States are at the month's end, flows are what happened in the month (see
:mod:`lini.indicators.counts`). Percentages are rounded half up to 2 decimals; a percentage over
nothing (a zero denominator) is None.

Sections:

I.   PUS and active users (PA) by method, CPR, modern CPR, MKJP share; new acceptors (PB) by
     method, dropouts and switches in the month (last month and this month).
II.  PUS not using by reason (hamil, IAS, IAT, TIAL, other), unmet need, PUS with no status.
III. Institutions that exist and that reported (``inst_*`` of the sent monthly inputs) with their
     reporting share, and the villages' monthly inputs sent against those due.
IV.  Poktan activity by kind: groups, active groups, member families, meetings in the month and
     participation (member families / the families the kind serves).
V.   KB services by visit type and by method (last month and this month).
VI.  Follow-through of due visits: the repeat visits and check-ups that fell due in the month,
     those done on time, overdue (and of those, followed by a dropout) and followed up at home
     (last month and this month; the ``due_*`` counts, defined in :mod:`lini.indicators.counts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lini.core.privacy import Hidden
from lini.indicators.achievement import CENT, HUNDRED
from lini.indicators.catalog import DUE_KEYS, METHODS, PARTICIPATION, POKTAN_KINDS, REASONS
from lini.indicators.counts import month_add
from lini.indicators.selectors import Period, period_parse, region_counts
from lini.kb.choices import VisitType
from lini.monthly.models import INSTITUTIONS
from lini.regions.models import Region, RegionLevel

Number = int | Decimal | None
Shown = Number | Hidden  # a figure, or the mark of one hidden (lini.indicators.suppression)


@dataclass(frozen=True)
class Column:
    """``people``: its figures count families or couples (others: groups, meetings,
    institutions); ``bases``: the keys of the columns a percentage column is computed from."""

    key: str  # stable, for the CSV: "previous", "current", "exist" ...
    label: str
    percent: bool = False
    people: bool = True
    bases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cell:
    value: Shown
    percent: bool
    label: str = ""  # the column's

    @property
    def hidden(self) -> bool:
        """Hidden to protect families' privacy (shown as its mark, ``<5`` or ``x``)."""
        return isinstance(self.value, Hidden)


@dataclass(frozen=True)
class Line:
    """One row of a section: ``key`` is stable (a count key or an indicator code), ``values``
    one per column of the section; ``level`` 1 is a part of the total above it. A percentage
    line names the count keys it is computed from in ``bases`` (numerator, denominator). In a
    section whose columns are items (IV), ``keys`` names the count key of each value ("" for
    none or a percentage, whose column names its ``bases``)."""

    key: str
    label: str
    values: tuple[Shown, ...]
    percent: bool = False
    level: int = 0
    bases: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()  # the count key of each value, when the columns are not months


@dataclass(frozen=True)
class Section:
    code: str  # "I" .. "V"
    title: str
    columns: tuple[Column, ...]
    lines: tuple[Line, ...]
    note: str = ""

    def table(self) -> list[tuple[Line, list[Cell]]]:
        """Each line with its cells (a cell is a percentage if its line or column is one)."""
        return [
            (
                line,
                [
                    Cell(value, line.percent or column.percent, column.label)
                    for value, column in zip(line.values, self.columns, strict=True)
                ],
            )
            for line in self.lines
        ]


@dataclass(frozen=True)
class MonthlyReport:
    title: str
    region: Region
    period: Period
    previous: Period
    sections: tuple[Section, ...] = field(default=())

    @property
    def region_label(self) -> str:
        return f"{self.region.display_name} ({self.region.code})"

    @property
    def month_label(self) -> str:
        return month_name(self.period.first)


def month_name(month: dt.date) -> str:
    """``Oktober 2019`` in the active language."""
    return formats.date_format(month, "F Y")


def pct(numerator: int, denominator: int) -> Decimal | None:
    """``numerator / denominator x 100`` rounded half up to 2 decimals; None over nothing."""
    if not denominator:
        return None
    return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(
        CENT, rounding=ROUND_HALF_UP
    )


def report_period(text: str) -> Period:
    """The month of a report from ``YYYY-MM``; ValueError with a message otherwise."""
    period = period_parse(text)
    if period.is_year:
        raise ValueError(
            _("The monthly report is for one month: write it as YYYY-MM, not %(value)s")
            % {"value": period.text}
        )
    return period


def report_region_check(region: Region) -> None:
    """A report covers a village or a larger region; ValueError for a dusun, RW or RT."""
    if region.level > RegionLevel.VILLAGE:
        raise ValueError(
            _("%(code)s is a %(level)s; the report is for a village or a larger region")
            % {"code": region.code, "level": region.get_level_display()}
        )


# The keys every section reads.
def _keys() -> set[str]:
    methods = [m for m, *_r in METHODS]
    kinds = [k for k, _l in POKTAN_KINDS]
    return {
        "pus", "pa", "pa_modern", "pa_mkjp", "pb", "dropout", "switch", "unmet", "pus_unknown",
        "monthly_expected", "monthly_sent", "monthly_approved", "families", "poktan_families",
        "svc", "svc_postpartum",
        *(f"{p}_{m}" for m in methods for p in ("pa", "pb", "svc_m")),
        *(f"nonuser_{r}" for r, *_r in REASONS),
        *(f"svc_{v}" for v in VisitType.values),
        *(f"{p}_{k}" for k in kinds
          for p in ("poktan", "poktan_active", "poktan_members", "meetings")),
        *(family for _k, family, *_r in PARTICIPATION),
        *(f"inst_{i}_{s}" for i, _l in INSTITUTIONS for s in ("exist", "reported")),
        *DUE_KEYS,
    }  # fmt: skip


def _indonesian() -> bool:
    return (get_language() or "").startswith("id")


def _method_names() -> list[tuple[str, str]]:
    indonesian = _indonesian()
    return [(code, name_id if indonesian else name_en) for code, _s, name_id, name_en in METHODS]


def _reason_names() -> list[tuple[str, str]]:
    indonesian = _indonesian()
    return [(code, name_id if indonesian else name_en) for code, name_id, name_en in REASONS]


class _Figures:
    """The counts of this month and of the month before, read by key (0 when not stored)."""

    def __init__(self, now: dict[str, int], before: dict[str, int]) -> None:
        self.now, self.before = now, before

    def both(self, key: str) -> tuple[int, int]:
        return self.before.get(key, 0), self.now.get(key, 0)

    def sum_both(self, keys: Iterable[str]) -> tuple[int, int]:
        keys = list(keys)
        return (
            sum(self.before.get(k, 0) for k in keys),
            sum(self.now.get(k, 0) for k in keys),
        )

    def pct_both(self, numerator: str, denominator: str) -> tuple[Number, Number]:
        return (
            pct(self.before.get(numerator, 0), self.before.get(denominator, 0)),
            pct(self.now.get(numerator, 0), self.now.get(denominator, 0)),
        )


def _users(f: _Figures, columns: tuple[Column, ...]) -> Section:
    methods = _method_names()
    lines = [
        Line("pus", _("Couples of reproductive age (PUS)"), f.both("pus")),
        Line("pa", _("Active contraceptive users (PA)"), f.both("pa")),
        *(Line(f"pa_{code}", name, f.both(f"pa_{code}"), level=1) for code, name in methods),
        Line("cpr", _("CPR (PA / PUS)"), f.pct_both("pa", "pus"), percent=True,
             bases=("pa", "pus")),
        Line("mcpr", _("Modern CPR (modern PA / PUS)"), f.pct_both("pa_modern", "pus"),
             percent=True, bases=("pa_modern", "pus")),
        Line("mkjp_share", _("MKJP share (long-acting PA / PA)"), f.pct_both("pa_mkjp", "pa"),
             percent=True, bases=("pa_mkjp", "pa")),
        Line("pb", _("New acceptors (PB) in the month"), f.both("pb")),
        *(Line(f"pb_{code}", name, f.both(f"pb_{code}"), level=1) for code, name in methods),
        Line("dropout", _("Dropouts in the month"), f.both("dropout")),
        Line("switch", _("Switches of method in the month"), f.both("switch")),
    ]  # fmt: skip
    return Section("I", _("PUS and active contraceptive users (PA)"), columns, tuple(lines))


def _non_users(f: _Figures, columns: tuple[Column, ...]) -> Section:
    reasons = _reason_names()
    lines = [
        Line("nonuser", _("PUS not using contraception"),
             f.sum_both(f"nonuser_{code}" for code, _n in reasons)),
        *(Line(f"nonuser_{code}", name, f.both(f"nonuser_{code}"), level=1)
          for code, name in reasons),
        Line("unmet", _("Unmet need (IAT + TIAL)"), f.both("unmet")),
        Line("unmet_need", _("Unmet need (% of PUS)"), f.pct_both("unmet", "pus"), percent=True,
             bases=("unmet", "pus")),
        Line("pus_unknown", _("PUS with no KB status recorded"), f.both("pus_unknown")),
    ]  # fmt: skip
    return Section("II", _("PUS not using contraception, by reason"), columns, tuple(lines))


def _institutions(f: _Figures) -> Section:
    now = f.now
    columns = (
        Column("exist", _("Exist"), people=False),
        Column("reported", _("Reported"), people=False),
        Column("reported_pct", _("Reported (%)"), percent=True, people=False),
    )
    lines = []
    total_exist = total_reported = 0
    for key, label in INSTITUTIONS:
        exist, reported = now.get(f"inst_{key}_exist", 0), now.get(f"inst_{key}_reported", 0)
        total_exist, total_reported = total_exist + exist, total_reported + reported
        lines.append(Line(key, label, (exist, reported, pct(reported, exist)), level=1))
    lines.insert(
        0,
        Line("institutions", _("Institutions (Caklap)"),
             (total_exist, total_reported, pct(total_reported, total_exist))),
    )  # fmt: skip
    due, sent = now.get("monthly_expected", 0), now.get("monthly_sent", 0)
    lines.append(
        Line("monthly_inputs", _("Village monthly inputs: due, sent"), (due, sent, pct(sent, due)))
    )
    return Section(
        "III",
        _("Institutions that exist and that reported"),
        columns,
        tuple(lines),
        note=_(
            "From the villages' monthly inputs submitted or approved for the month; "
            "%(approved)s of %(due)s approved."
        )
        % {"approved": now.get("monthly_approved", 0), "due": due},
    )


def _poktan(f: _Figures) -> Section:
    now = f.now
    columns = (
        Column("groups", _("Groups"), people=False),
        Column("active", _("Active groups"), people=False),
        Column("members", _("Member families")),
        Column("meetings", _("Meetings in the month"), people=False),
        Column("families_served", _("Families served")),
        Column("participation", _("Participation (%)"), percent=True,
               bases=("members", "families_served")),
    )  # fmt: skip
    served = {kind: family for kind, family, *_r in PARTICIPATION}
    lines = []
    for kind, label in POKTAN_KINDS:
        members = now.get(f"poktan_members_{kind}", 0)
        families = now.get(served[kind], 0) if kind in served else None
        lines.append(
            Line(
                kind,
                label,
                (
                    now.get(f"poktan_{kind}", 0),
                    now.get(f"poktan_active_{kind}", 0),
                    members,
                    now.get(f"meetings_{kind}", 0),
                    families,
                    pct(members, families) if families is not None else None,
                ),
                keys=(
                    f"poktan_{kind}", f"poktan_active_{kind}", f"poktan_members_{kind}",
                    f"meetings_{kind}", served.get(kind, ""), "",
                ),
            )
        )  # fmt: skip
    members, families = now.get("poktan_families", 0), now.get("families", 0)
    lines.append(
        Line(
            "poktan_families",
            _("Any poktan (each family once)"),
            (None, None, members, None, families, pct(members, families)),
            keys=("", "", "poktan_families", "", "families", ""),
        )
    )
    return Section(
        "IV",
        _("Poktan activity"),
        columns,
        tuple(lines),
        note=_("Families served: BKB families with children under 5, BKR families with members "
               "aged 10-24, BKL families with members aged 60+, UPPKA all families."),
    )  # fmt: skip


def _services(f: _Figures, columns: tuple[Column, ...]) -> Section:
    methods = _method_names()
    lines = [
        Line("svc", _("KB services"), f.both("svc")),
        *(Line(f"svc_{visit.value}", str(visit.label), f.both(f"svc_{visit.value}"), level=1)
          for visit in VisitType),
        Line("svc_m", _("Services with a method (removals excluded)"),
             f.sum_both(f"svc_m_{code}" for code, _n in methods)),
        *(Line(f"svc_m_{code}", name, f.both(f"svc_m_{code}"), level=1)
          for code, name in methods),
        Line("svc_postpartum", _("Post-partum services"), f.both("svc_postpartum")),
    ]  # fmt: skip
    return Section("V", _("KB services by visit type and method"), columns, tuple(lines))


def _followthrough(f: _Figures, columns: tuple[Column, ...]) -> Section:
    lines = [
        Line("due_visits", _("Due visits (repeat visits and check-ups due in the month)"),
             f.both("due_visits")),
        Line("due_on_time", _("Done on time (served again within the grace period)"),
             f.both("due_on_time"), level=1),
        Line("due_overdue", _("Overdue (grace period ended, not served again)"),
             f.both("due_overdue"), level=1),
        Line("due_dropout", _("of which the couple was recorded as not using (dropouts)"),
             f.both("due_dropout"), level=2),
        Line("due_visited", _("Followed up by a home visit"), f.both("due_visited"), level=1),
    ]  # fmt: skip
    return Section(
        "VI",
        _("Follow-through of due visits"),
        columns,
        tuple(lines),
        note=_(
            "Resupplies and check-ups after an insertion, by the due-list rules, counted in the "
            "month they fell due. The rest of the month's due visits are pending: their grace "
            "period has not ended."
        ),
    )


def monthly_report(*, region: Region, period: Period | str) -> MonthlyReport:
    """The report of ``region`` for the month ``period``. The caller has checked the user's
    right to view the region. ValueError for a year or a region below the village."""
    if isinstance(period, str):
        period = report_period(period)
    elif period.is_year:
        period = report_period(period.text)
    report_region_check(region)
    previous = period_parse(month_add(period.first, -1).strftime("%Y-%m"))
    keys = _keys()
    figures = _Figures(
        now=region_counts(region=region, period=period, keys=keys),
        before=region_counts(region=region, period=previous, keys=keys),
    )
    months = (
        Column("previous", month_name(previous.first)),
        Column("current", month_name(period.first)),
    )
    return MonthlyReport(
        title=_("Monthly field-control report"),
        region=region,
        period=period,
        previous=previous,
        sections=(
            _users(figures, months),
            _non_users(figures, months),
            _institutions(figures),
            _poktan(figures),
            _services(figures, months),
            _followthrough(figures, months),
        ),
    )
