"""A synthetic population for demos, tests and benchmarks: families, members and couples whose
totals follow real figures, with villages and districts that differ, so that some are clearly
behind. Deterministic for a seed, and each village depends only on (seed, village code), so any
part of a region comes out the same however it is generated.

Every parameter and its source (DOMAIN.md tags: [S#] confirmed, [INF] inferred, [GK] general
knowledge, an assumption to check) is listed in :data:`PARAMETERS` and in docs/population.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import subtree_q
from lini.register.choices import (
    Education,
    EventSource,
    KBStatus,
    MaritalStatus,
    Method,
    NotUsingReason,
    Occupation,
    Relation,
    Sex,
)
from lini.register.records import FamilyRecord, MemberRecord, StatusRecord
from lini.register.writer import WriteCounts, register_write


@dataclass(frozen=True)
class Parameters:
    """What shapes the population; the defaults and their sources are in PARAMETERS_DOC."""

    reference_day: dt.date = dt.date(2019, 10, 31)  # the register just before the 2019 baksos
    married_head_share: float = 0.80
    cpr: float = 0.62  # couples using any method, of PUS
    unmet_need: float = 0.11  # IAT + TIAL, of PUS
    pregnant: float = 0.05
    wants_child_soon: float = 0.09
    district_sd: float = 0.06  # spread of CPR between districts (share points)
    village_sd: float = 0.05  # spread of CPR between villages of a district
    behind: dict[str, float] = field(
        default_factory=lambda: {"36.03": -0.10, "36.04": -0.09}  # Kab. Tangerang, Kab. Serang
    )
    method_mix: tuple[tuple[str, float], ...] = (
        (Method.INJECTABLE, 0.55),
        (Method.PILL, 0.19),
        (Method.IMPLANT, 0.09),
        (Method.IUD, 0.08),
        (Method.MOW, 0.035),
        (Method.CONDOM, 0.02),
        (Method.MOP, 0.005),
        (Method.MAL, 0.01),
        (Method.TRADITIONAL, 0.02),
    )


PARAMETERS_DOC = {
    "population per regency": "Dukcapil December 2024 totals, banten_penduduk.csv [S38 compilation]; "
    "other provinces: 4,000 people per village (assumption)",
    "household size": "not set: it comes out of the family model at about 3.4 people "
    "(BPS average household size in Banten 3.6-3.9 [GK]); Banten at scale 1 gives ~3.7 M families",
    "married_head_share 0.80": "share of families headed by a married couple [GK]",
    "cpr 0.62": "Banten mCPR 63.6% in 2024 [S28]; routine CPR of PUS about 60% [GK]",
    "unmet_need 0.11": "Banten unmet need 10.3% in 2024 [S28]",
    "pregnant 0.05, wants_child_soon 0.09": "shares of non-users among PUS [GK]",
    "behind -0.10 / -0.09": "Kab. Tangerang and Kab. Serang behind their targets in 2019 "
    "(SCENARIO-2019.md): their CPR is lowered and unmet need raised by these shares",
    "district_sd 0.06, village_sd 0.05": "spread between places, chosen so that some villages "
    "are clearly behind (assumption)",
    "method_mix": "injectable-dominated mix of SDKI 2017 / Banten routine data [GK]",
    "age structure": "married heads 22-72 (mode 34), wives 0-7 years younger, 0-5 births "
    "(mean 2.4, close to Banten's TFR 2.0-2.4 [S28][S29]) from the mother's age 19-28 every 2-5 "
    "years, children at home until 25, another relative in 1 family of 5 (assumptions)",
}


@dataclass(frozen=True)
class _Place:
    village_id: int
    code: str
    district_digits: str
    people: int
    cpr: float
    unmet: float


def regency_population() -> dict[str, int]:
    """Dukcapil Dec 2024 totals of Banten and its regencies (shipped with Lini)."""
    path = Path(str(resources.files("lini.register") / "data" / "banten_penduduk.csv"))
    with path.open(encoding="utf-8") as handle:
        return {row["kode"]: int(row["dukcapil_des2024_total"]) for row in csv.DictReader(handle)}


def _seeded(seed: int, *parts: object) -> random.Random:
    return random.Random(f"{seed}:" + ":".join(str(p) for p in parts))  # noqa: S311 - not security


def plan_places(*, region: Region, scale: float, seed: int, params: Parameters) -> list[_Place]:
    """How many people each village of ``region`` gets, and its CPR and unmet need."""
    # A regency's population is shared among all its villages, even when only a part of it is
    # generated, so that a district or a village gets the same people either way.
    regencies = {
        code[:5]
        for code in Region.objects.filter(
            subtree_q([region.code]), level=RegionLevel.VILLAGE
        ).values_list("code", flat=True)
    }
    villages = list(
        Region.objects.filter(subtree_q(sorted(regencies)), level=RegionLevel.VILLAGE)
        .order_by("code")
        .values_list("pk", "code")
    )
    population = regency_population()
    by_regency: dict[str, list[tuple[int, str]]] = {}
    for pk, code in villages:
        by_regency.setdefault(code[:5], []).append((pk, code))
    places = []
    for regency, members in by_regency.items():
        total = population.get(regency, 4000 * len(members))
        weights = [_seeded(seed, "size", code).lognormvariate(0, 0.55) for _pk, code in members]
        weight_sum = sum(weights)
        offset = params.behind.get(regency, 0.0)
        for (pk, code), weight in zip(members, weights, strict=True):
            district = code[:8]
            district_effect = _seeded(seed, "district", district).gauss(0, params.district_sd)
            village_effect = _seeded(seed, "village", code).gauss(0, params.village_sd)
            cpr = min(0.85, max(0.25, params.cpr + offset + district_effect + village_effect))
            unmet = min(0.35, max(0.02, params.unmet_need - 0.6 * (cpr - params.cpr)))
            people = round(total * weight / weight_sum * scale)
            if code == region.code or code.startswith(region.code + "."):
                places.append(_Place(pk, code, district.replace(".", ""), people, cpr, unmet))
    return places


class _Identity:
    """Unique NIKs and family card numbers within one district: the district's 6 digits, a date
    (DDMMYY, +40 to the day for women) and a serial from 5001 up (real serials start at 0001)."""

    def __init__(self, district_digits: str) -> None:
        self.district = district_digits
        self.serials: dict[str, int] = {}

    def _next(self, middle: str) -> str:
        serial = self.serials.get(middle, 5000) + 1
        if serial > 9999:
            raise OverflowError(f"more than 4,999 numbers for {self.district}{middle}")
        self.serials[middle] = serial
        return f"{self.district}{middle}{serial:04d}"

    def nik(self, birth: dt.date, sex: str) -> str:
        day = birth.day + (40 if sex == Sex.FEMALE else 0)
        return self._next(f"{day:02d}{birth.month:02d}{birth.year % 100:02d}")

    def kk(self, issued: dt.date) -> str:
        """A family card number: district, issue date, serial (a namespace apart from NIKs)."""
        return self._next(f"{issued.day:02d}{issued.month:02d}{issued.year % 100:02d}")


_BIRTHS = (("0", 0.08), ("1", 0.17), ("2", 0.33), ("3", 0.25), ("4", 0.11), ("5", 0.06))
_MALE_NAMES = (
    "Ahmad",
    "Budi",
    "Dede",
    "Asep",
    "Ujang",
    "Agus",
    "Rudi",
    "Hendra",
    "Iwan",
    "Jajang",
    "Dadang",
    "Yusuf",
    "Rahmat",
    "Fajar",
    "Dodi",
    "Suryadi",
    "Eko",
    "Wahyu",
    "Hasan",
    "Rizki",
)
_FEMALE_NAMES = (
    "Siti",
    "Nur",
    "Euis",
    "Neneng",
    "Ani",
    "Dewi",
    "Yuli",
    "Rina",
    "Iis",
    "Enok",
    "Lilis",
    "Sri",
    "Wati",
    "Aisyah",
    "Fitri",
    "Nurhayati",
    "Ratna",
    "Maya",
    "Ida",
    "Tati",
)
_SURNAMES = ("Hidayat", "Saputra", "Rohman", "Suhendi", "Kurniawan", "Setiawan", "Maulana",
             "Permana", "Hermawan", "Gunawan", "Sulaeman", "Nugraha", "Ramdani", "Firmansyah")  # fmt: skip


def _birth(rng: random.Random, day: dt.date, age: int) -> dt.date:
    return day - dt.timedelta(days=age * 365 + rng.randrange(365))


def _name(rng: random.Random, sex: str) -> str:
    first = rng.choice(_MALE_NAMES if sex == Sex.MALE else _FEMALE_NAMES)
    return f"{first} {rng.choice(_SURNAMES)}"


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    point = rng.random() * sum(w for _v, w in weighted)
    for value, weight in weighted:
        point -= weight
        if point <= 0:
            return value
    return weighted[-1][0]


def village_families(
    place: _Place, *, seed: int, params: Parameters, ids: _Identity
) -> Iterator[FamilyRecord]:
    """The families of one village, about ``place.people`` people in all."""
    rng = _seeded(seed, "families", place.code)
    day = params.reference_day
    people = 0
    rw_count = max(1, round(place.people / 1200))
    while people < place.people:
        members: list[MemberRecord] = []
        married = rng.random() < params.married_head_share
        # Heads: most between 30 and 45; children live at home until about 25 (assumption).
        head_age = round(rng.triangular(22, 72, 34)) if married else rng.randint(20, 85)
        head_sex = Sex.MALE if married or rng.random() < 0.4 else Sex.FEMALE
        head_birth = _birth(rng, day, head_age)
        marital = (
            MaritalStatus.MARRIED
            if married
            else rng.choice((MaritalStatus.WIDOWED, MaritalStatus.DIVORCED, MaritalStatus.SINGLE))
        )
        members.append(_member(rng, ids, day, head_birth, head_sex, Relation.HEAD, marital))
        mother_age = None
        if married:
            wife_age = max(16, head_age - rng.randint(0, 7))
            wife_birth = _birth(rng, day, wife_age)
            members.append(
                _member(
                    rng, ids, day, wife_birth, Sex.FEMALE, Relation.SPOUSE, MaritalStatus.MARRIED
                )
            )
            mother_age = wife_age
        elif head_sex == Sex.FEMALE:
            mother_age = head_age
        if mother_age is not None:
            # Births: 0-5 (mean 2.4, TFR-like), the first at 19-28, then every 2-5 years;
            # children of 23 and over have left the household.
            births = _pick(rng, _BIRTHS)
            age_at_birth = rng.randint(19, 28)
            for _ in range(int(births)):
                child_age = mother_age - age_at_birth
                if child_age < 0:
                    break
                if child_age <= 25:
                    sex = rng.choice((Sex.MALE, Sex.FEMALE))
                    members.append(
                        _member(rng, ids, day, _birth(rng, day, child_age), sex, Relation.CHILD,
                                MaritalStatus.SINGLE)
                    )  # fmt: skip
                age_at_birth += rng.randint(2, 5)
        if rng.random() < 0.2:  # a grandparent or another relative
            sex = rng.choice((Sex.MALE, Sex.FEMALE))
            members.append(
                _member(rng, ids, day, _birth(rng, day, rng.randint(55, 85)), sex, Relation.OTHER,
                        MaritalStatus.WIDOWED)
            )  # fmt: skip
        wife = next((m for m in members if m.sex == Sex.FEMALE and m.marital_status == MaritalStatus.MARRIED and m.relation in (Relation.HEAD, Relation.SPOUSE)), None)  # fmt: skip
        if wife is not None:
            wife.status = _status(rng, place, params, wife.birth_date, day)
        overshoot = people + len(members) - place.people
        if overshoot > 0 and overshoot > place.people - people:
            return  # closer to the target without this family
        issued = day - dt.timedelta(days=rng.randrange(3650))
        rw = rng.randint(1, rw_count)
        people += len(members)
        yield FamilyRecord(
            kk_number=ids.kk(issued),
            village_id=place.village_id,
            village_code=place.code,
            dusun="",
            rw=f"{rw:03d}",
            rt=f"{rng.randint(1, 6):03d}",
            address=f"Kp. {rng.choice(_SURNAMES)} No. {rng.randint(1, 150)}",
            collected_on=day - dt.timedelta(days=rng.randrange(120)),
            collector_name="",
            members=members,
        )


def _member(
    rng: random.Random,
    ids: _Identity,
    day: dt.date,
    birth: dt.date,
    sex: str,
    relation: str,
    marital: str,
) -> MemberRecord:
    age = (day - birth).days // 365
    education = (
        Education.NONE
        if age < 7
        else rng.choice(
            (
                Education.PRIMARY,
                Education.JUNIOR,
                Education.SENIOR,
                Education.SENIOR,
                Education.TERTIARY,
            )
        )
    )
    occupation = "" if age < 15 else rng.choice(
        (Occupation.NONE, Occupation.FARMER, Occupation.TRADER, Occupation.PRIVATE_EMPLOYEE,
         Occupation.SELF_EMPLOYED, Occupation.CASUAL)
    )  # fmt: skip
    return MemberRecord(
        nik=ids.nik(birth, sex), name=_name(rng, sex), sex=sex, birth_date=birth, relation=relation,
        marital_status=marital, education=education, occupation=occupation,
    )  # fmt: skip


def _status(
    rng: random.Random, place: _Place, params: Parameters, wife_birth: dt.date, day: dt.date
) -> StatusRecord:
    age = (day - wife_birth).days // 365
    if age > 49:
        return StatusRecord(status=KBStatus.NOT_USING, reason=NotUsingReason.OTHER)
    point = rng.random()
    if point < place.cpr:
        method = _pick(rng, params.method_mix)
        years = min(age - 15, 10)
        since = day - dt.timedelta(days=rng.randrange(30, max(31, years * 365)))
        return StatusRecord(status=KBStatus.USING, method=method, since=since, place="")
    point -= place.cpr
    reasons = (
        (NotUsingReason.WANTS_TO_DELAY, place.unmet * 0.45),
        (NotUsingReason.NO_MORE_CHILDREN, place.unmet * 0.55),
        (NotUsingReason.PREGNANT, params.pregnant),
        (NotUsingReason.WANTS_CHILD_SOON, params.wants_child_soon),
    )
    for reason, share in reasons:
        if point < share:
            return StatusRecord(status=KBStatus.NOT_USING, reason=reason)
        point -= share
    return StatusRecord(status=KBStatus.NOT_USING, reason=NotUsingReason.OTHER)


def population_generate(
    *,
    region: Region,
    scale: float,
    seed: int,
    params: Parameters | None = None,
    batch_families: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> WriteCounts:
    """Fill the villages of ``region`` and write them through the register's one write path."""
    params = params or Parameters()
    places = plan_places(region=region, scale=scale, seed=seed, params=params)
    counts = WriteCounts()
    batch: list[FamilyRecord] = []
    done_people = 0
    total_people = sum(p.people for p in places)
    identities: dict[str, _Identity] = {}
    for place in places:
        ids = identities.setdefault(place.district_digits, _Identity(place.district_digits))
        for family in village_families(place, seed=seed, params=params, ids=ids):
            batch.append(family)
            if len(batch) >= batch_families:
                counts.add(_write(batch, params))
                done_people += sum(len(f.members) for f in batch)
                batch = []
                if progress:
                    progress(done_people, total_people)
        if len(identities) > 1:  # districts come in code order: drop finished ones
            for digits in list(identities):
                if digits != place.district_digits:
                    del identities[digits]
    if batch:
        counts.add(_write(batch, params))
        done_people += sum(len(f.members) for f in batch)
        if progress:
            progress(done_people, total_people)
    return counts


def _write(batch: list[FamilyRecord], params: Parameters) -> WriteCounts:
    result = register_write(
        records=batch, source=EventSource.COLLECTION, today=params.reference_day
    )
    return result.counts


__all__ = ["PARAMETERS_DOC", "Parameters", "population_generate", "regency_population"]
