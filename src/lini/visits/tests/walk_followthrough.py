"""The follow-through page of the due lists in the permission walk (see lini/web/tests/walk.py):
a district of Kab. Tangerang, whose field workers (the walk's Tangerang cadre) are listed."""

from __future__ import annotations

from lini.regions.tests.places import PASAR_KEMIS
from lini.web.tests.walk import Case, World

CASES: dict[str, Case] = {
    # Reading only: out of scope 403, in scope the page (nothing to change, nothing changed).
    "visits:followthrough": Case(query=f"?wilayah={PASAR_KEMIS}&bulan=2019-10"),
}


def prepare(world: World) -> None:
    return None


def snapshot() -> object:
    return None
