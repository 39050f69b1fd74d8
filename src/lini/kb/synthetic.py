"""Synthetic KB facilities and a year of KB services for the demo (``lini demo``).

The services agree with the register's existing history and never rewrite it: a couple that
started its current method in the last 12 months gets a "new" (or "switch") service on that day,
linked to the existing status change; injectable and pill users get repeat visits (no status
change). Deterministic for a seed; facilities that exist already (by register number) and couples
that already have services are left alone, so a second run adds nothing.

Parameters (assumptions [GK] to be checked against real faskes KB data, DOMAIN.md §7.6):
- per district: one Puskesmas (regency government) with 1-3 network units (Pustu or PMB
  jejaring) in its villages, and 1-3 private clinics or independent midwives (PMB);
- per regency/city: one mobile KB service unit (MUYAN);
- BPJS cooperation for about 70% of the facilities, 1 in 10 agreements expired;
- repeat visits: injectable users every 12-13 weeks, pill users every 4-8 weeks;
- informed consent always for long-acting methods, for 85% of the others; 12% of the new
  acceptors post-partum.
- the product of each service (the same for all services of a couple): injectable users 80%
  3-monthly (DMPA) and 20% 1-monthly, the 1-monthly ones back every 28-31 days instead of every
  12-13 weeks; implant users 40% one rod and 60% two rods; IUD users 90% CuT 380A and 10% other
  IUDs; none for pills, condoms and the other methods.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef

from lini.kb.choices import FacilityKind, FacilityLevel, Ownership, Product, VisitType
from lini.kb.models import Facility, Service
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import subtree_q
from lini.register.choices import LONG_ACTING, KBStatus, Method
from lini.register.models import ContraceptiveEvent, Couple

BPJS_SHARE = 0.70
EXPIRED_SHARE = 0.10
NETWORK_UNITS = (1, 3)
PRIVATE_UNITS = (1, 3)
INJECTABLE_DAYS = (84, 91)
INJECTABLE_1M_DAYS = (28, 31)
PILL_DAYS = (28, 56)
CONSENT_SHORT_ACTING = 0.85
POSTPARTUM_NEW = 0.12
BATCH = 2000
# The share of each product among the users of a method (see the module's docstring).
PRODUCT_SHARES: dict[str, tuple[tuple[str, float], ...]] = {
    Method.INJECTABLE: ((Product.INJECTABLE_3M, 0.8), (Product.INJECTABLE_1M, 0.2)),
    Method.IMPLANT: ((Product.IMPLANT_1, 0.4), (Product.IMPLANT_2, 0.6)),
    Method.IUD: ((Product.IUD_CUT380A, 0.9), (Product.IUD_OTHER, 0.1)),
}

_MIDWIVES = (
    "Ani", "Dewi", "Euis", "Fitri", "Iis", "Lilis", "Nani", "Neneng", "Nur", "Rina", "Siti",
    "Sri", "Tuti", "Wati", "Yani", "Yuyun",
)  # fmt: skip
_CLINICS = ("Sehat", "Medika", "Bunda", "Harapan", "Mulya", "Sentosa", "Husada", "Kasih Ibu")


@dataclass
class _Place:
    """The facilities serving one district, with the weights of choosing each."""

    ids: list[int]
    names: list[str]
    weights: list[float]


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in (seed, "kb", *parts)))  # noqa: S311 - demo data


def _bpjs(rng: random.Random, code: str, today: dt.date) -> dict[str, object]:
    if rng.random() >= BPJS_SHARE:
        return {"bpjs": False}
    if rng.random() < EXPIRED_SHARE:
        until = today - dt.timedelta(days=rng.randrange(10, 200))
    else:
        until = today + dt.timedelta(days=rng.randrange(30, 730))
    return {
        "bpjs": True,
        "bpjs_agreement": f"{rng.randrange(100, 999)}/PKS/BPJS-{code[-6:]}/{until.year - 1}",
        "bpjs_until": until,
    }


def _facilities(*, region: Region, seed: int, today: dt.date) -> tuple[int, dict[str, _Place]]:
    """Create the missing facilities; returns (created, the facilities of each district)."""
    top = region.code if region.level <= RegionLevel.DISTRICT else region.code.rsplit(".", 1)[0]
    districts = list(
        Region.objects.filter(level=RegionLevel.DISTRICT).filter(subtree_q([top])).order_by("code")
    )
    villages: dict[str, list[Region]] = defaultdict(list)
    for village in Region.objects.filter(
        subtree_q([d.code for d in districts]), level=RegionLevel.VILLAGE
    ).order_by("code"):
        villages[village.code.rsplit(".", 1)[0]].append(village)
    regency_codes = sorted({d.code.rsplit(".", 1)[0] for d in districts})
    regencies = Region.objects.filter(code__in=regency_codes).order_by("code")

    mains: list[Facility] = []
    later: list[tuple[Facility, str]] = []  # network units with their parent's code
    for regency in regencies:
        rng = _rng(seed, regency.code)
        code = "M" + regency.code.replace(".", "")
        mains.append(Facility(
            code=code, name=f"MUYAN {regency.name}", kind=FacilityKind.MOBILE,
            level=FacilityLevel.MOBILE_UNIT, ownership=Ownership.REGENCY, region=regency,
            **_bpjs(rng, code, today),
        ))  # fmt: skip
    for district in districts:
        rng = _rng(seed, district.code)
        digits = district.code.replace(".", "")
        here = villages.get(district.code) or [district]
        code = f"P{digits}"
        mains.append(Facility(
            code=code, name=f"Puskesmas {district.name}", kind=FacilityKind.MAIN,
            level=FacilityLevel.PUSKESMAS, ownership=Ownership.REGENCY, region=district,
            address=f"Jl. Raya {district.name}", **_bpjs(rng, code, today),
        ))  # fmt: skip
        for n in range(1, rng.randint(*NETWORK_UNITS) + 1):
            village = rng.choice(here)
            pustu = rng.random() < 0.6
            unit = f"P{digits}J{n}"
            later.append((Facility(
                code=unit,
                name=f"Pustu {village.name}" if pustu else f"PMB Bidan {rng.choice(_MIDWIVES)}",
                kind=FacilityKind.NETWORK,
                level=FacilityLevel.PUSTU if pustu else FacilityLevel.MIDWIFE_NETWORK,
                ownership=Ownership.REGENCY if pustu else Ownership.INDIVIDUAL, region=village,
                **_bpjs(rng, unit, today),
            ), code))  # fmt: skip
        for n in range(1, rng.randint(*PRIVATE_UNITS) + 1):
            village = rng.choice(here)
            clinic = rng.random() < 0.4
            unit = f"S{digits}{n:02d}"
            mains.append(Facility(
                code=unit,
                name=f"Klinik {rng.choice(_CLINICS)}" if clinic else f"PMB Bidan {rng.choice(_MIDWIVES)}",
                kind=FacilityKind.MAIN,
                level=FacilityLevel.PRIMARY_CLINIC if clinic else FacilityLevel.MIDWIFE,
                ownership=Ownership.PRIVATE if clinic else Ownership.INDIVIDUAL, region=village,
                **_bpjs(rng, unit, today),
            ))  # fmt: skip
    planned = [f.code for f in mains] + [f.code for f, _parent in later]
    existing = set(Facility.objects.filter(code__in=planned).values_list("code", flat=True))
    new_mains = [f for f in mains if f.code not in existing]
    Facility.objects.bulk_create(new_mains, batch_size=500)
    parents = dict(
        Facility.objects.filter(code__in=[f.code for f in mains]).values_list("code", "pk")
    )
    new_units = []
    for unit, parent_code in later:
        if unit.code not in existing:
            unit.parent_id = parents[parent_code]
            new_units.append(unit)
    Facility.objects.bulk_create(new_units, batch_size=500)

    places: dict[str, _Place] = {}
    stored = Facility.objects.filter(code__in=planned).values_list(
        "pk", "code", "name", "kind", "region__code"
    )
    mobile: dict[str, tuple[int, str]] = {}
    by_district: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for pk, code, name, kind, region_code in stored:
        if kind == FacilityKind.MOBILE:
            mobile[region_code] = (pk, name)
        else:
            by_district[".".join(region_code.split(".")[:3])].append((pk, code, name))
    for district in districts:
        place = _Place(ids=[], names=[], weights=[])
        for pk, code, name in by_district.get(district.code, []):
            place.ids.append(pk)
            place.names.append(name)
            place.weights.append(0.45 if code.startswith("P") and "J" not in code else 0.2)
        muyan = mobile.get(district.code.rsplit(".", 1)[0])
        if muyan is not None:
            place.ids.append(muyan[0])
            place.names.append(muyan[1])
            place.weights.append(0.05)
        places[district.code] = place
    return len(new_mains) + len(new_units), places


def _product(seed: int, couple_id: int, method: str) -> str:
    """The product a couple uses (its own random draw, so the choice does not depend on the
    order in which the couples are generated); empty for methods without products."""
    shares = PRODUCT_SHARES.get(method)
    if shares is None:
        return ""
    rng = _rng(seed, "product", couple_id)
    return rng.choices([p for p, _w in shares], weights=[w for _p, w in shares])[0]


def _service(
    rng: random.Random,
    place: _Place,
    couple_id: int,
    method: str,
    day: dt.date,
    visit: str,
    event_id: int | None,
    product: str = "",
) -> Service:
    chosen = rng.choices(range(len(place.ids)), weights=place.weights)[0]
    new = visit != VisitType.REPEAT
    return Service(
        served_on=day, couple_id=couple_id, method=method, visit_type=visit, product=product,
        postpartum=visit == VisitType.NEW and rng.random() < POSTPARTUM_NEW,
        informed_consent=method in LONG_ACTING or rng.random() < CONSENT_SHORT_ACTING,
        facility_id=place.ids[chosen], event_id=event_id,
        provider=f"Bidan {rng.choice(_MIDWIVES)}" if new or rng.random() < 0.5 else "",
    )  # fmt: skip


def kb_generate(*, region: Region, seed: int, today: dt.date) -> dict[str, int]:
    """Fill ``region`` (a province, regency, district or village) with KB facilities and the
    services of the 12 months up to ``today`` (see the module's docstring for the parameters).
    Returns how many facilities and services of each visit type were created."""
    window_start = today - dt.timedelta(days=365)
    with transaction.atomic():
        facilities_created, places = _facilities(region=region, seed=seed, today=today)
        couples = Couple.objects.filter(
            subtree_q([region.code], field="family__village__code"),
            status=KBStatus.USING,
            ended_on__isnull=True,
        ).exclude(  # EXISTS per couple: NOT IN over millions of services stalls PostgreSQL
            Exists(Service.objects.filter(couple_id=OuterRef("pk")))
        )
        recent: dict[int, list[tuple[int, dt.date, str, str]]] = defaultdict(list)
        for couple_id, event_id, effective_on, status, method in (
            ContraceptiveEvent.objects.filter(
                couple__in=couples.filter(status_since__gte=window_start, status_since__lte=today)
            )
            .order_by("couple_id", "effective_on", "pk")
            .values_list("couple_id", "pk", "effective_on", "status", "method")
            .iterator(chunk_size=5000)
        ):
            recent[couple_id].append((event_id, effective_on, status, method))
        rng = _rng(seed, region.code, "services")
        counts = {"facilities": facilities_created, VisitType.NEW: 0, VisitType.SWITCH: 0,
                  VisitType.REPEAT: 0}  # fmt: skip
        batch: list[Service] = []
        rows = list(  # read before writing: the query reads the services table too
            couples.order_by("pk").values_list(
                "pk", "method", "status_since", "family__village__code"
            )
        )
        for couple_id, method, since, village_code in rows:
            place = places.get(village_code.rsplit(".", 1)[0])
            if since is None or place is None or not place.ids:
                continue

            product = _product(seed, couple_id, method)
            history = recent.get(couple_id)
            if history and history[-1][1] == since and history[-1][3] == method:
                earlier = {m for _e, _d, s, m in history[:-1] if s == KBStatus.USING}
                visit = VisitType.SWITCH if earlier - {method} else VisitType.NEW
                batch.append(_service(
                    rng, place, couple_id, method, since, visit, history[-1][0], product
                ))  # fmt: skip
                counts[visit] += 1
            if method in (Method.INJECTABLE, Method.PILL):
                if method == Method.PILL:
                    low, high = PILL_DAYS
                elif product == Product.INJECTABLE_1M:
                    low, high = INJECTABLE_1M_DAYS
                else:
                    low, high = INJECTABLE_DAYS
                day = since + dt.timedelta(days=rng.randint(low, high))
                if day < window_start:
                    day = window_start + dt.timedelta(days=rng.randint(0, low))
                while day <= today:
                    batch.append(_service(
                        rng, place, couple_id, method, day, VisitType.REPEAT, None, product
                    ))  # fmt: skip
                    counts[VisitType.REPEAT] += 1
                    day += dt.timedelta(days=rng.randint(low, high))
            if len(batch) >= BATCH:
                Service.objects.bulk_create(batch, batch_size=1000)
                batch = []
        Service.objects.bulk_create(batch, batch_size=1000)
    return {
        "facilities_created": counts["facilities"],
        "services_new": counts[VisitType.NEW],
        "services_switch": counts[VisitType.SWITCH],
        "services_repeat": counts[VisitType.REPEAT],
        "services_created": counts[VisitType.NEW] + counts[VisitType.SWITCH]
        + counts[VisitType.REPEAT],
    }  # fmt: skip
