"""The login-security pages of accounts in the permission walk (see lini/web/tests/walk.py): the
Tangerang cadre's account is locked and has two-step login on, so that the administrators'
"unlock" and "turn off two-step login" have something to do."""

from __future__ import annotations

from axes.models import AccessAttempt
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.conf import settings

from lini.accounts import totp
from lini.web.tests.walk import Case, World

TANGERANG_CADRE = "kader.tangerang"  # the world's Tangerang cadre


def prepare(world: World) -> None:
    AccessAttempt.objects.create(
        username=world.tangerang_cadre.username, ip_address="10.0.0.9", user_agent="walk",
        http_accept="*/*", path_info="/akun/masuk/", get_data="", post_data="",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
    )  # fmt: skip
    TOTPDevice.objects.create(
        user=world.tangerang_cadre, name="Lini", key=totp.new_key(), confirmed=True
    )


def snapshot() -> tuple[object, ...]:
    return (
        AccessAttempt.objects.filter(username=TANGERANG_CADRE).count(),
        TOTPDevice.objects.filter(user__username=TANGERANG_CADRE).count(),
    )


CASES: dict[str, Case] = {
    "accounts:login_code": Case(denied=False),
    "accounts:two_factor": Case(denied=False),
    "accounts:two_factor_disable": Case(denied=False, method="post", data={"code": "000000"}),
    "accounts:user_unlock": Case(
        lambda w: {"pk": w.tangerang_cadre.pk},
        method="post",
        effect=lambda w: (
            not AccessAttempt.objects.filter(username=w.tangerang_cadre.username).exists()
        ),
    ),
    "accounts:user_two_factor_reset": Case(
        lambda w: {"pk": w.tangerang_cadre.pk},
        method="post",
        effect=lambda w: not TOTPDevice.objects.filter(user=w.tangerang_cadre).exists(),
    ),
}
