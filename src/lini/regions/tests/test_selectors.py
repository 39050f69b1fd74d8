from __future__ import annotations

import pytest

from lini.regions import selectors
from lini.regions.models import Region, RegionKind, RegionLevel
from lini.regions.services import subunit_create
from lini.regions.tests.places import BANTEN, CIRUAS, KAB_SERANG, KAB_TANGERANG, SINGAMERTA

pytestmark = pytest.mark.django_db


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def test_subtree_holds_the_region_and_everything_below_and_nothing_else() -> None:
    serang = region(KAB_SERANG)
    codes = set(selectors.region_subtree(region=serang).values_list("code", flat=True))
    assert KAB_SERANG in codes
    assert SINGAMERTA in codes
    assert all(c == KAB_SERANG or c.startswith(KAB_SERANG + ".") for c in codes)
    # 29 districts and 326 villages (DOMAIN.md §8) plus the regency itself
    assert len(codes) == 1 + 29 + 326
    assert KAB_TANGERANG not in codes
    assert KAB_SERANG not in set(
        selectors.region_subtree(region=serang, include_self=False).values_list("code", flat=True)
    )


def test_subtree_includes_sub_village_units() -> None:
    rw = subunit_create(actor=None, parent=region(SINGAMERTA), kind=RegionKind.RW, number=3)
    rt = subunit_create(actor=None, parent=rw, kind=RegionKind.RT, number=2)
    codes = set(selectors.region_subtree(region=region(CIRUAS)).values_list("code", flat=True))
    assert {rw.code, rt.code} <= codes
    assert rt.code == f"{SINGAMERTA}.RW003.RT002"


def test_subtree_q_works_through_a_relation() -> None:
    from lini.accounts.models import RegionAssignment
    from lini.accounts.tests.factories import make_user

    make_user("cadre", SINGAMERTA)
    make_user("regency_officer", KAB_TANGERANG)
    in_serang = RegionAssignment.objects.filter(
        selectors.subtree_q([KAB_SERANG], field="region__code")
    )
    assert [a.region.code for a in in_serang] == [SINGAMERTA]
    assert not RegionAssignment.objects.filter(
        selectors.subtree_q([], field="region__code")
    ).exists()


def test_ancestors_top_first() -> None:
    ancestors = selectors.region_ancestors(region=region(SINGAMERTA))
    assert [a.code for a in ancestors] == [BANTEN, KAB_SERANG, CIRUAS]
    assert selectors.region_ancestors(region=region(BANTEN)) == []


def test_children_carry_their_own_child_counts() -> None:
    children = {c.code: c for c in selectors.region_children(parent=region(BANTEN))}
    assert len(children) == 8
    assert children[KAB_SERANG].child_count == 29
    assert children["36.71"].child_count == 13  # Kota Tangerang


def test_village_counts_per_child() -> None:
    children = list(selectors.region_children(parent=region(BANTEN)))
    counts = selectors.village_counts(children=children)
    assert counts[KAB_SERANG] == 326
    assert counts[KAB_TANGERANG] == 246 + 28
    assert sum(counts.values()) == 1552
    districts = list(selectors.region_children(parent=region(KAB_SERANG)))
    assert (
        selectors.village_counts(children=districts)[CIRUAS]
        == Region.objects.filter(parent__code=CIRUAS).count()
    )


@pytest.mark.parametrize(
    "query", ["singamerta", "SINGAMERTA", "Singamérta", "  singa   merta "[:13], "singam"]
)
def test_search_ignores_case_and_accents(query: str) -> None:
    results = selectors.region_search(query=query)
    assert SINGAMERTA in [r.code for r in results]


def test_search_matches_every_word() -> None:
    codes = [r.code for r in selectors.region_search(query="kuta jaya")]
    assert "36.03.12.1012" in codes
    assert all(
        "kuta" in r.search_name and "jaya" in r.search_name
        for r in selectors.region_search(query="kuta jaya")
    )


@pytest.mark.parametrize("query", ["36.04.09.2013", "3604092013", "36 04 09 2013"])
def test_search_by_code_with_or_without_dots(query: str) -> None:
    assert [r.code for r in selectors.region_search(query=query)] == [SINGAMERTA]


def test_search_by_a_partial_code_lists_the_codes_below_in_order() -> None:
    codes = [r.code for r in selectors.region_search(query="360409201")]
    assert SINGAMERTA in codes
    assert codes == sorted(codes)
    assert all(c.startswith("36.04.09.201") for c in codes)


def test_search_is_limited_to_a_subtree_when_asked() -> None:
    within = selectors.subtree_q([KAB_TANGERANG])
    assert selectors.region_search(query="singamerta", within=within) == []
    assert selectors.region_search(query="") == []


def test_search_puts_higher_levels_first() -> None:
    results = selectors.region_search(query="serang")
    assert results[0].level == RegionLevel.REGENCY


def test_region_get_accepts_undotted_codes() -> None:
    assert selectors.region_get(code="3604092013").code == SINGAMERTA
    assert selectors.region_get(code="99") is None
    assert selectors.region_get(code="not-a-code") is None
