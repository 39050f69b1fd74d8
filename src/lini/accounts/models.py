"""User accounts: a role and the regions the user is assigned to."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from lini.accounts.roles import Role
from lini.core.models import TimeStampedModel


class UserManager(DjangoUserManager):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("role", Role.NATIONAL_ADMIN)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """A person who logs in to Lini. What they may read and change is decided by
    :mod:`lini.accounts.scope` from their ``role`` and assigned regions."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CADRE)
    regions = models.ManyToManyField(
        "regions.Region",
        through="RegionAssignment",
        related_name="+",
        verbose_name=_("assigned regions"),
        blank=True,
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_known"
            ),
        ]

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username


class RegionAssignment(TimeStampedModel):
    """A region a user works in; the user may act on it and everything below it."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("user")
    )
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("region"),
    )

    class Meta:
        verbose_name = _("region assignment")
        verbose_name_plural = _("region assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "region"], name="assignment_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.region.code}"
