"""The due lists' pages in the permission walk (see lini/web/tests/walk.py): the cases of each
part of the app, kept in their own modules."""

from __future__ import annotations

from lini.visits.tests import walk_export, walk_followthrough, walk_pages, walk_rules
from lini.web.tests.walk import Case, World

CASES: dict[str, Case] = {
    **walk_pages.CASES,
    **walk_export.CASES,
    **walk_followthrough.CASES,
    **walk_rules.CASES,
}


def prepare(world: World) -> None:
    for part in (walk_pages, walk_export, walk_followthrough, walk_rules):
        part.prepare(world)


def snapshot() -> object:
    return tuple(
        part.snapshot() for part in (walk_pages, walk_export, walk_followthrough, walk_rules)
    )
