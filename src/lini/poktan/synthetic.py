"""Synthetic poktan for the demo: per village a varied set of BKB, BKR, BKL, UPPKA and PIK-R
groups whose member families fit them (from the register's birth dates and KB status), with
their cadres, a year of monthly meetings, formation events and a few guidance visits.

Deterministic for a seed: each village draws from its own random stream (seed, village code).
Villages that already have a group are left alone, so running it twice adds nothing.

Shares (assumptions to check against SIGA poktan data, [GK]):

- a village has no group at all: 10 %
- BKB in 85 % of the others, BKR 60 %, BKL 55 %, UPPKA 35 %, PIK-R 15 %; a second BKB where the
  village has more than 120 families with an under-five
- 15-45 member families per group (fewer when fewer families fit); UPPKA members are families of
  couples using KB, PIK-R members families with a member aged 10-24
- groups formed 2 months to 12 years before ``today``; 70 % have a decree (SK) number
- monthly meetings over the last 12 months (5 % of months skipped), 30-100 % of the member
  families present; 25 % of groups inactive (their meetings stop before the last
  ``LINI_POKTAN_ACTIVE_MONTHS`` months, or never happened)
- 0-3 guidance visits in the last year by a counsellor of the village (or of its district)
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from django.db import transaction

from lini.poktan.models import (
    Poktan,
    PoktanEvent,
    PoktanEventKind,
    PoktanKind,
    PoktanMeeting,
    PoktanMember,
)
from lini.poktan.selectors import active_since, birth_range, months_before
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import subtree_q
from lini.register.choices import KBStatus, Presence
from lini.register.models import Couple, Member
from lini.workforce.models import Cadre, CadreKind, Counsellor

BATCH = 2000
NO_GROUP_SHARE = 0.10
KIND_SHARE = {
    PoktanKind.BKB: 0.85, PoktanKind.BKR: 0.60, PoktanKind.BKL: 0.55,
    PoktanKind.UPPKA: 0.35, PoktanKind.PIKR: 0.15,
}  # fmt: skip
INACTIVE_SHARE = 0.25
SECOND_BKB_FAMILIES = 120

NAMES = {
    PoktanKind.BKB: ["Melati", "Mawar", "Anggrek", "Kenanga", "Dahlia", "Cempaka", "Teratai",
                     "Tunas Harapan", "Kasih Ibu", "Ceria"],
    PoktanKind.BKR: ["Remaja Mandiri", "Generasi Emas", "Bina Remaja", "Harapan Bangsa",
                     "Tunas Muda", "Cahaya"],
    PoktanKind.BKL: ["Lansia Sehat", "Lansia Tangguh", "Bahagia", "Sejahtera", "Sekar Arum",
                     "Bakti"],
    PoktanKind.UPPKA: ["Maju Bersama", "Usaha Mandiri", "Berkah", "Sumber Rezeki", "Karya Ibu",
                       "Makmur"],
    PoktanKind.PIKR: ["Genre Ceria", "Remaja Hebat", "Sahabat Remaja", "Generasi Berencana"],
}  # fmt: skip
TOPICS = {
    PoktanKind.BKB: ["Tumbuh kembang anak", "Gizi balita", "Pola asuh", "Stimulasi dini",
                     "Imunisasi", "Kartu Kembang Anak (KKA)", "Pencegahan stunting"],
    PoktanKind.BKR: ["Kesehatan reproduksi remaja", "Pendewasaan usia perkawinan",
                     "Komunikasi orang tua dan remaja", "Bahaya narkoba", "Delapan fungsi keluarga"],
    PoktanKind.BKL: ["Lansia tangguh", "Kesehatan lansia", "Senam lansia",
                     "Tujuh dimensi lansia tangguh", "Gizi lansia"],
    PoktanKind.UPPKA: ["Pembukuan usaha", "Pemasaran produk", "Simpan pinjam",
                       "Pembinaan peserta KB", "Pelatihan keterampilan"],
    PoktanKind.PIKR: ["Kesehatan reproduksi", "Perencanaan kehidupan berkeluarga",
                      "Keterampilan hidup", "Konseling sebaya", "Bahaya pernikahan dini"],
}  # fmt: skip
PEOPLE = ["Ani", "Siti", "Euis", "Neneng", "Iis", "Yati", "Nur", "Dewi", "Lilis", "Rina", "Asep",
          "Ujang", "Dadang", "Cecep", "Tati", "Enok", "Imas", "Wawan", "Yayah", "Heni"]  # fmt: skip
CAPITAL = ["Dana desa", "Swadaya anggota", "APBD kabupaten", "CSR perusahaan", "KUR"]


def _rng(seed: int, code: str) -> random.Random:
    return random.Random(f"{seed}:poktan:{code}")  # noqa: S311 - not security


def _family_profiles(villages: list[int], today: dt.date) -> dict[int, dict[str, set[int]]]:
    """Per village: for each kind, the ids of its families that fit it (one streamed query)."""
    ranges = {kind: birth_range(kind, today) for kind in (PoktanKind.BKB, PoktanKind.BKR,
                                                           PoktanKind.BKL)}  # fmt: skip
    found: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    rows = (
        Member.objects.filter(family__village_id__in=villages, presence=Presence.PRESENT)
        .values_list("family__village_id", "family_id", "birth_date")
        .order_by()
    )
    for village_id, family_id, born in rows.iterator(chunk_size=10000):
        profile = found[village_id]
        for kind, span in ranges.items():
            earliest, latest = span  # type: ignore[misc]
            if born <= latest and (earliest is None or born >= earliest):
                profile[kind].add(family_id)
    acceptors = Couple.objects.filter(
        family__village_id__in=villages, ended_on__isnull=True, status=KBStatus.USING
    ).values_list("family__village_id", "family_id")
    for village_id, family_id in acceptors.order_by().iterator(chunk_size=10000):
        found[village_id][PoktanKind.UPPKA].add(family_id)
    for profile in found.values():
        profile[PoktanKind.PIKR] = set(profile[PoktanKind.BKR])
    return found


def _counsellors(villages: list[tuple[int, str, int]]) -> dict[int, int]:
    """A counsellor for each village that has one: who looks after it, else one of its district."""
    ids = [pk for pk, _code, _parent in villages]
    through = Counsellor.villages.through
    chosen: dict[int, int] = {}
    for region_id, counsellor_id in (
        through.objects.filter(region_id__in=ids, counsellor__active=True)
        .order_by("region_id", "counsellor_id")
        .values_list("region_id", "counsellor_id")
    ):
        chosen.setdefault(region_id, counsellor_id)
    by_district: dict[int, int] = {}
    for district_id, counsellor_id in (
        Counsellor.objects.filter(district_id__in={p for _pk, _c, p in villages}, active=True)
        .order_by("district_id", "pk")
        .values_list("district_id", "pk")
    ):
        by_district.setdefault(district_id, counsellor_id)
    for pk, _code, parent in villages:
        if pk not in chosen and parent in by_district:
            chosen[pk] = by_district[parent]
    return chosen


def poktan_generate(*, region: Region, seed: int, today: dt.date) -> dict[str, int]:
    """Fill the villages of ``region`` with poktan (see the module's docstring for the shares).

    ``seed`` makes it deterministic; ``today`` is the day the data is "as of" (the demo's today).
    Returns counts: groups, members, meetings, events, villages without a group."""
    villages = list(
        Region.objects.filter(subtree_q([region.code]), level=RegionLevel.VILLAGE)
        .exclude(pk__in=Poktan.objects.values("village_id"))
        .order_by("code")
        .values_list("pk", "code", "parent_id")
    )
    ids = [pk for pk, _code, _parent in villages]
    profiles = _family_profiles(ids, today)
    cadres: dict[int, list[int]] = defaultdict(list)
    for village_id, cadre_id in (
        Cadre.objects.filter(village_id__in=ids, kind=CadreKind.POKTAN, active=True)
        .order_by("village_id", "pk")
        .values_list("village_id", "pk")
    ):
        cadres[village_id].append(cadre_id)
    counsellors = _counsellors(villages)
    window = active_since(today)

    groups: list[Poktan] = []
    plans: list[dict[str, Any]] = []
    no_group = 0
    for pk, code, _parent in villages:
        rng = _rng(seed, code)
        if rng.random() < NO_GROUP_SHARE:
            no_group += 1
            continue
        profile = profiles.get(pk, {})
        made = 0
        for kind, share in KIND_SHARE.items():
            if rng.random() >= share:
                continue
            fitting = sorted(profile.get(kind, ()))
            if len(fitting) < 5:
                continue
            count = 2 if kind == PoktanKind.BKB and len(fitting) > SECOND_BKB_FAMILIES else 1
            names = rng.sample(NAMES[kind], k=count)
            pool = list(fitting)
            rng.shuffle(pool)
            for number, name in enumerate(names):
                size = min(len(pool) // count, rng.randint(15, 45))
                members = pool[number * size : (number + 1) * size]
                formed_on = today - dt.timedelta(days=rng.randint(60, 4380))
                decree = ""
                if rng.random() < 0.7:
                    decree = f"{rng.randint(1, 120):03d}/SK/{kind.upper()}/{formed_on.year}"
                groups.append(
                    Poktan(
                        kind=kind, name=name, village_id=pk, formed_on=formed_on, decree=decree,
                        chair=f"Ibu {rng.choice(PEOPLE)}", secretary=f"Ibu {rng.choice(PEOPLE)}",
                        treasurer=f"Ibu {rng.choice(PEOPLE)}",
                        capital_source=rng.choice(CAPITAL) if kind == PoktanKind.UPPKA else "",
                    )
                )  # fmt: skip
                plans.append(
                    {"rng": rng, "village": pk, "members": members,
                     "inactive": rng.random() < INACTIVE_SHARE}
                )  # fmt: skip
                made += 1
        if not made:
            no_group += 1

    counts = {"poktan": 0, "members": 0, "meetings": 0, "events": 0, "villages_without": no_group}
    with transaction.atomic():
        Poktan.objects.bulk_create(groups, batch_size=BATCH)
        counts["poktan"] = len(groups)
        links, members, meetings, events = [], [], [], []
        through = Poktan.cadres.through
        for poktan, plan in zip(groups, plans, strict=True):
            rng: random.Random = plan["rng"]
            village_cadres = cadres.get(plan["village"], [])
            if village_cadres:
                chosen = rng.sample(village_cadres, k=min(len(village_cadres), 2))
                links.extend(through(poktan_id=poktan.pk, cadre_id=c) for c in chosen)
            formed_on: dt.date = poktan.formed_on  # type: ignore[assignment]
            recent = (today - formed_on).days < 3 * 365
            joined = formed_on if recent else None
            members.extend(
                PoktanMember(poktan_id=poktan.pk, family_id=f, joined_on=joined)
                for f in plan["members"]
            )
            events.append(
                PoktanEvent(poktan_id=poktan.pk, kind=PoktanEventKind.FORMED,
                            happened_on=formed_on)
            )  # fmt: skip
            size = len(plan["members"])
            stop = today if not plan["inactive"] else window - dt.timedelta(days=1)
            if plan["inactive"] and rng.random() < 0.3:
                stop = formed_on  # never met in the year
            topics = TOPICS[poktan.kind]
            for back in range(12):
                month = months_before(today, back).replace(day=1)
                held_on = month.replace(day=rng.randint(1, 28))
                if held_on > stop or held_on < formed_on or rng.random() < 0.05:
                    continue
                meetings.append(
                    PoktanMeeting(
                        poktan_id=poktan.pk,
                        held_on=held_on,
                        topic=rng.choice(topics),
                        attendance=rng.randint(max(1, size * 3 // 10), size) if size else 0,
                    )
                )
            counsellor = counsellors.get(plan["village"])
            if counsellor is not None:
                for _visit in range(rng.randint(0, 3)):
                    day = today - dt.timedelta(days=rng.randint(0, 364))
                    if day >= formed_on:
                        events.append(
                            PoktanEvent(poktan_id=poktan.pk, kind=PoktanEventKind.GUIDANCE,
                                        happened_on=day, counsellor_id=counsellor)
                        )  # fmt: skip
        through.objects.bulk_create(links, batch_size=BATCH)
        PoktanMember.objects.bulk_create(members, batch_size=BATCH)
        PoktanMeeting.objects.bulk_create(meetings, batch_size=BATCH)
        PoktanEvent.objects.bulk_create(events, batch_size=BATCH)
    counts.update(members=len(members), meetings=len(meetings), events=len(events))
    return counts
