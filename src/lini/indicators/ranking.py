"""Where is it behind: the regions of a level under a region, ranked by a composite gap to target.

Everything is read from the counts (:class:`~lini.indicators.models.VillageMonthCount`) for the
period of the year (``YYYY``: states at December, or at the current month while December is still
ahead; flows summed over the year, see :func:`lini.indicators.selectors.period_parse`), in a
fixed number of queries whatever the number of regions.

Composite gap (the score; higher = further behind)
==================================================

``score = Σ weight(indicator) x gap(indicator) + Σ penalty(gap) x share(gap)``

- **Indicator gaps.** For every indicator of :data:`WEIGHTS` that has a target for the region and
  year (default: ``mcpr``, ``cpr``, ``unmet_need``, ``mkjp_share``), the shortfall against the
  target in points of the indicator: ``max(0, target - value)`` when higher is better,
  ``max(0, value - target)`` when lower is better. The value is taken as published (rounded
  half up to 2 decimals, as in the indicator table). An indicator with no value (a zero
  denominator) or no target adds nothing.
- **Target fallback.** Targets are per indicator, region and year. A region with no target of
  its own for an indicator and year uses the target of its nearest ancestor for that indicator
  and year (a village without one takes its district's, then its regency's, then its
  province's); the gap records whose target it was (``target_region``).
- **Program gaps** (fixed penalties, from the villages' counts). Each village has the gap or
  not; a larger region scores the penalty times the share of its villages that have it (so its
  program part is the mean of its villages'):

  ==================  =========================================================================
  ``no_bkb``          no active BKB group (``poktan_active_bkb``) while families with a child
                      under 5 live there (``families_under5``)
  ``no_bkr``          no active BKR while families with members aged 10-24 live there
  ``no_bkl``          no active BKL while families with members aged 60+ live there
  ``no_rdk``          a Kampung KB (``kampung``) without an active Rumah DataKu (``kampung_rdk``)
  ``no_counsellor``   no active counsellor looks after the village (``counsellor_assigned``)
  ``monthly_unsent``  the share of the year's due months (``monthly_expected``) whose monthly
                      field-control input was not sent (``monthly_sent``)
  ==================  =========================================================================

Weights and penalties are the module-level dict :data:`WEIGHTS` (indicator codes and penalty
names -> number, 0 switches one off). The setting ``LINI_RANK_WEIGHTS`` (a JSON object read from
the environment variable of that name) overrides single entries and may add any indicator code of
the catalog, e.g. ``LINI_RANK_WEIGHTS='{"mcpr": 2, "dropout_rate": 0.5, "no_counsellor": 0}'``.
Catalog codes that do not exist are ignored.

People gaps (how many couples, this year)
==========================================

For ``mcpr``, ``cpr`` (higher is better) and ``unmet_need`` (lower is better) with a target,
from the indicator's own numerator and denominator (PUS):

- modern users needed = ``max(0, ceil(target_mcpr / 100 x PUS) - pa_modern)``
- users needed        = ``max(0, ceil(target_cpr / 100 x PUS) - pa)``
- couples with unmet need to remove = ``max(0, unmet - floor(target_unmet / 100 x PUS))``

(``100`` is the indicator's factor.) Regions are sorted by score, the largest first, then by
code; the reasons of each region are sorted by their contribution to its score.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lini.core.privacy import Hidden
from lini.indicators.achievement import shown
from lini.indicators.models import Direction, Indicator, Target
from lini.indicators.selectors import (
    Period,
    Value,
    keys_of,
    period_parse,
    region_totals,
    regions_at_level,
    value_of,
)
from lini.regions.codes import ancestor_codes
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import village_counts

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User

# Program gaps: name -> (count key that must be present, count key that shows the need for it).
PROGRAM_GAPS: dict[str, tuple[str, str]] = {
    "no_bkb": ("poktan_active_bkb", "families_under5"),
    "no_bkr": ("poktan_active_bkr", "families_10_24"),
    "no_bkl": ("poktan_active_bkl", "families_60plus"),
    "no_rdk": ("kampung_rdk", "kampung"),
    "no_counsellor": ("counsellor_assigned", ""),
    "monthly_unsent": ("monthly_sent", "monthly_expected"),
}

# Indicator codes and program-gap names -> weight (see the module's docstring).
WEIGHTS: dict[str, float] = {
    "mcpr": 1.0,
    "cpr": 0.5,
    "unmet_need": 1.0,
    "mkjp_share": 0.5,
    "no_bkb": 2.0,
    "no_bkr": 2.0,
    "no_bkl": 2.0,
    "no_rdk": 2.0,
    "no_counsellor": 5.0,
    "monthly_unsent": 5.0,
}

# People gaps: indicator code -> the name of the figure.
PEOPLE = {"mcpr": "modern_users", "cpr": "users", "unmet_need": "unmet_fewer"}

CENT = Decimal("0.01")


def weights() -> dict[str, Decimal]:
    """:data:`WEIGHTS` with the setting ``LINI_RANK_WEIGHTS`` (a dict or its JSON text) over it."""
    merged: dict[str, Any] = dict(WEIGHTS)
    override = getattr(settings, "LINI_RANK_WEIGHTS", None) or {}
    if isinstance(override, str):
        try:
            override = json.loads(override)
        except ValueError as exc:
            raise ImproperlyConfigured(f"LINI_RANK_WEIGHTS is not JSON: {exc}") from exc
    if not isinstance(override, dict):
        raise ImproperlyConfigured('LINI_RANK_WEIGHTS must be a JSON object, e.g. {"mcpr": 2}.')
    merged.update(override)
    out: dict[str, Decimal] = {}
    for name, raw in merged.items():
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise ImproperlyConfigured(f"LINI_RANK_WEIGHTS: {name}={raw!r} is not a number.")
        try:
            number = Decimal(str(raw))
        except ArithmeticError as exc:
            raise ImproperlyConfigured(
                f"LINI_RANK_WEIGHTS: {name}={raw!r} is not a number."
            ) from exc
        if not number.is_finite() or number < 0:
            raise ImproperlyConfigured(f"LINI_RANK_WEIGHTS: {name}={raw!r} must be 0 or more.")
        out[name] = number
    return out


@dataclass(frozen=True)
class Gap:
    """One part of a region's score. ``kind`` is ``indicator`` (``value``, ``target``,
    ``target_region``: whose target it is; ``points``: the shortfall) or ``program`` (``count``
    of ``total`` villages, or village-months for ``monthly_unsent``, have the gap;
    ``points``: their share)."""

    code: str
    kind: str
    points: Decimal
    weight: Decimal
    reason: str
    value: Decimal | None = None
    target: Decimal | None = None
    target_region: str = ""
    count: int = 0
    total: int = 0

    @property
    def contribution(self) -> Decimal:
        return self.weight * self.points

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "kind": self.kind, "value": _plain(self.value),
            "target": _plain(self.target), "target_region": self.target_region,
            "count": self.count, "total": self.total, "points": _plain(self.points),
            "weight": _plain(self.weight), "contribution": _plain(self.contribution),
            "reason": self.reason,
        }  # fmt: skip


@dataclass(frozen=True)
class People:
    """Couples to reach the targets of the year (None: no target or no PUS)."""

    modern_users: int | None = None  # more couples using a modern method
    users: int | None = None  # more couples using any method
    unmet_fewer: int | None = None  # fewer couples with unmet need

    def as_dict(self) -> dict[str, int | None]:
        return {
            "modern_users": self.modern_users,
            "users": self.users,
            "unmet_fewer": self.unmet_fewer,
        }


@dataclass
class RankedRegion:
    """A region with its score, its gaps (largest contribution first), the reasons in words
    (same order) and the people gaps; ``rank`` starts at 1. ``hidden``: the figures hidden to
    protect families' privacy (``score``, a people gap's name, a gap's code) and their marks
    (:func:`lini.indicators.suppression.ranking_withheld`)."""

    region: Region
    score: Decimal
    gaps: list[Gap]
    people: People
    rank: int = 0
    reasons: list[str] = field(default_factory=list)
    hidden: dict[str, Hidden] = field(default_factory=dict)

    @property
    def score_shown(self) -> Decimal | Hidden:
        return self.hidden.get("score") or self.score.quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def people_shown(self) -> dict[str, int | Hidden | None]:
        return {
            name: self.hidden.get(name) or value for name, value in self.people.as_dict().items()
        }

    def as_dict(self) -> dict[str, Any]:
        score = self.score_shown
        return {
            "rank": self.rank,
            "region_code": self.region.code,
            "region_name": self.region.name,
            "score": str(score) if isinstance(score, Hidden) else _plain(score),
            "reasons": self.reasons,
            "people": {k: _mark_or(v) for k, v in self.people_shown.items()},
            "gaps": [self._gap_dict(g) for g in self.gaps],
        }

    def _gap_dict(self, gap: Gap) -> dict[str, Any]:
        found = gap.as_dict()
        mark = self.hidden.get(gap.code)
        if mark is not None:  # the value, and what it can be worked back from
            found.update(value=str(mark), points=str(mark), contribution=str(mark))
        return found


def _mark_or(value: int | Hidden | None) -> int | str | None:
    return str(value) if isinstance(value, Hidden) else value


CSV_COLUMNS = (
    "rank", "region_code", "region_name", "score", "modern_users_needed", "users_needed",
    "unmet_fewer_needed", "reasons",
)  # fmt: skip


def csv_row(ranked: RankedRegion) -> dict[str, Any]:
    people = {k: "" if v is None else _mark_or(v) for k, v in ranked.people_shown.items()}
    score = ranked.score_shown
    return {
        "rank": ranked.rank,
        "region_code": ranked.region.code,
        "region_name": ranked.region.name,
        "score": str(score) if isinstance(score, Hidden) else _plain(score),
        "modern_users_needed": people["modern_users"],
        "users_needed": people["users"],
        "unmet_fewer_needed": people["unmet_fewer"],
        "reasons": "; ".join(ranked.reasons),
    }


def _plain(number: Decimal | None) -> str | None:
    if number is None:
        return None
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def number(value: Decimal | int) -> str:
    """A number in the active language's format, with at most 2 decimals and none that are 0
    (Indonesian: ``14,2``, ``1.234``)."""
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP).normalize()
    decimals = max(0, -int(rounded.as_tuple().exponent))
    return number_format(rounded, decimal_pos=decimals, force_grouping=True)


# Targets ----------------------------------------------------------------------------------


def targets_with_fallback(
    *, regions: list[Region], codes: set[str], year: int
) -> dict[str, dict[str, tuple[Decimal, str]]]:
    """region code -> indicator code -> (target, code of the region whose target it is): the
    region's own target of ``year``, else its nearest ancestor's. One query."""
    wanted = {c for r in regions for c in (r.code, *ancestor_codes(r.code))}
    stored: dict[tuple[str, str], Decimal] = {
        (region, code): value
        for region, code, value in Target.objects.filter(
            region__code__in=wanted, year=year, indicator__code__in=codes
        ).values_list("region__code", "indicator__code", "value")
    }
    found: dict[str, dict[str, tuple[Decimal, str]]] = {}
    for region in regions:
        chain = [region.code, *reversed(ancestor_codes(region.code))]
        own = found[region.code] = {}
        for code in codes:
            for holder in chain:
                if (holder, code) in stored:
                    own[code] = (stored[(holder, code)], holder)
                    break
    return found


# Gaps --------------------------------------------------------------------------------------


def _display_name(indicator: Indicator) -> str:
    indonesian = (get_language() or "").startswith("id")
    return indicator.name_id if indonesian else indicator.name_en


def _with_unit(value: Decimal, unit: str) -> str:
    if unit == "%":
        return f"{number(value)}%"
    return f"{number(value)} {unit}" if unit else number(value)


def gap_reason(indicator: Indicator, value: str, goal: Decimal) -> str:
    """The reason of an indicator gap in words: its value (as shown) against the target."""
    return _("%(indicator)s %(value)s vs target %(target)s") % {
        "indicator": _display_name(indicator),
        "value": value,
        "target": _with_unit(goal, indicator.unit),
    }


def indicator_gap(
    indicator: Indicator, value: Value, target: tuple[Decimal, str] | None, weight: Decimal
) -> Gap | None:
    """The shortfall of one indicator against its target (None when it meets it, has no value
    or no target)."""
    if target is None or value.value is None:
        return None
    realised = shown(value.value)
    assert realised is not None  # noqa: S101 - value.value is not None
    goal, holder = target
    if indicator.direction == Direction.LOWER:
        points = max(Decimal(0), realised - goal)
    else:
        points = max(Decimal(0), goal - realised)
    if points == 0:
        return None
    reason = gap_reason(indicator, _with_unit(realised, indicator.unit), goal)
    return Gap(
        code=indicator.code, kind="indicator", points=points, weight=weight, reason=reason,
        value=realised, target=goal, target_region=holder,
    )  # fmt: skip


def _program_reason(name: str, count: int, total: int, village: bool) -> str:
    kind = {"no_bkb": "BKB", "no_bkr": "BKR", "no_bkl": "BKL"}.get(name, "")
    args = {"kind": kind, "count": number(count), "total": number(total)}
    if name == "monthly_unsent":
        if village:
            return _("monthly report not sent for %(count)s of %(total)s months") % args
        return _("monthly reports not sent for %(count)s of %(total)s village-months") % args
    if village:
        texts = {
            "no_rdk": _("no Rumah DataKu in the Kampung KB"),
            "no_counsellor": _("no assigned counsellor (PKB/PLKB)"),
        }
        return texts.get(name) or _("no active %(kind)s") % args
    texts = {
        "no_rdk": _("Kampung KB without Rumah DataKu in %(count)s of %(total)s villages"),
        "no_counsellor": _("no assigned counsellor (PKB/PLKB) in %(count)s of %(total)s villages"),
    }
    return (texts.get(name) or _("no active %(kind)s in %(count)s of %(total)s villages")) % args


def program_gaps(
    village_totals: dict[str, dict[str, int]],
    villages: int,
    is_village: bool,
    w: dict[str, Decimal],
) -> list[Gap]:
    """The program gaps of one region from the counts of its villages (village code -> key ->
    total; villages with no counts left out) and its number of villages."""
    gaps: list[Gap] = []
    for name, (present, need) in PROGRAM_GAPS.items():
        weight = w.get(name, Decimal(0))
        if weight == 0 or villages == 0:
            continue
        if name == "monthly_unsent":
            total = sum(t.get(need, 0) for t in village_totals.values())
            count = max(0, total - sum(t.get(present, 0) for t in village_totals.values()))
        elif name == "no_counsellor":
            total = villages
            count = villages - sum(1 for t in village_totals.values() if t.get(present, 0) > 0)
        else:
            total = villages
            count = sum(
                1 for t in village_totals.values() if t.get(need, 0) > 0 and t.get(present, 0) <= 0
            )
        if count <= 0 or total <= 0:
            continue
        points = Decimal(count) / Decimal(total)
        gaps.append(
            Gap(
                code=name,
                kind="program",
                points=points,
                weight=weight,
                count=count,
                total=total,
                reason=_program_reason(name, count, total, is_village),
            )
        )
    return gaps


def people_gaps(
    values: dict[str, Value],
    indicators: dict[str, Indicator],
    targets: dict[str, tuple[Decimal, str]],
) -> People:
    """Couples to reach the year's targets of mcpr, cpr and unmet need (see the docstring)."""
    found: dict[str, int | None] = {}
    for code, name in PEOPLE.items():
        indicator, value, target = indicators.get(code), values.get(code), targets.get(code)
        found[name] = None
        if indicator is None or value is None or target is None or not value.denominator:
            continue
        share = Fraction(str(target[0])) / Fraction(str(indicator.factor or 1))
        goal = share * Fraction(str(value.denominator))
        have = Fraction(str(value.numerator))
        if indicator.direction == Direction.LOWER:
            found[name] = max(0, math.ceil(have - math.floor(goal)))
        else:
            found[name] = max(0, math.ceil(math.ceil(goal) - have))
    return People(**found)


# The ranking -------------------------------------------------------------------------------


def rank_regions(
    *,
    root: Region,
    level: int,
    year: int,
    user: User | AnonymousUser | None = None,
) -> list[RankedRegion]:
    """The regions of ``level`` under ``root`` (cut to ``user``'s scope when given; the caller
    checks the right to view ``root``), furthest behind first, for the targets of ``year``."""
    if level > RegionLevel.VILLAGE:
        raise ValueError(
            _("Regions are ranked at the level of a province, regency, district or village.")
        )
    period: Period = period_parse(str(year))
    regions = list(regions_at_level(root=root, level=level, user=user))
    if not regions:
        return []
    w = weights()
    by_code = {i.code: i for i in Indicator.objects.all()}
    scored = {c: i for c, i in by_code.items() if w.get(c, Decimal(0)) > 0}
    used = {**scored, **{c: by_code[c] for c in PEOPLE if c in by_code}}
    totals = region_totals(
        root=root, level=level, period=period, keys=keys_of(used.values()),
        width=len(regions[0].code),
    )  # fmt: skip
    targets = targets_with_fallback(regions=regions, codes=set(used), year=year)
    village_keys = {k for name, pair in PROGRAM_GAPS.items() if w.get(name) for k in pair if k}
    per_village = (
        region_totals(root=root, level=RegionLevel.VILLAGE, period=period, keys=village_keys)
        if village_keys
        else {}
    )
    width = len(regions[0].code)
    grouped: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    for code, counts in per_village.items():
        grouped[code[:width]][code] = counts
    is_village = level == RegionLevel.VILLAGE
    n_villages = {r.code: 1 for r in regions} if is_village else village_counts(children=regions)
    ranked: list[RankedRegion] = []
    for region in regions:
        region_counts = totals.get(region.code, {})
        values = {code: value_of(i, region_counts) for code, i in used.items()}
        own_targets = targets.get(region.code, {})
        gaps = [
            gap
            for code, indicator in scored.items()
            if (gap := indicator_gap(indicator, values[code], own_targets.get(code), w[code]))
        ]
        gaps += program_gaps(
            grouped.get(region.code, {}), n_villages.get(region.code, 0), is_village, w
        )
        gaps.sort(key=lambda g: (-g.contribution, g.code))
        ranked.append(
            RankedRegion(
                region=region,
                score=sum((g.contribution for g in gaps), Decimal(0)),
                gaps=gaps,
                people=people_gaps(values, by_code, own_targets),
                reasons=[g.reason for g in gaps],
            )
        )
    ranked.sort(key=lambda r: (-r.score, r.region.code))
    for position, item in enumerate(ranked, start=1):
        item.rank = position
    return ranked
