"""Services (writes) of the performance-agreement targets and of the indicator catalog.

They live here rather than in ``services.py`` (which keeps the counts fresh). Same rules as every
service: keyword-only, ``actor`` first (None = the system), scope checked, validated with field
errors, one transaction, audited."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.services import audit_change, delete_with_audit, snapshot
from lini.indicators.catalog import COUNT_KEYS
from lini.indicators.models import Direction, Indicator, Target
from lini.indicators.selectors import weight
from lini.regions.models import Region, RegionLevel

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User

YEARS = (2000, 2100)
LIMIT = Decimal(10) ** 10  # max_digits 14, 4 decimals
FOUR = Decimal("0.0001")


def _require(actor: User | AnonymousUser | None, region: Region) -> None:
    if actor is not None:
        scope.require(actor, Action.CHANGE, region)


def target_value(raw: Any) -> Decimal:
    """A target as a Decimal of at most 4 decimals (ValidationError on ``value`` otherwise)."""
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({"value": _("%(value)s is not a number") % {"value": raw}}) from None
    if not value.is_finite() or value < 0 or value >= LIMIT:
        raise ValidationError({"value": _("A target is a number from 0 up to 9,999,999,999.")})
    if value != value.quantize(FOUR):
        raise ValidationError({"value": _("A target has at most 4 decimals.")})
    return value.quantize(FOUR)


def target_save(
    *,
    actor: User | AnonymousUser | None,
    indicator: Indicator,
    region: Region,
    year: int,
    value: Decimal | int | str,
) -> Target:
    """Set the target of ``indicator`` for ``region`` and ``year`` (create or change)."""
    _require(actor, region)
    errors: dict[str, str] = {}
    if region.level > RegionLevel.VILLAGE:
        errors["region"] = _("Targets are set for a province, regency, district or village.")
    if not YEARS[0] <= year <= YEARS[1]:
        errors["year"] = _("The year must lie between %(low)d and %(high)d.") % {
            "low": YEARS[0], "high": YEARS[1],
        }  # fmt: skip
    if errors:
        raise ValidationError(errors)
    amount = target_value(value)
    with transaction.atomic():
        target = (
            Target.objects.select_for_update()
            .filter(indicator=indicator, region=region, year=year)
            .first()
        )
        before = snapshot(target) if target is not None else None
        if target is None:
            target = Target(indicator=indicator, region=region, year=year, value=amount)
        elif target.value == amount:
            return target
        target.value = amount
        target.save()
        audit_change(actor=actor, obj=target, before=before, region_code=region.code)
    return target


def target_delete(*, actor: User | AnonymousUser | None, target: Target) -> None:
    _require(actor, target.region)
    with transaction.atomic():
        delete_with_audit(actor=actor, obj=target, region_code=target.region.code)


# The catalog ---------------------------------------------------------------------------------


def can_edit_catalog(user: User | AnonymousUser | None) -> bool:
    """The catalog is national: national administrators (with the right to change data)."""
    return scope.role_allows(user, Action.CHANGE) and scope.user_scope(user).national


def _terms_problems(spec: Any, *, required: bool) -> str:
    if not isinstance(spec, dict):
        return _('Write the keys and weights as a JSON object, e.g. {"pa": 1}.')
    if required and not spec:
        return _("At least one count key is needed.")
    unknown = sorted(k for k in spec if k not in COUNT_KEYS)
    if unknown:
        return _("Unknown count key(s): %(keys)s.") % {"keys": ", ".join(unknown)}
    for key, raw in spec.items():
        try:
            weight(raw)
        except ValueError as exc:
            return f"{key}: {exc}"
    return ""


def indicator_save(
    *,
    actor: User | AnonymousUser | None,
    indicator: Indicator | None,
    fields: dict[str, Any],
) -> Indicator:
    """Create (``indicator`` None) or change a catalog entry from the existing count keys."""
    if actor is not None and not can_edit_catalog(actor):
        raise PermissionDenied
    errors: dict[str, str] = {}
    for name, required in (("numerator", True), ("denominator", False)):
        problem = _terms_problems(fields.get(name, {}), required=required)
        if problem:
            errors[name] = problem
    if fields.get("direction") not in Direction.values:
        errors["direction"] = _("Choose higher or lower is better.")
    code = fields.get("code", indicator.code if indicator else "")
    clash = Indicator.objects.filter(code=code)
    if indicator is not None:
        clash = clash.exclude(pk=indicator.pk)
    if clash.exists():
        errors["code"] = _("Another indicator has this code.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = snapshot(indicator) if indicator is not None else None
        target = indicator or Indicator()
        for name, value in fields.items():
            if name == "code" and indicator is not None and indicator.builtin:
                continue  # the code of a built-in indicator stays
            setattr(target, name, value)
        target.full_clean()
        target.save()
        audit_change(actor=actor, obj=target, before=before, region_code="")
    return target
