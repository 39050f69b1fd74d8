from __future__ import annotations

import datetime as dt
import io

import pytest

from django.core.management import call_command
from django.test import Client

from lini.accounts import scope
from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.campaigns.models import Campaign
from lini.campaigns.services import can_record
from lini.demo.services import BAKSOS_2019_LOKUS, BAKSOS_2019_NAME, DEMO_PASSWORD, DEMO_USERS
from lini.indicators.models import Target, VillageMonthCount
from lini.indicators.selectors import indicator_values
from lini.kampung.models import KampungKB
from lini.kb.models import Facility, Service
from lini.monthly.models import MonthlyInput
from lini.poktan.models import Poktan, PoktanMeeting
from lini.regions.models import Region
from lini.register.models import Family
from lini.workforce.models import Cadre, Counsellor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_database(settings) -> None:  # type: ignore[no-untyped-def]
    # The suite may run on PostgreSQL through LINI_DATABASE_URL; here that is the test database.
    settings.DATABASE_URL = settings.DEFAULT_DATABASE_URL
    settings.LINI_TODAY = dt.date(2019, 11, 1)  # as `lini demo` runs (core.demo_env)


def test_demo_prepares_accounts_per_role_and_reuses_them() -> None:
    out = io.StringIO()
    call_command("demo", "--no-serve", "--population-scale", "0.001", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    assert {u.role for u in User.objects.all()} == set(Role.values)
    cadre = User.objects.get(username="kader.singamerta")
    assert scope.user_scope(cadre).codes == ("36.04.09.2013",)
    assert User.objects.get(username="pkb.ciruas").check_password(DEMO_PASSWORD)
    assert Region.objects.filter(code__startswith="36").count() == 1716
    families = Family.objects.count()
    assert families > 1000  # a synthetic register of Banten (scale 0.001 here)
    assert Family.objects.filter(village__code__startswith="36.04.09.2013").exists()
    # Field work of every kind, and the demo's people linked to their records.
    assert Counsellor.objects.get(user__username="pkb.ciruas").district.code == "36.04.09"
    assert Cadre.objects.get(user__username="kader.singamerta").village.code == "36.04.09.2013"
    for model in (Poktan, PoktanMeeting, KampungKB, Facility, Service):
        assert model.objects.exists(), model
    assert MonthlyInput.objects.filter(month=dt.date(2019, 10, 1)).exists()
    # The indicator counts of every village, built once for the bulk-generated data: the register
    # and the field work (built after it).
    for key in ("pus", "poktan_bkb", "kampung", "svc", "monthly_sent", "counsellor_assigned"):
        assert VillageMonthCount.objects.filter(month=dt.date(2019, 10, 1), key=key).exists(), key
    assert "Indicator counts: exist" not in text
    # The 2019 agreement: Kab. Serang and Kab. Tangerang are behind on CPR, as in 2019.
    for code in ("36.04", "36.03"):
        value = indicator_values(region=Region.objects.get(code=code), period="2019-10")["cpr"]
        target = Target.objects.get(indicator__code="cpr", region__code=code, year=2019)
        assert value.value < target.value, code
    # The planned 2019 baksos: its eight lokus with reasons, targets and teams; the demo PKB of
    # Ciruas on the Singamerta team, so that they can record there.
    baksos = Campaign.objects.get(name=BAKSOS_2019_NAME)
    assert (baksos.starts_on, baksos.ends_on) == (dt.date(2019, 11, 1), dt.date(2019, 11, 10))
    assert sorted(baksos.lokus.values_list("village__code", flat=True)) == sorted(BAKSOS_2019_LOKUS)
    singamerta = baksos.lokus.get(village__code="36.04.09.2013")
    assert singamerta.reasons
    assert singamerta.targets
    assert can_record(User.objects.get(username="pkb.ciruas"), singamerta)
    assert can_record(User.objects.get(username="kader.singamerta"), singamerta)
    assert not can_record(User.objects.get(username="pkb.pasarkemis"), singamerta)
    assert "Baksos 2019: Baksos IPeKB Banten 2019: 8 lokus planned" in text
    field = (Counsellor.objects.count(), Poktan.objects.count(), Service.objects.count())

    cadre.set_password("changed-by-the-user-1")
    cadre.save()
    again = io.StringIO()
    call_command("demo", "--no-serve", "--population-scale", "0.001", stdout=again)
    assert User.objects.count() == len(DEMO_USERS)
    assert "exists, password unchanged" in again.getvalue()
    assert "Population: exists" in again.getvalue()
    assert "Indicator counts: exist" in again.getvalue()
    assert "Baksos 2019: exists" in again.getvalue()
    assert Campaign.objects.count() == 1
    assert (Counsellor.objects.count(), Poktan.objects.count(), Service.objects.count()) == field
    cadre.refresh_from_db()
    assert cadre.check_password("changed-by-the-user-1")


def test_demo_accounts_can_log_in(client: Client) -> None:
    call_command("demo", "--no-serve", "--population-scale", "0.001", stdout=io.StringIO())
    assert client.login(username="kab.serang", password=DEMO_PASSWORD)
    assert "Kabupaten Serang" in client.get("/").content.decode()


def test_demo_refuses_another_database_unless_forced(settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import CommandError

    settings.DATABASE_URL = "postgres://lini@db.example/lini"
    with pytest.raises(CommandError, match="--force"):
        call_command("demo", "--no-serve", "--population-scale", "0.001", stdout=io.StringIO())
    assert not User.objects.exists()
