"""Small-cell suppression: the one rule for figures about families that leave the people who may
see those families (UU 27/2022 on personal data protection: "2 couples using an IUD" in a
village of a few hundred families names them to their neighbours).

- A count ``n`` of families, couples or people with ``0 < n < threshold`` is shown as ``<5`` (the
  threshold, setting ``LINI_SMALL_CELL_THRESHOLD``, default 5; 0 turns the rule off), never its
  value. Zero stays zero: it identifies nobody.
- A figure computed from such a count (a rate, a share, a weighted sum) is withheld (``x``):
  with the other count of a rate known, the hidden one could be worked back.
- So is a figure through which one could be worked back as a sum: when a total is shown, its
  hidden parts must not be recoverable as "the total minus the parts shown" (one part hidden
  alone, or several pinned to their smallest or largest possible values). The smallest part
  still shown is withheld too, or, when none is left, the total.

Which figures count people, which sums hold, and where the rule applies (village level and
below; pages for users who may not see identities, every downloaded file) are the callers'
part: :mod:`lini.indicators.suppression` for the report, the indicator tables and the dashboard.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.utils.translation import gettext as _

Number = int | Decimal
T = TypeVar("T")

_INFINITY = Decimal("Infinity")
WITHHELD_MARK = "x"  # as statistics offices mark a figure withheld for confidentiality


def threshold() -> int:
    """``LINI_SMALL_CELL_THRESHOLD``: counts below it (and above 0) are hidden; 0: the rule is
    off."""
    return int(getattr(settings, "LINI_SMALL_CELL_THRESHOLD", 5))


def _limit(limit: int | None) -> int:
    return threshold() if limit is None else limit


def is_small(n: Number | None, limit: int | None = None) -> bool:
    """True for a count that must not be shown: ``0 < n < threshold``."""
    limit = _limit(limit)
    return limit > 0 and n is not None and 0 < n < limit


@dataclass(frozen=True)
class Hidden:
    """A figure not shown: ``text`` stands in its place (``<5`` for a small count, ``x`` for a
    figure withheld because it would reveal one)."""

    text: str
    small: bool = False

    def __str__(self) -> str:
        return self.text


def small_count(limit: int | None = None) -> Hidden:
    return Hidden(f"<{_limit(limit)}", small=True)


def withheld() -> Hidden:
    return Hidden(WITHHELD_MARK)


def count_shown(n: Number, limit: int | None = None) -> Number | Hidden:
    """A count as it may be shown: itself, or ``<5`` when it is small."""
    return small_count(limit) if is_small(n, limit) else n


def rate_shown(value: T, *counts: Number | None, limit: int | None = None) -> T | Hidden:
    """A figure computed from ``counts`` (a rate: numerator and denominator) as it may be shown:
    withheld when one of them is small."""
    return withheld() if any(is_small(c, limit) for c in counts) else value


def legend(limit: int | None = None) -> str:
    """What the marks mean, for a page or a file that shows one."""
    limit = _limit(limit)
    return _(
        "<%(n)d: fewer than %(n)d, hidden to protect families' privacy. %(mark)s: withheld "
        "because it would reveal such a figure (a rate computed from it, or a total or part from "
        "which it could be worked back)."
    ) % {"n": limit, "mark": WITHHELD_MARK}


@dataclass(frozen=True)
class Figure:
    """One figure of a table as the rule sees it. ``bases`` empty: a count; otherwise the names
    of the counts it is computed from (a rate's numerator and denominator), which it reveals when
    shown. ``people``: it counts (or is computed from counts of) families, couples or people;
    other figures (groups, meetings, institutions) are never hidden."""

    value: Number | None
    bases: tuple[str, ...] = ()
    people: bool = True

    @property
    def is_count(self) -> bool:
        return not self.bases


def withhold(
    figures: Mapping[str, Figure],
    *,
    sums: Mapping[str, Sequence[str]] | None = None,
    counts: Mapping[str, Number] | None = None,
    limit: int | None = None,
) -> dict[str, Hidden]:
    """The figures of one table (one region, one period) to hide, by name, with their marks.

    ``sums``: name of a total -> names of its parts (the total is exactly their sum).
    ``counts``: values of counts that have no figure of their own (a rate's base that is not
    shown as a line), read to tell whether they are small."""
    limit = _limit(limit)
    if limit <= 0:
        return {}
    return _Table(figures, counts or {}, limit).withhold(sums or {})


class _Table:
    """The figures of one table and those hidden so far."""

    def __init__(
        self, figures: Mapping[str, Figure], counts: Mapping[str, Number], limit: int
    ) -> None:
        self.figures, self.counts, self.limit = figures, counts, limit
        self.hidden: dict[str, Hidden] = {
            name: small_count(limit)
            for name, figure in figures.items()
            if figure.people and figure.is_count and is_small(figure.value, limit)
        }
        self.bases_shown: set[str] = set()

    def value_of(self, name: str) -> Number | None:
        figure = self.figures.get(name)
        if figure is not None and figure.is_count:
            return figure.value
        return self.counts.get(name)

    def shown_count(self, name: str) -> bool:
        figure = self.figures.get(name)
        return figure is not None and figure.is_count and name not in self.hidden

    def revealed(self, name: str) -> bool:
        """Shown as a count, or a base of a figure shown (a rate gives its numerator away when
        its denominator is known, and the other way round)."""
        if self.shown_count(name):
            return True
        return name not in self.hidden and name in self.bases_shown

    def _bases_shown(self) -> set[str]:
        return {
            base
            for name, figure in self.figures.items()
            if not figure.is_count and name not in self.hidden
            for base in figure.bases
        }

    def withhold(self, sums: Mapping[str, Sequence[str]]) -> dict[str, Hidden]:
        changed = True
        while changed:
            changed = self._derived()
            # Recomputed once a round: a figure withheld meanwhile may still count as revealing
            # its bases until the next round, which only withholds more, never less.
            self.bases_shown = self._bases_shown()
            for total, parts in sums.items():
                if total not in self.hidden and self.revealed(total) and self.exposed(total, parts):
                    self._withhold_more(total, parts)
                    changed = True
        return self.hidden

    def _derived(self) -> bool:
        """Withhold every figure computed from a count that is small or hidden."""
        changed = False
        for name, figure in self.figures.items():
            if name in self.hidden or figure.is_count or not figure.people:
                continue
            if any(
                b in self.hidden or is_small(self.value_of(b), self.limit) for b in figure.bases
            ):
                self.hidden[name] = withheld()
                changed = True
        return changed

    def exposed(self, total: str, parts: Sequence[str]) -> bool:
        """Whether a hidden part of ``total`` can be worked back from the total and the parts
        known. The parts not known sum to the total minus the known ones; each lies in the range
        its mark allows (``<5``: 1 to 4; withheld: 5 or more; shown nowhere: 0 or more), which
        bounds each from the others' ranges. A hidden part is exposed when that leaves it one
        value where its mark alone left more."""
        rest = Decimal(self.value_of(total) or 0)
        ranges: dict[str, tuple[Decimal, Decimal]] = {}
        for part in parts:
            if self.revealed(part):
                rest -= Decimal(self.value_of(part) or 0)
                continue
            mark = self.hidden.get(part)
            if mark is None:
                ranges[part] = (Decimal(0), _INFINITY)
            elif mark.small:
                ranges[part] = (Decimal(1), Decimal(self.limit - 1))
            else:
                ranges[part] = (Decimal(self.limit), _INFINITY)
        for part, (low, high) in ranges.items():
            if part not in self.hidden or high == low:
                continue
            others = [r for other, r in ranges.items() if other != part]
            least = max(low, rest - sum((r[1] for r in others), Decimal(0)))
            most = min(high, rest - sum((r[0] for r in others), Decimal(0)))
            if most <= least:
                return True
        return False

    def _withhold_more(self, total: str, parts: Sequence[str]) -> None:
        """Withhold the smallest part still shown; when none is left, the total and every figure
        that reveals it."""
        candidates = [
            (value, part)
            for part in parts
            if self.shown_count(part)
            and self.figures[part].people
            and (value := self.value_of(part))
        ]
        if candidates:
            self.hidden[min(candidates)[1]] = withheld()
            return
        if total in self.figures:
            self.hidden[total] = withheld()
        for name, figure in self.figures.items():
            if total in figure.bases and name not in self.hidden:
                self.hidden[name] = withheld()
