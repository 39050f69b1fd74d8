"""The due-list pages (issue 9): the list of a week in walking order, the outcomes recorded from
it in two taps (with and without htmx), the family page's forms, scope and read-only users."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditEntry
from lini.kb.choices import Product, VisitType
from lini.kb.models import Service
from lini.kb.services import service_record
from lini.kb.tests.factories import day
from lini.regions.models import Region
from lini.regions.tests.places import (
    BANTEN,
    CIRUAS,
    KAB_SERANG,
    KAB_TANGERANG,
    PULO,
    SINGAMERTA,
)
from lini.register.choices import (
    EventSource,
    KBStatus,
    MaritalStatus,
    Method,
    NotUsingReason,
    Presence,
    Relation,
    Sex,
)
from lini.register.identity import mask
from lini.register.models import Couple, Family, Member
from lini.register.records import FamilyRecord, MemberRecord, StatusRecord
from lini.register.writer import register_write
from lini.visits.models import DueRule, Visit

pytestmark = pytest.mark.django_db

URL = reverse("visits:due_list")
OUTCOME = reverse("visits:visit_outcome")
WEEK = "2019-W44"  # Mon 28 Oct - Sun 3 Nov 2019
HTMX = {"HX-Request": "true"}


class PageCheck(HTMLParser):
    """What the CSP would block (inline scripts and styles, event-handler attributes), and
    whether each POST form carries the CSRF token (as web/tests/test_security_pages.py)."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self.post_forms: list[bool] = []
        self._in_post_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.inline += [f"<{tag} {n}>" for n, _v in attrs if n.startswith("on") or n == "style"]
        if tag == "style" or (tag == "script" and not values.get("src")):
            self.inline.append(f"<{tag}>")
        if tag == "form" and (values.get("method") or "get").lower() == "post":
            self.post_forms.append(False)
            self._in_post_form = True
        if self._in_post_form and tag == "input" and values.get("name") == "csrfmiddlewaretoken":
            self.post_forms[-1] = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_post_form = False


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def make_household(
    serial: int,
    wife: str,
    *,
    dusun: str,
    rw: str,
    rt: str,
    status: StatusRecord | None,
    village: str = SINGAMERTA,
    collected_on: dt.date | None = None,
    head: str = "",
) -> Family:
    """A family of a head (born 8 Aug 1980) and, when ``status`` is given, his wife ``wife``
    (born 8 Aug 1982) with that KB status; in a dusun, RW and RT."""
    region = Region.objects.get(code=village)
    digits = village.replace(".", "")[:6]
    members = [
        MemberRecord(
            nik=f"{digits}080880{serial:04d}", name=head or f"Suami {wife}", sex=Sex.MALE,
            birth_date=dt.date(1980, 8, 8), relation=Relation.HEAD,
            marital_status=MaritalStatus.MARRIED if status else MaritalStatus.SINGLE,
        )
    ]  # fmt: skip
    if status is not None:
        members.append(
            MemberRecord(
                nik=f"{digits}480882{serial:04d}", name=wife, sex=Sex.FEMALE,
                birth_date=dt.date(1982, 8, 8), relation=Relation.SPOUSE,
                marital_status=MaritalStatus.MARRIED, status=status,
            )
        )  # fmt: skip
    kk = f"{digits}55555{serial:05d}"
    register_write(
        records=[
            FamilyRecord(
                kk_number=kk, village_id=region.pk, village_code=region.code, dusun=dusun, rw=rw,
                rt=rt, address=f"Kp. {dusun} no. {serial}", collected_on=collected_on,
                members=members,
            )
        ],
        source=EventSource.COLLECTION,
    )  # fmt: skip
    return Family.objects.get(kk_number=kk)


def injectable_user(serial: int, wife: str, last: str, **place: str) -> Couple:
    """A wife on 3-monthly injections since 2018, last injected on ``last``."""
    family = make_household(
        serial, wife, **place,
        status=StatusRecord(status=KBStatus.USING, method=Method.INJECTABLE, since=day("2018-01-10")),
    )  # fmt: skip
    couple = Couple.objects.get(family=family)
    service_record(
        actor=None, couple=couple, served_on=day(last), method=Method.INJECTABLE,
        visit_type=VisitType.REPEAT, product=Product.INJECTABLE_3M,
    )  # fmt: skip
    return couple


@pytest.fixture
def today(settings) -> dt.date:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = day("2019-11-01")  # a Friday of 2019-W44, the demo's day
    return settings.LINI_TODAY


@pytest.fixture
def singamerta(today: dt.date) -> dict[str, Couple]:
    """Three couples of Singamerta due in 2019-W44, in three places of the village:
    Siti (3-monthly injection due on 31 Oct), Nur (due on 19 Sep, overdue since 18 Oct: at risk
    of dropping out) and Rina (unmet need since May: counselling, served with a new method)."""
    return {
        "siti": injectable_user(1, "Siti Aminah", "2019-08-01", dusun="Krajan", rw="002", rt="001"),
        "nur": injectable_user(2, "Nur Hayati", "2019-06-20", dusun="Krajan", rw="001", rt="003"),
        "rina": Couple.objects.get(
            family=make_household(
                3,
                "Rina Marlina",
                dusun="Babakan",
                rw="004",
                rt="001",
                status=StatusRecord(
                    status=KBStatus.NOT_USING,
                    reason=NotUsingReason.NO_MORE_CHILDREN,
                    since=day("2019-05-01"),
                ),
            )
        ),
    }


def _cadre(client: Client, code: str = SINGAMERTA) -> Client:
    client.force_login(make_user(Role.CADRE, code))
    return english(client)


def _page(client: Client, **query: str) -> str:
    response = client.get(URL, {"minggu": WEEK, **query})
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _counts(page: str) -> dict[str, int]:
    block = page.split('id="due-counts"')[1].split("</dl>")[0]
    return {
        name: int(value) for name, value in re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", block)
    }


def _hidden(couple: Couple, rule_code: str = "suntik-3", **extra: str) -> dict[str, str]:
    rule = DueRule.objects.get(code=rule_code)
    return {
        "family": str(couple.family_id), "couple": str(couple.pk), "rule": str(rule.pk),
        "due_on": "2019-10-31", "week": WEEK, "region": "", **extra,
    }  # fmt: skip


# The list ----------------------------------------------------------------------------------


def test_the_cadre_sees_the_week_in_walking_order(
    client: Client, singamerta: dict[str, Couple]
) -> None:
    page = _page(_cadre(client))
    # Grouped by village, dusun, RW and RT: Babakan before Krajan, RW 001 before RW 002.
    assert page.index("Rina Marlina") < page.index("Nur Hayati") < page.index("Siti Aminah")
    labels = re.findall(r'<section class="due-group">\s*<h2>([^<]+)</h2>', page)
    assert labels == [
        "Singamerta · Dusun Babakan · RW 004 · RT 001",
        "Singamerta · Dusun Krajan · RW 001 · RT 003",
        "Singamerta · Dusun Krajan · RW 002 · RT 001",
    ]
    assert _counts(page) == {"Families": 3, "Items": 3, "Overdue": 2, "At risk of dropout": 1}
    assert "Week 44, 2019" in page
    assert "28 Oct \N{EN DASH} 3 Nov 2019" in page
    siti = page.split(f'id="family-{singamerta["siti"].family_id}"')[1].split("</article>")[0]
    assert "3-monthly injection due" in siti
    assert "due since 31 Oct 2019" in siti
    assert "overdue" not in siti
    assert "KB participant card; the supply, or a referral to the midwife" in siti
    assert "K/IV/KB" in siti
    assert "Last contact: 1 Aug 2019 (served)" in siti
    assert "Kp. Krajan no. 1" in siti
    nur = page.split(f'id="family-{singamerta["nur"].family_id}"')[1].split("</article>")[0]
    assert "overdue since 18 Oct 2019" in nur
    assert "at risk of dropout" in nur
    rina = page.split(f'id="family-{singamerta["rina"].family_id}"')[1].split("</article>")[0]
    assert "Unmet need: counsel on KB" in rina
    assert "overdue since 1 Jun 2019" in rina  # since 1 May, 30 days' grace
    assert "at risk of dropout" not in rina
    assert "Last contact: none recorded" in rina
    # The cadre may not see identity numbers: masked.
    kk = singamerta["siti"].family.kk_number
    assert mask(kk) in page
    assert kk not in page
    # Outcome buttons: one-tap "served" for the injection, the family page for unmet need.
    assert siti.count('name="outcome" value="served"') == 1
    assert 'name="outcome" value="served"' not in rina
    assert "action=serve" in rina
    # Downloads of the same list, and the follow-through figures.
    for fmt in ("pdf", "csv", "xlsx", "json"):
        assert f"{reverse('visits:due_export')}?minggu={WEEK}&amp;format={fmt}" in page
    assert reverse("visits:followthrough") in page


def test_the_default_week_is_today_s_and_dates_are_indonesian(
    client: Client, singamerta: dict[str, Couple]
) -> None:
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    page = client.get(URL).content.decode()  # no language cookie: Bahasa Indonesia
    assert "28 Okt \N{EN DASH} 3 Nov 2019" in page
    assert "Siti Aminah" in page
    assert "minggu=2019-W43" in page  # previous week
    assert "minggu=2019-W45" in page  # next week


def test_a_bad_week_is_a_clear_message(client: Client, today: dt.date) -> None:
    _cadre(client)
    response = client.get(URL, {"minggu": "2019-W60"})
    assert response.status_code == 400
    assert "2019 has no week 60." in response.content.decode()
    response = client.get(URL, {"minggu": "minggu depan"})
    assert response.status_code == 400
    assert "Write the week as YYYY-Www, for example 2019-W44." in response.content.decode()


def test_a_counsellor_sees_the_numbers_and_the_view_is_audited(
    client: Client, singamerta: dict[str, Couple]
) -> None:
    client.force_login(make_user(Role.COUNSELLOR, CIRUAS))
    before = AuditEntry.objects.filter(action="view_identity").count()
    # A district of 15 villages is too many for one page: the user picks, or asks for all.
    first = _page(english(client))
    assert "This list covers 15 villages" in first
    assert singamerta["siti"].family.kk_number not in first
    assert f"wilayah={SINGAMERTA}" in first
    assert AuditEntry.objects.filter(action="view_identity").count() == before
    page = _page(english(client), semua="1")
    assert singamerta["siti"].family.kk_number in page
    assert AuditEntry.objects.filter(action="view_identity").count() == before + 1
    # A district fits one list; the villages are offered to narrow it down.
    assert "Narrow the list down" in page
    assert f"wilayah={SINGAMERTA}" in page
    assert f"wilayah={PULO}" in page


def test_a_wide_scope_picks_a_region_first_and_the_province_reads_only(
    client: Client, singamerta: dict[str, Couple], settings
) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_DUE_MAX_VILLAGES = 40
    officer = make_user(Role.PROVINCE_OFFICER, BANTEN)
    client.force_login(officer)
    page = _page(english(client))
    assert "A due list covers at most 40 villages" in page
    assert f"wilayah={KAB_SERANG}" in page  # the regencies of Banten, to begin with
    assert "Siti Aminah" not in page
    page = _page(client, wilayah=KAB_SERANG)
    assert "choose a district or a village" in page
    ciruas = page.split(f"wilayah={CIRUAS}")[1].split("</li>")[0]
    villages = Region.objects.filter(code__startswith=CIRUAS + ".", level=4).count()
    assert f"{villages} villages" in ciruas
    page = _page(client, wilayah=SINGAMERTA)
    assert "Siti Aminah" in page
    assert "You can read this list" in page
    assert 'name="outcome"' not in page
    assert "Record the visit" not in page
    # ... and may not record through the URL either.
    response = client.post(OUTCOME, _hidden(singamerta["siti"], outcome="counselled"))
    assert response.status_code == 403
    assert not Visit.objects.exists()


def test_regions_outside_the_scope_or_unknown_are_refused(
    client: Client, singamerta: dict[str, Couple]
) -> None:
    _cadre(client)
    assert client.get(URL, {"wilayah": KAB_TANGERANG}).status_code == 403
    assert client.get(URL, {"wilayah": "36.99"}).status_code == 404
    assert client.get(URL, {"wilayah": PULO}).status_code == 403


def test_the_list_reads_a_fixed_number_of_queries(
    client: Client, singamerta: dict[str, Couple]
) -> None:
    _cadre(client)
    with CaptureQueriesContext(connection) as three:
        _page(client)
    injectable_user(4, "Dewi Lestari", "2019-08-02", dusun="Krajan", rw="003", rt="002")
    injectable_user(5, "Yuli Astuti", "2019-08-03", dusun="Babakan", rw="005", rt="001")
    with CaptureQueriesContext(connection) as five:
        page = _page(client)
    assert "Yuli Astuti" in page
    assert len(five) == len(three)


# Outcomes from the list --------------------------------------------------------------------


def test_served_in_one_tap_records_the_service_and_drops_the_family(
    client: Client, singamerta: dict[str, Couple], today: dt.date
) -> None:
    _cadre(client)
    siti = singamerta["siti"]
    response = client.post(OUTCOME, _hidden(siti, outcome="served", region=SINGAMERTA))
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.url).query) == {"minggu": [WEEK], "wilayah": [SINGAMERTA]}
    service = Service.objects.get(couple=siti, served_on=today)
    assert (service.method, service.product, service.visit_type) == (
        Method.INJECTABLE, Product.INJECTABLE_3M, VisitType.REPEAT,
    )  # fmt: skip
    visit = Visit.objects.get(family=siti.family)
    assert (visit.outcome, visit.service, visit.due_on) == ("served", service, day("2019-10-31"))
    page = client.get(response.url).content.decode()
    assert "Recorded: served — KB service added." in page
    assert "Siti Aminah" not in page
    assert _counts(page)["Families"] == 2


def test_served_twice_shows_why_the_second_is_refused(
    client: Client, singamerta: dict[str, Couple]
) -> None:
    _cadre(client)
    data = _hidden(singamerta["siti"], outcome="served")
    client.post(OUTCOME, data)
    response = client.post(OUTCOME, data, follow=True)
    page = response.content.decode()
    # Served once, the item left the list: a second tap (a double tap, another phone) records
    # nothing.
    assert "This item is no longer due in week 2019-W44: nothing was recorded." in page
    assert (
        Service.objects.filter(couple=singamerta["siti"], served_on=day("2019-11-01")).count() == 1
    )
    assert Visit.objects.count() == 1


def test_not_at_home_moves_the_date(
    client: Client, singamerta: dict[str, Couple], today: dt.date
) -> None:
    _cadre(client)
    siti = singamerta["siti"]
    response = client.post(OUTCOME, _hidden(siti, outcome="not_home"), follow=True)
    page = response.content.decode()
    # Not at home on Fri 1 Nov: again 3 days later, on Monday of the next week.
    assert "Recorded: not at home — due again from 4 Nov 2019." in page
    assert "Siti Aminah" not in page
    assert not Service.objects.filter(served_on=today).exists()
    next_week = _page(client, minggu="2019-W45")
    card = next_week.split(f'id="family-{siti.family_id}"')[1].split("</article>")[0]
    assert "due since 31 Oct 2019" in card
    assert "visit again from 4 Nov 2019" in card
    assert "Last contact: 1 Nov 2019 (not at home)" in card


def test_moved_away_ends_the_couple(client: Client, singamerta: dict[str, Couple]) -> None:
    _cadre(client)
    nur = singamerta["nur"]
    page = client.post(OUTCOME, _hidden(nur, outcome="moved"), follow=True).content.decode()
    assert "Recorded: moved away — marked as moved away in the register." in page
    nur.refresh_from_db()
    assert nur.ended_on is not None
    assert nur.wife.presence == Presence.MOVED
    assert nur.husband is not None
    assert nur.husband.presence == Presence.MOVED
    assert "Nur Hayati" not in page


def test_counselled_and_refused_are_recorded(client: Client, singamerta: dict[str, Couple]) -> None:
    _cadre(client)
    rina = singamerta["rina"]
    page = client.post(
        OUTCOME, _hidden(rina, "unmet-need", outcome="counselled"), follow=True
    ).content.decode()
    assert "Recorded: counselled." in page
    assert "Rina Marlina" not in page
    # From the family page's buttons, back to the family page.
    nur = singamerta["nur"]
    response = client.post(OUTCOME, _hidden(nur, outcome="refused", back="family"))
    assert urlsplit(response.url).path == reverse(
        "visits:due_family", kwargs={"family_id": nur.family_id}
    )
    page = client.get(response.url).content.decode()
    assert "Recorded: refused." in page
    assert "Nothing is due for this family this week." in page
    assert "refused" in page.split("<h2>Visits</h2>")[1]
    assert sorted(Visit.objects.values_list("outcome", flat=True)) == ["counselled", "refused"]
    assert not Service.objects.filter(served_on=day("2019-11-01")).exists()


def test_died_on_a_couple_s_item_is_the_wife(client: Client, singamerta: dict[str, Couple]) -> None:
    _cadre(client)
    nur = singamerta["nur"]
    client.post(OUTCOME, _hidden(nur, outcome="died"))
    nur.refresh_from_db()
    assert nur.wife.presence == Presence.DIED
    assert nur.ended_on is not None
    assert Visit.objects.get().member == nur.wife


def test_a_refusal_of_the_service_is_shown(client: Client, singamerta: dict[str, Couple]) -> None:
    _cadre(client)
    data = _hidden(singamerta["siti"], outcome="counselled")
    del data["couple"]  # an item about a couple, posted without it: no such item
    page = client.post(OUTCOME, data, follow=True).content.decode()
    assert "This item is no longer due in week 2019-W44: nothing was recorded." in page
    assert not Visit.objects.exists()
    response = client.post(OUTCOME, {**data, "outcome": "danced"}, follow=True)
    assert "Choose what came of the visit." in response.content.decode()


# htmx ------------------------------------------------------------------------------------


def test_htmx_gets_the_card_or_a_confirmation_and_the_counts(
    client: Client, singamerta: dict[str, Couple], settings
) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = day("2019-10-31")  # Thursday: not at home moves to Sunday, same week
    _cadre(client)
    siti, nur = singamerta["siti"], singamerta["nur"]
    response = client.post(OUTCOME, _hidden(nur, outcome="served"), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(
        rf'<p class="card due-done message success" id="family-{nur.family_id}" role="status">'
        r"Recorded: served — KB service added\.</p>",
        html,
    )
    assert "Nur Hayati" not in html
    assert '<dl class="due-counts" id="due-counts" hx-swap-oob="true"' in html
    assert _counts(html) == {"Families": 2, "Items": 2, "Overdue": 1, "At risk of dropout": 0}
    assert "<html" not in html
    # Not at home on Thursday: due again on Sunday, still this week: the card stays, updated.
    response = client.post(OUTCOME, _hidden(siti, outcome="not_home"), headers=HTMX)
    html = response.content.decode()
    card = html.split(f'id="family-{siti.family_id}"')[1].split("</article>")[0]
    assert "Recorded: not at home — due again from 3 Nov 2019." in card
    assert "visit again from 3 Nov 2019" in card
    assert 'hx-post="' in card
    # A refusal keeps the card, with the reason next to the item.
    data = _hidden(siti, outcome="counselled")
    del data["couple"]
    html = client.post(OUTCOME, data, headers=HTMX).content.decode()
    assert response.status_code == 200
    assert "This item is no longer due in week 2019-W44: nothing was recorded." in html
    # "served" of an unmet need goes on to the family page, as a whole-page visit.
    rina = singamerta["rina"]
    response = client.post(OUTCOME, _hidden(rina, "unmet-need", outcome="served"), headers=HTMX)
    assert response.status_code == 204
    target = urlsplit(response["HX-Redirect"])
    assert target.path == reverse("visits:due_family", kwargs={"family_id": rina.family_id})
    assert parse_qs(target.query)["action"] == ["serve"]


# The family page ---------------------------------------------------------------------------


def test_served_with_a_new_method_on_the_family_page(
    client: Client, singamerta: dict[str, Couple], today: dt.date
) -> None:
    _cadre(client)
    rina = singamerta["rina"]
    response = client.post(OUTCOME, _hidden(rina, "unmet-need", outcome="served"))
    assert response.status_code == 302
    form_url = response.url
    page = client.get(form_url).content.decode()
    assert "Visited and served" in page
    assert 'name="method"' in page
    assert 'name="product"' in page
    assert 'value="2019-11-01"' in page  # the date, today by default
    query = parse_qs(urlsplit(form_url).query)
    data = {
        "action": "serve", "item": query["item"][0], "week": WEEK, "region": "",
        "method": Method.PILL, "product": Product.INJECTABLE_3M, "visit_type": VisitType.NEW,
        "visited_on": "2019-11-01",
    }  # fmt: skip
    page = client.post(form_url, data).content.decode()
    assert "3-monthly injection is not a product of the method pill." in page
    assert not Service.objects.filter(couple=rina).exists()
    data.update(method=Method.INJECTABLE)
    response = client.post(form_url, data)
    assert response.status_code == 302
    assert response.url == f"{URL}?minggu={WEEK}"
    service = Service.objects.get(couple=rina)
    assert (service.method, service.product, service.visit_type, service.served_on) == (
        Method.INJECTABLE, Product.INJECTABLE_3M, VisitType.NEW, today,
    )  # fmt: skip
    rina.refresh_from_db()
    assert (rina.status, rina.method) == (KBStatus.USING, Method.INJECTABLE)
    page = client.get(response.url).content.decode()
    assert "Rina Marlina" not in page
    # The family page keeps the visit in its history.
    history = client.get(
        reverse("visits:due_family", kwargs={"family_id": rina.family_id})
    ).content.decode()
    assert "visited and served" in history
    assert "injectable · new acceptor" in history


def test_a_future_date_is_refused_on_its_field(
    client: Client, singamerta: dict[str, Couple]
) -> None:
    _cadre(client)
    rina = singamerta["rina"]
    form_url = client.post(OUTCOME, _hidden(rina, "unmet-need", outcome="served")).url
    query = parse_qs(urlsplit(form_url).query)
    page = client.post(
        form_url,
        {
            "action": "serve",
            "item": query["item"][0],
            "week": WEEK,
            "method": Method.PILL,
            "visit_type": VisitType.NEW,
            "visited_on": "2019-11-02",
        },
    ).content.decode()
    assert "The day of the visit is in the future." in page
    assert not Visit.objects.exists()


def test_died_on_a_family_item_asks_who(client: Client, today: dt.date) -> None:
    # A family not seen since its data collection in 2018: a family item (no couple).
    family = make_household(
        7, "Ani Suryani", head="Ujang Sutisna", dusun="Krajan", rw="001", rt="001",
        collected_on=day("2018-06-01"),
        status=StatusRecord(status=KBStatus.USING, method=Method.PILL, since=day("2018-01-10")),
    )  # fmt: skip
    _cadre(client)
    rule = DueRule.objects.get(code="lama-tak-dikunjungi")
    page = _page(client)
    card = page.split(f'id="family-{family.pk}"')[1].split("</article>")[0]
    assert "Not visited or updated for a long time" in card
    assert 'name="outcome" value="served"' not in card  # nothing to serve
    data = {
        "family": str(family.pk), "rule": str(rule.pk), "due_on": "2019-06-01", "week": WEEK,
        "outcome": "died",
    }  # fmt: skip
    response = client.post(OUTCOME, data)
    assert response.status_code == 302
    form_url = response.url
    assert "action=died" in form_url
    page = client.get(form_url).content.decode()
    head = family.members.get(relation=Relation.HEAD)
    assert f'<option value="{head.pk}">Ujang Sutisna (head of family)</option>' in page
    query = parse_qs(urlsplit(form_url).query)

    def died(member: Member) -> HttpResponse:
        return client.post(
            form_url,
            {
                "action": "died",
                "item": query["item"][0],
                "week": WEEK,
                "member": str(member.pk),
                "visited_on": "2019-11-01",
            },
        )

    # The head died: his widowed wife becomes the head, and the couple ends.
    response = died(head)
    assert response.status_code == 302
    head.refresh_from_db()
    wife = family.members.get(name="Ani Suryani")
    assert head.presence == Presence.DIED
    assert (wife.relation, wife.marital_status) == (Relation.HEAD, "cerai_mati")
    assert Couple.objects.get(family=family).ended_on is not None
    visit = Visit.objects.get(family=family)
    assert (visit.outcome, visit.member, visit.rule) == ("died", head, rule)
    page = client.get(response.url).content.decode()
    assert "Recorded: died — Ujang Sutisna marked as died in the register." in page
    assert f"family-{family.pk}" not in page


def test_an_item_no_longer_due_records_nothing(
    client: Client, singamerta: dict[str, Couple]
) -> None:
    _cadre(client)
    rina = singamerta["rina"]
    form_url = client.post(OUTCOME, _hidden(rina, "unmet-need", outcome="served")).url
    query = parse_qs(urlsplit(form_url).query)
    client.post(OUTCOME, _hidden(rina, "unmet-need", outcome="counselled"))
    response = client.post(
        form_url,
        {
            "action": "serve",
            "item": query["item"][0],
            "week": WEEK,
            "method": Method.PILL,
            "visit_type": VisitType.NEW,
            "visited_on": "2019-11-01",
        },
        follow=True,
    )
    assert "This item is no longer due in week 2019-W44: nothing was recorded." in (
        response.content.decode()
    )
    assert not Service.objects.filter(couple=rina).exists()


# Scope -------------------------------------------------------------------------------------


def test_a_family_outside_the_scope_is_not_found_and_nothing_is_written(
    client: Client, singamerta: dict[str, Couple]
) -> None:
    _cadre(client, PULO)  # a cadre of the next village
    siti, rina = singamerta["siti"], singamerta["rina"]
    assert "Siti Aminah" not in _page(client)
    assert client.post(OUTCOME, _hidden(siti, outcome="served")).status_code == 404
    assert client.post(OUTCOME, _hidden(siti, outcome="moved"), headers=HTMX).status_code == 404
    family_url = reverse("visits:due_family", kwargs={"family_id": rina.family_id})
    assert client.get(family_url).status_code == 404
    rule = DueRule.objects.get(code="unmet-need")
    response = client.post(
        family_url,
        {
            "action": "serve",
            "item": f"{rule.pk}-{rina.family_id}-{rina.pk}",
            "week": WEEK,
            "method": Method.PILL,
            "visit_type": VisitType.NEW,
            "visited_on": "2019-11-01",
        },
    )
    assert response.status_code == 404
    assert not Visit.objects.exists()
    assert not Service.objects.filter(served_on=day("2019-11-01")).exists()
    siti.refresh_from_db()
    assert siti.ended_on is None


def test_a_couple_of_another_family_is_refused(
    client: Client, singamerta: dict[str, Couple]
) -> None:
    _cadre(client)
    data = _hidden(singamerta["siti"], outcome="moved")
    data["couple"] = str(singamerta["nur"].pk)
    assert client.post(OUTCOME, data).status_code == 404
    assert Couple.objects.filter(ended_on__isnull=False).count() == 0


def test_the_family_page_is_read_only_for_the_province(
    client: Client, singamerta: dict[str, Couple]
) -> None:
    client.force_login(make_user(Role.PROVINCE_OFFICER, BANTEN))
    rina = singamerta["rina"]
    url = reverse("visits:due_family", kwargs={"family_id": rina.family_id})
    page = english(client).get(url, {"minggu": WEEK}).content.decode()
    assert "Rina Marlina" in page
    assert "Record the visit" not in page
    rule = DueRule.objects.get(code="unmet-need")
    item = f"{rule.pk}-{rina.family_id}-{rina.pk}"
    page = client.get(url, {"minggu": WEEK, "item": item, "action": "serve"}).content.decode()
    assert 'name="method"' not in page
    response = client.post(
        url,
        {
            "action": "serve",
            "item": item,
            "week": WEEK,
            "method": Method.PILL,
            "visit_type": VisitType.NEW,
            "visited_on": "2019-11-01",
        },
    )
    assert response.status_code == 403
    assert not Visit.objects.exists()


def test_the_pages_keep_to_the_csp_and_carry_csrf_tokens(
    client: Client, singamerta: dict[str, Couple]
) -> None:
    client.force_login(make_user(Role.COUNSELLOR, CIRUAS))
    rina = singamerta["rina"]
    rule = DueRule.objects.get(code="unmet-need")
    family_url = reverse("visits:due_family", kwargs={"family_id": rina.family_id})
    item = f"{rule.pk}-{rina.family_id}-{rina.pk}"
    pages = [
        client.get(URL, {"minggu": WEEK}),
        client.get(family_url, {"minggu": WEEK, "item": item, "action": "serve"}),
        client.get(family_url, {"minggu": WEEK, "item": item, "action": "died"}),
        client.post(OUTCOME, _hidden(singamerta["siti"], outcome="not_home"), headers=HTMX),
    ]
    forms = 0
    for response in pages:
        assert response.status_code == 200
        check = PageCheck()
        check.feed(response.content.decode())
        assert not check.inline
        assert all(check.post_forms)
        forms += len(check.post_forms)
    assert forms >= 6


def test_ids_in_the_page_are_never_written_with_thousands_separators() -> None:
    """Indonesian writes 1.511 for 1511: an id in an attribute or a hidden field must not be."""
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("id"):
        html = render_to_string(
            "visits/includes/due_card_response.html",
            {"fv": None, "notice": "ok", "family_id": 1511, "counts": None},
        )
    assert 'id="family-1511"' in html
