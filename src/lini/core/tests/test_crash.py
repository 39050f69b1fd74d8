"""An import or a rebuild killed half-way (SIGKILL) leaves the database consistent, and running
the same command again completes it: the result equals a clean run's.

Each command runs as `lini` in its own process against a database of its own (a SQLite file;
also a scratch PostgreSQL database when the suite runs on PostgreSQL), and is killed as soon as
its first transaction is committed, found by polling the database."""

from __future__ import annotations

import signal
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lini.core.tests.test_backup import (
    ENGINES,
    Scratch,
    register_csv,
    scratch_template,
    wait_until,
)
from lini.indicators.services import CHUNK
from lini.regions.models import RegionLevel
from lini.register.exchange import BATCH_FAMILIES

Rows = dict[str, list[tuple[Any, ...]]]

# The register by natural keys (ids differ between runs: PostgreSQL's sequences move on in a
# rolled-back transaction too), the No. KK last so that rows can be grouped by family.
REGISTER = {
    "family": "SELECT r.code, f.dusun, f.rw, f.rt, f.address, f.collected_on, f.collector_name, "
    "f.kk_number FROM register_family f JOIN regions_region r ON r.id = f.village_id",
    "members": "SELECT m.nik, m.position, m.name, m.sex, m.birth_date, m.relation, "
    "m.marital_status, m.education, m.occupation, m.presence, m.presence_date, f.kk_number "
    "FROM register_member m JOIN register_family f ON f.id = m.family_id",
    "couples": "SELECT w.nik, h.nik, c.status, c.method, c.reason, c.status_since, c.place, "
    "c.ended_on, f.kk_number FROM register_couple c JOIN register_member w ON w.id = c.wife_id "
    "LEFT JOIN register_member h ON h.id = c.husband_id "
    "JOIN register_family f ON f.id = c.family_id",
    "events": "SELECT w.nik, e.effective_on, e.status, e.method, e.reason, e.place, e.source, "
    "f.kk_number FROM register_contraceptiveevent e JOIN register_couple c ON c.id = e.couple_id "
    "JOIN register_member w ON w.id = c.wife_id JOIN register_family f ON f.id = c.family_id",
}
COUNTS = {
    "villages": "SELECT r.code, v.month, v.key, v.value FROM indicators_villagemonthcount v "
    "JOIN regions_region r ON r.id = v.village_id",
    "totals": "SELECT r.code, t.month, t.key, t.value FROM indicators_regionmonthcount t "
    "JOIN regions_region r ON r.id = t.region_id",
}
FAMILIES = "SELECT COUNT(*) FROM register_family"
CIRUAS, KAB_SERANG = "36.04.09", "36.04"


def snapshot(db: Scratch, queries: dict[str, str]) -> Rows:
    return {name: sorted(db.query(sql), key=repr) for name, sql in queries.items()}


def by_family(register: Rows) -> dict[object, tuple[list[tuple[Any, ...]], ...]]:
    """Each No. KK with its family row, members, couples and status events."""
    grouped: dict[object, tuple[list[tuple[Any, ...]], ...]] = defaultdict(
        lambda: tuple([] for _ in REGISTER)
    )
    for position, name in enumerate(REGISTER):
        for row in register[name]:
            grouped[row[-1]][position].append(row)
    return dict(grouped)


def kill_when(db: Scratch, condition: str, *args: str) -> None:
    """Run `lini ARGS`, SIGKILL it once ``condition`` (a query giving a number) is above 0."""
    process = db.popen(*args)
    wait_until(lambda: db.value(condition) > 0, process=process)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL, "it ended before it could be killed"


def assert_sound(db: Scratch) -> None:
    assert db.integrity_problems() == []
    assert not db.query(
        "SELECT f.kk_number FROM register_family f WHERE NOT EXISTS "
        "(SELECT 1 FROM register_member m WHERE m.family_id = f.id)"
    ), "a family without members"
    assert not db.query(
        "SELECT c.id FROM register_couple c WHERE NOT EXISTS "
        "(SELECT 1 FROM register_contraceptiveevent e WHERE e.couple_id = c.id)"
    ), "a couple without its status history"


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory, engine: str) -> Path:
    return tmp_path_factory.mktemp(f"crash-{engine}")


@pytest.fixture(scope="module")
def databases(workdir: Path) -> Iterator[list[Scratch]]:
    """Every scratch database the module makes, dropped at its end."""
    made: list[Scratch] = []
    yield made
    for db in made:
        db.drop()


# ---------------------------------------------------------------------------------- import


@pytest.fixture(scope="module")
def clean_import(
    tmp_path_factory: pytest.TempPathFactory, engine: str, workdir: Path, databases: list[Scratch]
) -> tuple[Rows, Rows]:
    """The register and the counts after an import that ran to its end."""
    db = scratch_template(engine, tmp_path_factory).copy(workdir)
    databases.append(db)
    db.lini("import", "register", str(register_csv(tmp_path_factory)))
    return snapshot(db, REGISTER), snapshot(db, COUNTS)


@pytest.fixture(scope="module")
def killed_import(
    tmp_path_factory: pytest.TempPathFactory, engine: str, workdir: Path, databases: list[Scratch]
) -> Scratch:
    """A database whose import was killed once its first batch was committed."""
    db = scratch_template(engine, tmp_path_factory).copy(workdir)
    databases.append(db)
    kill_when(db, FAMILIES, "import", "register", str(register_csv(tmp_path_factory)))
    return db


def test_an_import_killed_half_way_leaves_only_whole_families(
    killed_import: Scratch, clean_import: tuple[Rows, Rows]
) -> None:
    db = killed_import
    assert_sound(db)
    clean = by_family(clean_import[0])
    stored = by_family(snapshot(db, REGISTER))
    # Batches are written whole or not at all: some, not all, of them are in.
    assert 0 < len(stored) < len(clean)
    assert len(stored) % BATCH_FAMILIES == 0
    # Every family that is in is complete: the same rows as after a clean import.
    assert {kk: clean[kk] for kk in stored} == stored


def test_running_a_killed_import_again_gives_the_clean_import_result(
    killed_import: Scratch,
    clean_import: tuple[Rows, Rows],
    tmp_path_factory: pytest.TempPathFactory,
    workdir: Path,
    databases: list[Scratch],
) -> None:
    db = killed_import.copy(workdir)
    databases.append(db)

    db.lini("import", "register", str(register_csv(tmp_path_factory)))

    assert_sound(db)
    assert snapshot(db, REGISTER) == clean_import[0]
    assert snapshot(db, COUNTS) == clean_import[1]
    assert db.lini("rebuild-aggregates", "--check", "--region", CIRUAS, check=False).returncode == 0
    assert db.lini("audit", "verify", check=False).returncode == 0


def test_a_killed_import_leaves_the_villages_to_count_and_pending_completes_them(
    killed_import: Scratch, workdir: Path, databases: list[Scratch]
) -> None:
    """The families of the committed batches are counted once the import ends; a killed import
    leaves their villages marked (PendingCounts, in the batches' own transactions): --check
    names them, and --pending rewrites them."""
    db = killed_import.copy(workdir)
    databases.append(db)
    pending = sorted(v for (v,) in db.query("SELECT village_id FROM indicators_pendingcounts"))
    with_families = sorted(
        v for (v,) in db.query("SELECT DISTINCT village_id FROM register_family")
    )
    assert pending == with_families
    assert pending
    check = db.lini("rebuild-aggregates", "--check", "--region", CIRUAS, check=False)
    assert check.returncode != 0
    for village in pending:
        assert f"village {village}: counts to rewrite since" in check.stdout
    db.lini("rebuild-aggregates", "--pending")
    assert db.value("SELECT COUNT(*) FROM indicators_pendingcounts") == 0
    # The villages the import wrote are now counted (the template's others never were).
    after = db.lini("rebuild-aggregates", "--check", "--region", CIRUAS, check=False).stdout
    assert not [v for v in pending if f"village {v} " in after or f"village {v}:" in after]


def test_a_killed_import_is_in_the_audit_trail(killed_import: Scratch) -> None:
    assert killed_import.value("SELECT COUNT(*) FROM audit_auditentry WHERE action = 'import'")


# --------------------------------------------------------------------------------- rebuild


@pytest.fixture(scope="module")
def population(
    tmp_path_factory: pytest.TempPathFactory, engine: str, workdir: Path, databases: list[Scratch]
) -> Scratch:
    """Kab. Serang with a generated register (about 8,000 families in its 326 villages) and no
    counts yet: what `lini rebuild-aggregates` is for."""
    db = scratch_template(engine, tmp_path_factory).copy(workdir)
    databases.append(db)
    db.lini("generate-population", "--region", KAB_SERANG, "--scale", "0.015", "--seed", "7")
    assert db.value("SELECT COUNT(*) FROM indicators_villagemonthcount") == 0
    return db


def _villages(db: Scratch) -> list[str]:
    """Kab. Serang's villages in the order the rebuild takes them (by id)."""
    return [
        row[0]
        for row in db.query(
            f"SELECT code FROM regions_region WHERE level = {RegionLevel.VILLAGE.value} "  # noqa: S608
            f"AND code LIKE '{KAB_SERANG}.%' ORDER BY id"
        )
    ]


@pytest.fixture(scope="module")
def clean_rebuild(population: Scratch, workdir: Path, databases: list[Scratch]) -> Rows:
    db = population.copy(workdir)
    databases.append(db)
    db.lini("rebuild-aggregates", "--region", KAB_SERANG)
    return snapshot(db, COUNTS)


@pytest.fixture(scope="module")
def killed_rebuild(population: Scratch, workdir: Path, databases: list[Scratch]) -> Scratch:
    db = population.copy(workdir)
    databases.append(db)
    kill_when(
        db,
        "SELECT COUNT(*) FROM indicators_villagemonthcount",
        "rebuild-aggregates",
        "--region",
        KAB_SERANG,
    )
    return db


def test_a_rebuild_killed_half_way_leaves_whole_villages(
    killed_rebuild: Scratch, clean_rebuild: Rows
) -> None:
    db = killed_rebuild
    assert db.integrity_problems() == []
    stored = snapshot(db, COUNTS)
    rebuilt = sorted({row[0] for row in stored["villages"]})
    villages = _villages(db)
    # Villages are rewritten in chunks, each in one transaction: the first chunks are done...
    assert 0 < len(rebuilt) < len(villages)
    assert len(rebuilt) % CHUNK == 0
    assert rebuilt == sorted(villages[: len(rebuilt)])
    # ... each village whole, as a clean rebuild leaves it ...
    assert stored["villages"] == [row for row in clean_rebuild["villages"] if row[0] in rebuilt]
    # ... and the totals above them moved with each chunk (see the next test: their sums).
    assert stored["totals"]


def test_running_a_killed_rebuild_again_gives_the_clean_rebuild_result(
    killed_rebuild: Scratch, clean_rebuild: Rows, workdir: Path, databases: list[Scratch]
) -> None:
    db = killed_rebuild.copy(workdir)
    databases.append(db)

    db.lini("rebuild-aggregates", "--region", KAB_SERANG)

    assert snapshot(db, COUNTS) == clean_rebuild
    assert db.lini("rebuild-aggregates", "--check", "--region", KAB_SERANG).returncode == 0


def test_the_totals_are_the_sums_of_their_villages_right_after_a_killed_rebuild(
    killed_rebuild: Scratch,
) -> None:
    counts = snapshot(killed_rebuild, COUNTS)
    sums: dict[tuple[Any, ...], int] = defaultdict(int)
    for code, month, key, value in counts["villages"]:
        for above in (code[:2], code[:5], code[:8]):  # province, regency, district
            sums[(above, month, key)] += value
    totals = {(code, month, key): value for code, month, key, value in counts["totals"]}
    assert totals == {k: v for k, v in sums.items() if v}
