"""The scope helper, for every role: what it may read, change, approve, see and manage."""

from __future__ import annotations

import itertools

import pytest

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from lini.accounts import scope
from lini.accounts.models import User
from lini.accounts.roles import Action, Role
from lini.accounts.tests.factories import make_user
from lini.regions.models import Region
from lini.regions.tests.places import (
    BANTEN,
    CIRUAS,
    CISAIT,
    JAKARTA_VILLAGE,
    KAB_SERANG,
    KAB_TANGERANG,
    KUTA_JAYA,
    PULO,
    SINGAMERTA,
)

pytestmark = pytest.mark.django_db

TARGETS = [SINGAMERTA, PULO, CISAIT, KUTA_JAYA, JAKARTA_VILLAGE]

# The policy, written out: who works where ...
ACCOUNTS = {
    "cadre": (Role.CADRE, [SINGAMERTA]),
    "counsellor_village": (Role.COUNSELLOR, [SINGAMERTA]),
    "counsellor_district": (Role.COUNSELLOR, [CIRUAS]),
    "district_officer": (Role.DISTRICT_OFFICER, [CIRUAS]),
    "regency_officer": (Role.REGENCY_OFFICER, [KAB_SERANG]),
    "province_officer": (Role.PROVINCE_OFFICER, [BANTEN]),
    "national_admin": (Role.NATIONAL_ADMIN, []),
}
# ... which of the target villages lie in their reach ...
REACH = {
    "cadre": {SINGAMERTA},
    "counsellor_village": {SINGAMERTA},
    "counsellor_district": {SINGAMERTA, PULO},
    "district_officer": {SINGAMERTA, PULO},
    "regency_officer": {SINGAMERTA, PULO, CISAIT},
    "province_officer": {SINGAMERTA, PULO, CISAIT, KUTA_JAYA},
    "national_admin": set(TARGETS),
}
# ... and what each may do there.
MAY = {
    "cadre": {Action.VIEW, Action.CHANGE},
    "counsellor_village": {Action.VIEW, Action.CHANGE, Action.VIEW_IDENTITY},
    "counsellor_district": {Action.VIEW, Action.CHANGE, Action.VIEW_IDENTITY},
    "district_officer": {Action.VIEW, Action.CHANGE, Action.VIEW_IDENTITY},
    "regency_officer": {
        Action.VIEW,
        Action.CHANGE,
        Action.APPROVE,
        Action.VIEW_IDENTITY,
        Action.MANAGE_USERS,
        Action.PLAN,
    },
    "province_officer": {Action.VIEW, Action.APPROVE, Action.PLAN},
    "national_admin": set(Action),
}


@pytest.fixture
def accounts() -> dict[str, User]:
    return {name: make_user(role, *codes) for name, (role, codes) in ACCOUNTS.items()}


@pytest.mark.parametrize(
    ("name", "action", "target"), list(itertools.product(ACCOUNTS, list(Action), TARGETS))
)
def test_can_follows_the_policy(
    accounts: dict[str, User], name: str, action: Action, target: str
) -> None:
    expected = target in REACH[name] and action in MAY[name]
    assert scope.can(accounts[name], action, target) is expected
    if expected:
        scope.require(accounts[name], action, target)
    else:
        with pytest.raises(PermissionDenied):
            scope.require(accounts[name], action, target)


@pytest.mark.parametrize("name", list(ACCOUNTS))
def test_restrict_returns_exactly_the_reachable_villages(
    accounts: dict[str, User], name: str
) -> None:
    targets = Region.objects.filter(code__in=TARGETS)
    for action in Action:
        visible = set(
            scope.restrict(targets, accounts[name], action).values_list("code", flat=True)
        )
        loaded_reach = {c for c in REACH[name] if c != JAKARTA_VILLAGE}
        assert visible == (loaded_reach if action in MAY[name] else set()), action


def test_anonymous_inactive_and_unassigned_users_may_do_nothing(accounts: dict[str, User]) -> None:
    inactive = accounts["regency_officer"]
    inactive.is_active = False
    unassigned = User.objects.create_user("nobody", password="x" * 12, role=Role.REGENCY_OFFICER)
    for user in (AnonymousUser(), inactive, unassigned, None):
        for action in Action:
            assert not scope.can(user, action, SINGAMERTA)
        assert not scope.restrict(Region.objects.all(), user).exists()
        assert not scope.can_navigate(user, BANTEN)


def test_a_cadre_may_navigate_down_to_their_village_but_not_sideways(
    accounts: dict[str, User],
) -> None:
    cadre = accounts["cadre"]
    for code in (BANTEN, KAB_SERANG, CIRUAS, SINGAMERTA):
        assert scope.can_navigate(cadre, code), code
    for code in (KAB_TANGERANG, KUTA_JAYA, PULO, "36.04.11"):
        assert not scope.can_navigate(cadre, code), code
    # Navigating above is not reading: the village's figures, not the regency's, are theirs.
    assert not scope.can(cadre, Action.VIEW, KAB_SERANG)
    navigable = set(Region.objects.filter(scope.navigable_q(cadre)).values_list("code", flat=True))
    assert navigable == {BANTEN, KAB_SERANG, CIRUAS, SINGAMERTA}


def test_a_prefix_of_the_text_is_not_a_prefix_of_the_tree() -> None:
    # "36.04.1" must not cover 36.04.11 (Kragilan) nor may 36.0 cover 36.04.
    own = scope.Scope(codes=("36.04.1",))
    assert not own.covers("36.04.11")
    assert scope.Scope(codes=(KAB_SERANG,)).covers(SINGAMERTA)
    assert not scope.Scope(codes=("36.0",)).covers(KAB_SERANG)


def test_nested_assignments_collapse_to_the_widest() -> None:
    user = make_user(Role.COUNSELLOR, CIRUAS, SINGAMERTA, "36.04.11")
    assert scope.user_scope(user).codes == (CIRUAS, "36.04.11")


def test_the_scope_is_read_once_per_user_object(
    django_assert_num_queries, accounts: dict[str, User]
) -> None:  # type: ignore[no-untyped-def]
    user = User.objects.get(pk=accounts["cadre"].pk)
    with django_assert_num_queries(1):
        for code in TARGETS:
            scope.can(user, Action.VIEW, code)


class TestUserManagement:
    def test_a_regency_officer_may_create_lower_roles_inside_the_regency(
        self, accounts: dict[str, User]
    ) -> None:
        officer = accounts["regency_officer"]
        village = Region.objects.get(code=SINGAMERTA)
        assert scope.can_assign(officer, Role.CADRE, [village])
        assert scope.can_assign(officer, Role.DISTRICT_OFFICER, [Region.objects.get(code=CIRUAS)])
        assert not scope.can_assign(
            officer, Role.REGENCY_OFFICER, [Region.objects.get(code=KAB_SERANG)]
        )
        assert not scope.can_assign(officer, Role.CADRE, [Region.objects.get(code=KUTA_JAYA)])
        assert not scope.can_assign(officer, Role.CADRE, [])

    def test_only_roles_with_the_right_may_manage(self, accounts: dict[str, User]) -> None:
        village = Region.objects.get(code=SINGAMERTA)
        for name in ("cadre", "counsellor_district", "district_officer"):
            assert not scope.can_assign(accounts[name], Role.CADRE, [village])
            assert not scope.manageable_users(accounts[name]).exists()

    def test_manageable_users_are_lower_ranked_and_wholly_inside(
        self, accounts: dict[str, User]
    ) -> None:
        officer = accounts["regency_officer"]
        straddling = make_user(Role.COUNSELLOR, SINGAMERTA, KUTA_JAYA)
        outside = make_user(Role.CADRE, KUTA_JAYA)
        visible = set(scope.manageable_users(officer))
        assert visible == {
            accounts["cadre"],
            accounts["counsellor_village"],
            accounts["counsellor_district"],
            accounts["district_officer"],
        }
        for user in visible:
            assert scope.can_manage_user(officer, user)
        for user in (
            straddling,
            outside,
            accounts["province_officer"],
            officer,
            accounts["national_admin"],
        ):
            assert not scope.can_manage_user(officer, user)

    def test_the_national_admin_manages_everyone_below_but_not_other_admins(
        self, accounts: dict[str, User]
    ) -> None:
        admin = accounts["national_admin"]
        other_admin = make_user(Role.NATIONAL_ADMIN)
        assert set(scope.manageable_users(admin)) == set(accounts.values()) - {admin}
        assert not scope.can_manage_user(admin, admin)
        assert not scope.can_manage_user(admin, other_admin)  # no takeover of a peer
        assert not scope.can_assign(admin, Role.NATIONAL_ADMIN, [])
        assert scope.can_assign(admin, Role.PROVINCE_OFFICER, [Region.objects.get(code=BANTEN)])

    def test_a_superuser_manages_national_admins(self, accounts: dict[str, User]) -> None:
        root = User.objects.create_superuser("root", password="x" * 12)
        assert root.role == Role.NATIONAL_ADMIN
        assert scope.can_manage_user(root, accounts["national_admin"])
        assert scope.can_assign(root, Role.NATIONAL_ADMIN, [])
        assert not scope.can_manage_user(accounts["national_admin"], root)

    def test_nobody_hands_out_rights_they_lack(self, accounts: dict[str, User]) -> None:
        # A province officer may not change data or see identities, so creating (or resetting
        # the password of) any account that may would be a way to gain those rights.
        officer = accounts["province_officer"]
        assert scope.grantable_roles(officer) == []
        for role in Role.values:
            assert not scope.can_assign(officer, role, [Region.objects.get(code=KAB_SERANG)])
        assert not scope.can_manage_user(officer, accounts["regency_officer"])
        assert scope.grantable_roles(accounts["regency_officer"]) == [
            Role.CADRE,
            Role.COUNSELLOR,
            Role.DISTRICT_OFFICER,
        ]
