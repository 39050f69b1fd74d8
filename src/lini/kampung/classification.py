"""The Kampung KB classification (Dasar / Berkembang / Mandiri / Berkelanjutan) and the
completeness checklist, as pure functions of a profile and the figures of its village.

The algorithm follows the 2021 Kampung KB portal's (DOMAIN.md §7.11, ``classification/kampung.sql``):
twelve variables are scored 1-4, three indices are their means, and the class follows from which
indices reach 3.

**How the boundaries are read.** Percentages are exact fractions (no rounding). The portal's
table leaves gaps between its bands (CPR "30-40" then "41-50"); a value in such a gap gets the
*worse* of the two scores (a band is earned only when its stated limit is reached), while the
open-ended first and last bands are exact as written (``<30``, ``>50``, ``>12.1``, ``<6.1``). So:

- CPR %: ``x < 30`` → 1; ``30 <= x < 41`` → 2 (40.5 → 2); ``41 <= x <= 50`` → 3; ``x > 50`` → 4.
- MKJP % of users: ``x < 20`` → 1; ``20 <= x < 23`` → 2 (22.9 → 2); ``23 <= x <= 24`` → 3;
  ``x > 24`` → 4 (24.01 → 4).
- Poktan participation %: ``x < 10`` → 1; ``10 <= x < 21`` → 2 (20.5 → 2); ``21 <= x <= 30`` → 3;
  ``x > 30`` → 4.
- Unmet need % (lower is better): ``x < 6.1`` → 4; ``6.1 <= x <= 9`` → 3; ``9 < x <= 12.1`` → 2
  (9.05 → 2, 12.1 → 2); ``x > 12.1`` → 1.
- A percentage with no denominator (no PUS couple, no user, no family registered) scores 1:
  missing data never earns a better class.

**Poktan participation** is Lini's reading, to be checked against the portal [INF]: the share of
the village's families that belong to at least one poktan (membership not ended). DOMAIN.md names
the variable but not its formula; a per-programme rate (BKB families over families with an
under-five, and so on) would be the other plausible reading.

Counts have no gaps: funding sources 0/1/2-4/>4; poktan programmes present (of BKB, BKR, BKL,
UPPKA, PIK-R) 0/1-2/3-4/5; sarana (secretariat, active Rumah DataKu) 0/1/2 → 1/2/3; PLKB
(a counsellor looks after the village) and village regulation none/one/both → 1/2/3; pokja none
→ 1, exists → 2, exists with members *or* trained members → 3, with both → 4; data uses
0/1/2-3/>3; operational activities 0/1-2/3-4/>4; sector partners 0/1-3/4-6/>6.

The class: all three indices ≥ 3 → Berkelanjutan; output ≥ 3 with input or process ≥ 3 →
Mandiri; input and process ≥ 3 with output < 3 → Berkembang; otherwise (none, or only one index
≥ 3) → Dasar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from lini.core import clock
from lini.kampung.choices import KampungClass, RumahDataKuStatus

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from lini.kampung.models import KampungKB

# The five poktan programmes of the portal (poktan.PoktanKind values), in the portal's order.
POKTAN_PROGRAMMES: tuple[tuple[str, str], ...] = (
    ("bkb", "BKB"),
    ("bkr", "BKR"),
    ("bkl", "BKL"),
    ("uppka", "UPPKA"),
    ("pikr", "PIK-R"),
)


@dataclass(frozen=True)
class KampungFigures:
    """What the classification needs from the register and the other apps, for one village on
    one day (see ``selectors.kampung_figures``)."""

    pus: int = 0  # PUS couples: wife of PUS age on the day, couple not ended
    users: int = 0  # PUS couples using a method
    long_acting_users: int = 0  # of which MKJP (IUD, implant, MOW, MOP)
    unmet_need: int = 0  # PUS couples not using who want to delay (IAT) or want no more (TIAL)
    families: int = 0  # families registered in the village
    poktan_families: int = 0  # of which in at least one poktan (membership not ended)
    poktan_kinds: frozenset[str] = field(default_factory=frozenset)  # programmes present
    counsellors: int = 0  # active counsellors (PKB/PLKB) looking after the village

    @property
    def cpr(self) -> Fraction | None:
        return percent(self.users, self.pus)

    @property
    def mkjp(self) -> Fraction | None:
        return percent(self.long_acting_users, self.users)

    @property
    def unmet(self) -> Fraction | None:
        return percent(self.unmet_need, self.pus)

    @property
    def participation(self) -> Fraction | None:
        return percent(self.poktan_families, self.families)

    @property
    def poktan_count(self) -> int:
        known = {code for code, _label in POKTAN_PROGRAMMES}
        return len(self.poktan_kinds & known)


def percent(part: int, whole: int) -> Fraction | None:
    """``part`` as an exact percentage of ``whole`` (None when ``whole`` is 0)."""
    return Fraction(100 * part, whole) if whole else None


# --- the twelve scores -----------------------------------------------------------------------


def score_cpr(value: Fraction | float | None) -> int:
    if value is None or value < 30:
        return 1
    if value < 41:
        return 2
    return 3 if value <= 50 else 4


def score_mkjp(value: Fraction | float | None) -> int:
    if value is None or value < 20:
        return 1
    if value < 23:
        return 2
    return 3 if value <= 24 else 4


def score_participation(value: Fraction | float | None) -> int:
    if value is None or value < 10:
        return 1
    if value < 21:
        return 2
    return 3 if value <= 30 else 4


def score_unmet(value: Fraction | float | None) -> int:
    if value is None or value > Fraction("12.1"):
        return 1
    if value > 9:
        return 2
    return 3 if value >= Fraction("6.1") else 4


def score_funding(count: int) -> int:
    return 1 if count <= 0 else 2 if count == 1 else 3 if count <= 4 else 4


def score_poktan(count: int) -> int:
    return 1 if count <= 0 else 2 if count <= 2 else 3 if count <= 4 else 4


def score_sarana(*, secretariat: bool, rumah_dataku: bool) -> int:
    return 1 + int(secretariat) + int(rumah_dataku)


def score_plkb_regulation(*, counsellor: bool, regulation: bool) -> int:
    return 1 + int(counsellor) + int(regulation)


def score_pokja(*, exists: bool, members: int, trained: int) -> int:
    if not exists:
        return 1
    return 2 + int(members > 0) + int(trained > 0)


def score_data_use(count: int) -> int:
    return 1 if count <= 0 else 2 if count == 1 else 3 if count <= 3 else 4


def score_operations(count: int) -> int:
    return 1 if count <= 0 else 2 if count <= 2 else 3 if count <= 4 else 4


def score_partners(count: int) -> int:
    return 1 if count <= 0 else 2 if count <= 3 else 3 if count <= 6 else 4


# --- indices and class -----------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    code: str  # stable: pokja, funding, poktan, sarana, plkb_regulation, data_use, operations,
    # partners, participation, cpr, mkjp, unmet
    label: str | Promise
    value: int  # 1-4
    basis: str  # the input it was scored from, for display ("41.2%", "3 of 5", ...)


@dataclass(frozen=True)
class Index:
    code: str  # input, process, output
    label: str | Promise
    scores: tuple[Score, ...]

    @property
    def value(self) -> Fraction:
        return Fraction(sum(s.value for s in self.scores), len(self.scores))

    @property
    def reached(self) -> bool:
        """At least 3 (compared exactly, without rounding)."""
        return self.value >= 3

    @property
    def shown(self) -> str:
        return f"{float(self.value):.2f}"


@dataclass(frozen=True)
class Classification:
    input: Index
    process: Index
    output: Index
    kampung_class: KampungClass

    @property
    def indices(self) -> tuple[Index, Index, Index]:
        return (self.input, self.process, self.output)

    @property
    def scores(self) -> list[Score]:
        return [s for index in self.indices for s in index.scores]


def class_of(*, input_reached: bool, process_reached: bool, output_reached: bool) -> KampungClass:
    """The class rule of DOMAIN.md §7.11 (see the module's docstring)."""
    if input_reached and process_reached and output_reached:
        return KampungClass.BERKELANJUTAN
    if output_reached and (input_reached or process_reached):
        return KampungClass.MANDIRI
    if input_reached and process_reached:
        return KampungClass.BERKEMBANG
    return KampungClass.DASAR


def _pct(value: Fraction | None, part: int, whole: int) -> str:
    if value is None:
        return _("no data (0 of 0)")  # type: ignore[return-value]
    return f"{float(value):.1f}% ({part}/{whole})"


def _yes(flag: bool) -> str:
    return str(_("yes") if flag else _("no"))


def kampung_classify(kampung: KampungKB, figures: KampungFigures) -> Classification:
    """Every score, the three indices and the class of a Kampung KB."""
    f = figures
    active_dataku = kampung.rumah_dataku == RumahDataKuStatus.ACTIVE
    counsellor = f.counsellors > 0
    present = [label for code, label in POKTAN_PROGRAMMES if code in f.poktan_kinds]
    input_scores = (
        Score(
            "pokja", _("Working group (pokja)"),
            score_pokja(exists=kampung.pokja_exists, members=kampung.pokja_members,
                        trained=kampung.pokja_trained),
            _("exists: %(exists)s, members: %(members)d, trained: %(trained)d")
            % {"exists": _yes(kampung.pokja_exists), "members": kampung.pokja_members,
               "trained": kampung.pokja_trained},
        ),
        Score(
            "funding", _("Funding sources"), score_funding(len(kampung.funding_sources)),
            str(len(kampung.funding_sources)),
        ),
        Score(
            "poktan", _("Poktan programmes present"), score_poktan(f.poktan_count),
            _("%(n)d of 5 (%(which)s)") % {"n": f.poktan_count, "which": ", ".join(present) or "-"},
        ),
        Score(
            "sarana", _("Facilities (secretariat, Rumah DataKu)"),
            score_sarana(secretariat=kampung.secretariat, rumah_dataku=active_dataku),
            _("secretariat: %(s)s, active Rumah DataKu: %(r)s")
            % {"s": _yes(kampung.secretariat), "r": _yes(active_dataku)},
        ),
        Score(
            "plkb_regulation", _("Counsellor (PLKB) and regulation"),
            score_plkb_regulation(counsellor=counsellor, regulation=kampung.regulation),
            _("counsellor: %(c)s, regulation: %(r)s")
            % {"c": _yes(counsellor), "r": _yes(kampung.regulation)},
        ),
    )  # fmt: skip
    process_scores = (
        Score(
            "data_use", _("Uses of data"), score_data_use(len(kampung.data_uses)),
            str(len(kampung.data_uses)),
        ),
        Score(
            "operations", _("Operational activities"), score_operations(len(kampung.operations)),
            str(len(kampung.operations)),
        ),
        Score(
            "partners", _("Sector partners"), score_partners(len(kampung.partners)),
            str(len(kampung.partners)),
        ),
    )  # fmt: skip
    output_scores = (
        Score(
            "participation", _("Families in a poktan"), score_participation(f.participation),
            _pct(f.participation, f.poktan_families, f.families),
        ),
        Score("cpr", _("CPR (PUS using a method)"), score_cpr(f.cpr), _pct(f.cpr, f.users, f.pus)),
        Score(
            "mkjp", _("MKJP share of users"), score_mkjp(f.mkjp),
            _pct(f.mkjp, f.long_acting_users, f.users),
        ),
        Score(
            "unmet", _("Unmet need (IAT + TIAL) of PUS"), score_unmet(f.unmet),
            _pct(f.unmet, f.unmet_need, f.pus),
        ),
    )  # fmt: skip
    input_index = Index("input", _("Input"), input_scores)
    process_index = Index("process", _("Process"), process_scores)
    output_index = Index("output", _("Output"), output_scores)
    return Classification(
        input=input_index,
        process=process_index,
        output=output_index,
        kampung_class=class_of(
            input_reached=input_index.reached,
            process_reached=process_index.reached,
            output_reached=output_index.reached,
        ),
    )


# --- completeness checklist ------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    code: str  # stable: later features list these codes as tidy-up items
    label: str | Promise
    done: bool


CHECKLIST_CODES: tuple[str, ...] = (
    "launch_date", "criteria", "pokja", "pokja_decree", "pokja_trained", "regulation",
    "work_plan", "counsellor", "poktan_bkb", "poktan_bkr", "poktan_bkl", "poktan_uppka",
    "poktan_pikr", "secretariat", "rumah_dataku", "rumah_dataku_updated", "funding_source",
    "operations", "data_use", "partner",
)  # fmt: skip

RUMAH_DATAKU_FRESH_DAYS = 365  # "updated in the last 12 months"


def kampung_checklist(
    kampung: KampungKB, figures: KampungFigures, *, today: dt.date | None = None
) -> list[ChecklistItem]:
    """What a Kampung KB has and lacks, one item per :data:`CHECKLIST_CODES` code, in order."""
    if today is None:
        today = clock.today()
    updated = kampung.rumah_dataku_updated_on
    fresh = updated is not None and (today - updated).days <= RUMAH_DATAKU_FRESH_DAYS
    return [
        ChecklistItem("launch_date", _("Launch date recorded"), kampung.launched_on is not None),
        ChecklistItem("criteria", _("Selection criteria recorded"), bool(kampung.criteria)),
        ChecklistItem("pokja", _("Working group (pokja) formed"), kampung.pokja_exists),
        ChecklistItem(
            "pokja_decree", _("Pokja decree (SK) recorded"),
            kampung.pokja_exists and bool(kampung.pokja_decree.strip()),
        ),
        ChecklistItem(
            "pokja_trained", _("Pokja members trained"),
            kampung.pokja_exists and kampung.pokja_trained > 0,
        ),
        ChecklistItem("regulation", _("Village regulation supports it"), kampung.regulation),
        ChecklistItem("work_plan", _("Community work plan (RKM)"), kampung.work_plan),
        ChecklistItem("counsellor", _("A counsellor (PKB/PLKB) assigned"), figures.counsellors > 0),
        *(
            ChecklistItem(
                f"poktan_{code}", _("%(kind)s group present") % {"kind": label},
                code in figures.poktan_kinds,
            )
            for code, label in POKTAN_PROGRAMMES
        ),
        ChecklistItem("secretariat", _("Secretariat"), kampung.secretariat),
        ChecklistItem(
            "rumah_dataku", _("Rumah DataKu active"),
            kampung.rumah_dataku == RumahDataKuStatus.ACTIVE,
        ),
        ChecklistItem(
            "rumah_dataku_updated", _("Rumah DataKu data updated in the last 12 months"), fresh
        ),
        ChecklistItem("funding_source", _("A funding source"), bool(kampung.funding_sources)),
        ChecklistItem("operations", _("Operational activities"), bool(kampung.operations)),
        ChecklistItem("data_use", _("Data used for planning"), bool(kampung.data_uses)),
        ChecklistItem("partner", _("A sector partner"), bool(kampung.partners)),
    ]  # fmt: skip


def missing_items(items: Sequence[ChecklistItem]) -> list[ChecklistItem]:
    return [item for item in items if not item.done]
