"""Achievement against a performance-agreement target (capaian Perjanjian Kinerja), DOMAIN.md §5.

- Higher is better (``naik``): ``realisation / target x 100``.
- Lower is better (``turun``: TFR, ASFR, unmet need ...): ``(1 + (target - realisation) / target)
  x 100``. This reproduces the published DIY 2020 figures exactly: TFR 1.92 -> 1.81 = 105.73%,
  ASFR 17 -> 14 = 117.65%, unmet need 5.74 -> 9.04 = 42.51%.

Everything is Decimal; the result is rounded half up to 2 decimals (as published). The value is
taken as shown (rounded half up to 2 decimals, :func:`shown`), so that anyone can recompute the
achievement from the printed table. No target, a zero target or no value: no achievement.

Colour bands (DOMAIN.md §5), read on the rounded percentage:

====================  ============  ==========================
achievement           colour        category
====================  ============  ==========================
more than 100         ``biru``      Baik Sekali (very good)
87.5 up to 100        ``hijau``     Baik (good); 100 itself is green, 87.5 too
75 up to below 87.5   ``kuning``    Cukup (fair); 75 itself is yellow
below 75              ``merah``     Kurang (poor)
====================  ============  ==========================
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

HUNDRED = Decimal(100)
CENT = Decimal("0.01")

BLUE, GREEN, YELLOW, RED = "biru", "hijau", "kuning", "merah"
BAND_LABELS = {
    BLUE: _("Very good (Baik Sekali)"),
    GREEN: _("Good (Baik)"),
    YELLOW: _("Fair (Cukup)"),
    RED: _("Poor (Kurang)"),
}


def shown(value: Decimal | None) -> Decimal | None:
    """A value as published: rounded half up to 2 decimals."""
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


def achievement_pct(
    value: Decimal | int | str | None, target: Decimal | int | str | None, direction: str
) -> Decimal | None:
    """The achievement in percent, rounded half up to 2 decimals (None when it has no meaning)."""
    if value is None or target is None:
        return None
    realised = shown(Decimal(str(value)))
    goal = Decimal(str(target))
    if goal == 0 or realised is None:
        return None
    if direction == "turun":
        pct = (1 + (goal - realised) / goal) * HUNDRED
    else:
        pct = realised / goal * HUNDRED
    return pct.quantize(CENT, rounding=ROUND_HALF_UP)


def band(pct: Decimal | None) -> str:
    """The colour of an achievement ("" when there is none)."""
    if pct is None:
        return ""
    if pct > HUNDRED:
        return BLUE
    if pct >= Decimal("87.5"):
        return GREEN
    if pct >= Decimal(75):
        return YELLOW
    return RED
