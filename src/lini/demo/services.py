"""What ``lini demo`` puts in the database. Every step reuses what already exists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q

from lini.accounts import services as account_services
from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.kampung.synthetic import kampung_generate
from lini.kb.synthetic import kb_generate
from lini.monthly.synthetic import monthly_generate
from lini.poktan.synthetic import poktan_generate
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import subtree_q
from lini.regions.services import LoadReport, bundled_wilayah_csv, read_wilayah_csv, regions_load
from lini.register.models import Family
from lini.register.synthetic import Parameters, population_generate
from lini.register.writer import WriteCounts
from lini.visits.synthetic import visits_generate
from lini.workforce.models import Cadre, CadreKind, Counsellor
from lini.workforce.synthetic import workforce_generate

if TYPE_CHECKING:
    from lini.campaigns.models import Campaign

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


DEMO_SCALE = 0.05  # a twentieth of Banten's people: the register is ready in about 30 s


def demo_population_ensure(*, scale: float, seed: int = 2019) -> WriteCounts | None:
    """A synthetic register of Banten, unless the demo already has one (None then)."""
    if Family.objects.filter(village__code__startswith="36.").exists():
        return None
    return population_generate(region=Region.objects.get(code="36"), scale=scale, seed=seed)


# The synthetic register is as of 31 October 2019 (register.synthetic.Parameters.reference_day),
# the eve of the 2019 baksos; the field work is generated up to that day too.
DEMO_DATA_DAY = Parameters().reference_day


def demo_field_work_ensure(*, seed: int = 2019) -> dict[str, dict[str, int]]:
    """Counsellors, cadres, poktan with meetings, Kampung KB profiles, facilities with a year of
    KB services and a year of monthly inputs for Banten. Each generator leaves what exists alone,
    so a second run adds nothing. The order matters: poktan take the cadres, Kampung KB scores
    read the poktan and the counsellors, services follow the register's history."""
    banten = Region.objects.get(code="36")
    day = DEMO_DATA_DAY
    counts = {
        "workforce": workforce_generate(region=banten, seed=seed),
        "poktan": poktan_generate(region=banten, seed=seed, today=day),
        "kampung": kampung_generate(region=banten, seed=seed, today=day),
        "kb": kb_generate(region=banten, seed=seed, today=day),
        # Home visits from the due lists up to the demo's today, in the demo accounts' villages.
        "visits": demo_visits_ensure(seed=seed, today=day + dt.timedelta(days=1)),
        # Through October 2019: the month that has just ended on the demo's today (1 Nov 2019).
        "monthly": monthly_generate(region=banten, seed=seed, today=day + dt.timedelta(days=1)),
    }
    demo_people_link()
    return counts


def demo_visit_regions() -> list[Region]:
    """The regions whose due lists the demo's field accounts read: the districts and villages
    of the cadre, counsellor and district-officer accounts (each village once)."""
    codes = sorted(
        {code for spec in DEMO_USERS for code in spec.region_codes if code.count(".") >= 2}
    )
    kept = [c for c in codes if not any(c.startswith(other + ".") for other in codes)]
    return list(Region.objects.filter(code__in=kept).order_by("code"))


def demo_visits_ensure(*, seed: int, today: dt.date) -> dict[str, int]:
    """A history of home visits (``visits.synthetic``) in the villages of the demo's field
    accounts, so that the cadre of Singamerta has a realistic week on 1 November 2019. After the
    KB services, which the served visits are linked to; villages that have visits are kept."""
    from lini.indicators.models import VillageMonthCount
    from lini.indicators.services import counts_refresh

    totals: dict[str, int] = {}
    regions = demo_visit_regions()
    for region in regions:
        for key, value in visits_generate(region=region, seed=seed, today=today).items():
            totals[key] = totals.get(key, 0) + value
    if totals.get("visits") and VillageMonthCount.objects.exists():
        # A demo built before the visits: its follow-through counts read them.
        villages = Region.objects.filter(
            subtree_q([r.code for r in regions]), level=RegionLevel.VILLAGE
        )
        counts_refresh(list(villages.values_list("pk", flat=True)))
    return totals


def demo_counts_ensure() -> int | None:
    """The indicator counts of Banten, built once after the bulk-generated data, and Banten's
    2019 targets (None: they exist already; later changes keep them fresh)."""
    from lini.indicators.models import VillageMonthCount
    from lini.indicators.services import counts_rebuild
    from lini.indicators.synthetic import targets_generate

    if VillageMonthCount.objects.filter(village__code__startswith="36.").exists():
        return None
    villages = Region.objects.filter(code__startswith="36.", level=RegionLevel.VILLAGE)
    rebuilt = counts_rebuild(village_ids=list(villages.order_by("pk").values_list("pk", flat=True)))
    targets_generate(province=Region.objects.get(code="36"))  # the 2019 agreement, from them
    return rebuilt


# The 2019 baksos of SCENARIO-2019.md: two districts in each of two regencies, two villages each.
BAKSOS_2019_NAME = "Baksos IPeKB Banten 2019"
BAKSOS_2019_LOKUS = (
    "36.04.09.2003", "36.04.09.2013", "36.04.11.2013", "36.04.11.2005",  # Kab. Serang
    "36.03.12.1012", "36.03.12.2011", "36.03.18.2013", "36.03.18.2010",  # Kab. Tangerang
)  # fmt: skip


def demo_campaign_ensure() -> Campaign | None:
    """The planned "Baksos IPeKB Banten 2019" (1-10 November 2019) with its eight lokus, each
    with the reasons the ranking gives, proposed targets, and a team: the counsellors who look
    after the village, its PPKBD, and the health centre's midwife as a partner (None: it exists).
    Needs the counts and the 2019 targets (the ranking reads them)."""
    from lini.campaigns.choices import TeamRole
    from lini.campaigns.models import Campaign
    from lini.campaigns.planning import CampaignValues, campaign_save, lokus_add, team_member_add

    if Campaign.objects.filter(name=BAKSOS_2019_NAME).exists():
        return None
    banten = Region.objects.get(code="36")
    with transaction.atomic():
        campaign = campaign_save(
            actor=None,
            values=CampaignValues(
                name=BAKSOS_2019_NAME,
                theme="Baksos sebagai komitmen IPeKB terhadap kinerja program KKBPK di lini lapangan",
                organisers="Perwakilan BKKBN Provinsi Banten, DPD IPeKB Banten",
                region=banten, starts_on=dt.date(2019, 11, 1), ends_on=dt.date(2019, 11, 10),
                areas=tuple(Region.objects.filter(code__in=("36.03", "36.04")).order_by("code")),
                notes="Rapat koordinasi 29 Oktober 2019 di kantor Perwakilan BKKBN Banten.",
            ),
        )  # fmt: skip
        for code in BAKSOS_2019_LOKUS:
            village = Region.objects.get(code=code)
            lokus = lokus_add(actor=None, campaign=campaign, village=village)
            counsellors = Counsellor.objects.filter(
                Q(villages=village) | Q(user__username__in=_BAKSOS_PKB.get(code[:8], ())),
                active=True,
            ).distinct().order_by("pk")  # fmt: skip
            for n, counsellor in enumerate(counsellors):
                role = TeamRole.COORDINATOR if n == 0 else TeamRole.COUNSELLING
                team_member_add(actor=None, lokus=lokus, role=role, counsellor=counsellor)
            ppkbd = Cadre.objects.filter(village=village, kind=CadreKind.PPKBD, active=True).first()
            if ppkbd is not None:
                team_member_add(actor=None, lokus=lokus, role=TeamRole.DATA, cadre=ppkbd)
            district = village.parent
            team_member_add(
                actor=None, lokus=lokus, role=TeamRole.SERVICE,
                name=f"Bidan Puskesmas {district.name.removeprefix('Kecamatan ')}",
                organisation="Dinas Kesehatan",
            )  # fmt: skip
    return campaign


# The demo counsellor accounts on the teams of their district's lokus.
_BAKSOS_PKB = {"36.04.09": ("pkb.ciruas",), "36.03.12": ("pkb.pasarkemis",)}


# Demo accounts that are people of the program: (username, district code, village code or "").
_DEMO_PEOPLE = (
    ("pkb.ciruas", "36.04.09", ""),
    ("pkb.pasarkemis", "36.03.12", ""),
    ("kader.singamerta", "", "36.04.09.2013"),
)


@transaction.atomic
def demo_people_link() -> None:
    """Link the demo's counsellor accounts to a counsellor of their district and the cadre's
    account to the PPKBD of Singamerta, so that their pages show their own work."""
    for username, district, village in _DEMO_PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        if district and not Counsellor.objects.filter(user=user).exists():
            counsellor = (
                Counsellor.objects.filter(district__code=district, user=None).order_by("pk").first()
            )
            if counsellor is not None:
                counsellor.user = user
                counsellor.save(update_fields=["user", "updated_at"])
        if village and not Cadre.objects.filter(user=user).exists():
            cadre = (
                Cadre.objects.filter(village__code=village, kind=CadreKind.PPKBD, user=None)
                .order_by("pk")
                .first()
            )
            if cadre is not None:
                cadre.user = user
                cadre.save(update_fields=["user", "updated_at"])


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
