"""The family search (``family_search``): each family once, whole numbers only when asked."""

from __future__ import annotations

import pytest

from lini.register.models import Family, Member
from lini.register.selectors import family_search
from lini.register.tests.factories import make_family

pytestmark = pytest.mark.django_db

SINGAMERTA = "36.04.09.2013"
KK = "3604091234560001"
HEAD = "3604090808800012"
WIFE = "3604094808820013"


@pytest.fixture
def family() -> Family:
    make_family(SINGAMERTA, kk="3604099876540002", head_nik="3604090101700001")
    return make_family(SINGAMERTA, kk=KK, head_nik=HEAD, wife_nik=WIFE)


def search(query: str, *, whole_numbers_only: bool = False) -> list[Family]:
    return list(
        family_search(
            families=Family.objects.order_by("pk"),
            query=query,
            whole_numbers_only=whole_numbers_only,
        )
    )


def test_a_family_whose_members_all_match_is_found_once(family: Family) -> None:
    Member.objects.filter(family=family).update(name="Siti Aminah")
    assert search("siti") == [family]
    assert family_search(families=Family.objects.all(), query="aminah").count() == 1


def test_a_name_or_an_address_matches_in_part(family: Family) -> None:
    Family.objects.filter(pk=family.pk).update(address="Kp. Cibogo No. 3")
    assert search("eui") == [family]  # the wife, Euis
    assert search("cibogo") == [family]
    assert len(search("dadang")) == 2  # both heads


def test_numbers_match_by_their_start_or_only_whole(family: Family) -> None:
    assert search(WIFE[:10]) == [family]
    assert search(KK[:14]) == [family]
    assert search(WIFE[:10], whole_numbers_only=True) == []
    assert search(KK[:14], whole_numbers_only=True) == []
    assert search(WIFE, whole_numbers_only=True) == [family]
    assert search(KK, whole_numbers_only=True) == [family]
