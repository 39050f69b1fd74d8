"""Reads of the region tree. Callers never build code-prefix queries themselves."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length, Substr

from lini.core.text import search_key
from lini.regions.codes import RegionCodeError, ancestor_codes, dotted_prefix, normalise_code
from lini.regions.models import Region, RegionLevel


def subtree_q(codes: Iterable[str], *, field: str = "code") -> Q:
    """A filter matching rows whose region ``field`` lies in (or is) any of ``codes``.

    ``field`` is the lookup path to a region code, e.g. ``"code"`` on Region or
    ``"village__code"`` on a model that points at a village. An empty ``codes`` matches nothing.
    """
    condition = Q(pk__in=[])
    for code in codes:
        condition |= Q(**{field: code}) | Q(**{f"{field}__startswith": f"{code}."})
    return condition


def region_subtree(*, region: Region, include_self: bool = True) -> QuerySet[Region]:
    qs = Region.objects.filter(subtree_q([region.code]))
    return qs if include_self else qs.exclude(pk=region.pk)


def region_ancestors(*, region: Region) -> list[Region]:
    """The regions above ``region``, top first (one query)."""
    codes = ancestor_codes(region.code)
    if not codes:
        return []
    by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def region_children(*, parent: Region | None) -> QuerySet[Region]:
    """Direct children (provinces when ``parent`` is None), each with ``child_count``."""
    qs = Region.objects.filter(parent=parent) if parent else Region.objects.filter(parent=None)
    return qs.annotate(child_count=Count("children")).order_by("code")


def village_counts(*, children: Iterable[Region]) -> dict[str, int]:
    """How many villages lie below each of ``children`` (which share one level), in one query."""
    children = list(children)
    if not children or children[0].level >= RegionLevel.VILLAGE:
        return {}
    width = len(children[0].code)
    rows = (
        Region.objects.filter(level=RegionLevel.VILLAGE)
        .filter(subtree_q({c.code for c in children}))
        .annotate(prefix=Substr("code", 1, width))
        .values("prefix")
        .annotate(n=Count("id"))
    )
    return {row["prefix"]: row["n"] for row in rows}


def region_get(*, code: str) -> Region | None:
    """The region with this code (dotted or not), or None."""
    with contextlib.suppress(RegionCodeError):  # a sub-village code is looked up as typed
        code = normalise_code(code)
    return Region.objects.select_related("parent").filter(code=code).first()


def region_search(*, query: str, within: Q | None = None, limit: int = 30) -> list[Region]:
    """Regions whose name contains every word of ``query`` (ignoring case and accents), or whose
    code starts with ``query`` when it is typed as a code, restricted to ``within``."""
    query = query.strip()
    if not query:
        return []
    qs = Region.objects.select_related("parent")
    if within is not None:
        qs = qs.filter(within)
    digits = query.replace(".", "").replace(" ", "")
    if digits.isdigit():
        return list(qs.filter(code__startswith=dotted_prefix(digits)).order_by("code")[:limit])
    words = search_key(query).split()
    if not words:
        return []
    for word in words:
        qs = qs.filter(search_name__contains=word)
    return list(qs.order_by("level", Length("name"), "name")[:limit])
