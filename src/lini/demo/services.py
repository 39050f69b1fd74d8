"""What ``lini demo`` puts in the database. Every step reuses what already exists."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from lini.accounts import services as account_services
from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.regions.models import Region
from lini.regions.services import LoadReport, bundled_wilayah_csv, read_wilayah_csv, regions_load
from lini.register.models import Family
from lini.register.synthetic import population_generate
from lini.register.writer import WriteCounts

DEMO_PASSWORD = "Banten-Baksos-2019"  # noqa: S105 - printed on purpose: a demo, never production


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    region_codes: tuple[str, ...]
    first_name: str
    last_name: str = ""


# The people of the November 2019 baksos (../shared/domain/SCENARIO-2019.md), one per role.
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", Role.NATIONAL_ADMIN, (), "Admin", "Nasional"),
    DemoUser("provinsi.banten", Role.PROVINCE_OFFICER, ("36",), "Petugas", "Provinsi Banten"),
    DemoUser("kab.serang", Role.REGENCY_OFFICER, ("36.04",), "Petugas", "Kab. Serang"),
    DemoUser("kab.tangerang", Role.REGENCY_OFFICER, ("36.03",), "Petugas", "Kab. Tangerang"),
    DemoUser("kec.ciruas", Role.DISTRICT_OFFICER, ("36.04.09",), "PPLKB", "Ciruas"),
    DemoUser("pkb.ciruas", Role.COUNSELLOR, ("36.04.09",), "PKB", "Ciruas"),
    DemoUser("pkb.pasarkemis", Role.COUNSELLOR, ("36.03.12",), "PKB", "Pasar Kemis"),
    DemoUser("kader.singamerta", Role.CADRE, ("36.04.09.2013",), "Kader", "Singamerta"),
)


DEMO_SCALE = 0.05  # a twentieth of Banten's people: ready in well under a minute


def demo_population_ensure(*, scale: float, seed: int = 2019) -> WriteCounts | None:
    """A synthetic register of Banten, unless the demo already has one (None then)."""
    if Family.objects.filter(village__code__startswith="36.").exists():
        return None
    return population_generate(region=Region.objects.get(code="36"), scale=scale, seed=seed)


def demo_regions_load(*, all_regions: bool) -> LoadReport:
    """Banten (36) by default; every province with ``all_regions``."""
    rows = read_wilayah_csv(bundled_wilayah_csv(), province=None if all_regions else "36")
    return regions_load(rows=rows)


@transaction.atomic
def demo_users_ensure() -> list[tuple[DemoUser, bool]]:
    """Create the demo accounts that do not exist yet; returns each with whether it was created."""
    result = []
    for spec in DEMO_USERS:
        if User.objects.filter(username=spec.username).exists():
            result.append((spec, False))
            continue
        regions = list(Region.objects.filter(code__in=spec.region_codes))
        account_services.user_create(
            actor=None,
            username=spec.username,
            role=spec.role,
            regions=regions,
            password=DEMO_PASSWORD,
            first_name=spec.first_name,
            last_name=spec.last_name,
        )
        result.append((spec, True))
    return result
