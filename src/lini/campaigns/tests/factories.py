"""A campaign for tests: Kab. Serang's office plans it, November 2019."""

from __future__ import annotations

import datetime as dt

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.campaigns.choices import TeamRole
from lini.campaigns.models import Campaign, Lokus
from lini.campaigns.planning import CampaignValues, campaign_save, lokus_add, team_member_add
from lini.regions.models import Region
from lini.workforce.tests.factories import make_counsellor

FIRST, LAST = dt.date(2019, 11, 1), dt.date(2019, 11, 10)


def make_campaign(
    region_code: str = "36",
    *,
    name: str = "Baksos IPeKB Banten 2019",
    starts_on: dt.date = FIRST,
    ends_on: dt.date = LAST,
    actor: User | None = None,
) -> Campaign:
    return campaign_save(
        actor=actor,
        values=CampaignValues(
            name=name, region=Region.objects.get(code=region_code), starts_on=starts_on,
            ends_on=ends_on, theme="IPeKB untuk KKBPK", organisers="BKKBN Banten, DPD IPeKB Banten",
        ),
    )  # fmt: skip


def add_lokus(campaign: Campaign, village_code: str) -> Lokus:
    return lokus_add(actor=None, campaign=campaign, village=Region.objects.get(code=village_code))


def team_counsellor(lokus: Lokus, district: str, *, username: str) -> User:
    """A PKB with an account (assigned to ``lokus``'s village) on the team of ``lokus``."""
    user = make_user(Role.COUNSELLOR, lokus.village.code, username=username)
    counsellor = make_counsellor(district, lokus.village.code, name=f"PKB {username}",
                                 username=username)  # fmt: skip
    team_member_add(actor=None, lokus=lokus, role=TeamRole.SERVICE, counsellor=counsellor)
    return user


def tiny_jpeg(*, with_gps: bool = False) -> bytes:
    """A real 8 x 6 JPEG (decodable), with an EXIF block naming a place when ``with_gps``."""
    import io

    from PIL import Image

    image = Image.new("RGB", (8, 6), (200, 30, 30))
    out = io.BytesIO()
    if with_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "S", 2: (6.0, 7.0, 30.0), 3: "E", 4: (106.0, 15.0, 0.0)}  # GPS
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()
