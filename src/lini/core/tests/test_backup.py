"""`lini backup` and `lini restore`, run as a user runs them: in their own process, against a
database of their own (a SQLite file; a scratch PostgreSQL database when the suite runs on
PostgreSQL), never the test database.

The scratch databases below (migrated, with Banten's regions) are shared with test_crash.py."""

from __future__ import annotations

import atexit
import dataclasses
import itertools
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import pytest

from django.core.management import CommandError, call_command
from django.utils import translation

from lini.core.backup import (
    BackupError,
    backup_write,
    file_sha256,
    restore_apply,
    restore_check,
)

SUITE_URL = os.environ.get("LINI_DATABASE_URL", "")
ON_POSTGRESQL = SUITE_URL.startswith(("postgres://", "postgresql://"))
PG_CLIENT = shutil.which("pg_dump") or next(
    iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))), None
)
SINGAMERTA, PULO = "36.04.09.2013", "36.04.09.2003"


def _postgresql_param() -> Any:
    reason = ""
    if not ON_POSTGRESQL:
        reason = "the suite runs on SQLite (set LINI_DATABASE_URL=postgres://... to run it here)"
    elif PG_CLIENT is None:
        reason = "no PostgreSQL client programs (pg_dump) on this machine"
    return pytest.param("postgresql", marks=pytest.mark.skipif(bool(reason), reason=reason))


ENGINES = ["sqlite", _postgresql_param()]


# ------------------------------------------------------------------ scratch databases


_names = itertools.count(1)


@dataclasses.dataclass
class Scratch:
    """A database of its own and a LINI_HOME for `lini` run in a subprocess."""

    engine: str
    home: Path
    name: str  # the SQLite file, or the PostgreSQL database name

    @property
    def url(self) -> str:
        if self.engine == "sqlite":
            return f"sqlite:///{self.name}"
        return urlsplit(SUITE_URL)._replace(path=f"/{self.name}").geturl()

    def database(self) -> dict[str, Any]:
        """The settings of this database, as Django would have them."""
        return dict(dj_database_url.parse(self.url))

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LINI_")}
        env.update(
            LINI_HOME=str(self.home),
            LINI_SECRET_KEY="tests-only-" + "s" * 40,
            LINI_DATABASE_URL=self.url,
            LINI_TODAY="2019-11-01",
            LINI_LOG_LEVEL="WARNING",
        )
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "lini.cli", *args]

    def lini(
        self, *args: str, input: str | None = None, check: bool = True, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(  # noqa: S603 - our own command
            self.command(*args),
            env=self.env(),
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"lini {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return result

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(  # noqa: S603 - our own command
            self.command(*args),
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of ``sql``, in a connection of its own (closed at once: PostgreSQL copies a
        database only when nobody is connected to it)."""
        if self.engine == "sqlite":
            with closing(sqlite3.connect(self.name, timeout=30, isolation_level=None)) as db:
                return db.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as db:
            cursor = db.execute(sql)  # type: ignore[arg-type]
            return [tuple(row) for row in cursor.fetchall()] if cursor.description else []

    def value(self, sql: str) -> Any:
        return self.query(sql)[0][0]

    def tables(self) -> list[str]:
        if self.engine == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        else:
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        return sorted(row[0] for row in self.query(sql))

    def contents(self, *, skip: tuple[str, ...] = ()) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table (ordered), but the tables in ``skip``."""
        return {
            table: sorted(self.query(f'SELECT * FROM "{table}"'), key=repr)  # noqa: S608
            for table in self.tables()
            if table not in skip
        }

    def audit(self) -> list[tuple[Any, ...]]:
        return self.query(
            "SELECT id, action, model, object_repr, after, hash FROM audit_auditentry ORDER BY id"
        )

    def integrity_problems(self) -> list[str]:
        """SQLite's own integrity and foreign key checks (PostgreSQL enforces both itself)."""
        if self.engine != "sqlite":
            return []
        problems = [row[0] for row in self.query("PRAGMA integrity_check") if row[0] != "ok"]
        return problems + [repr(row) for row in self.query("PRAGMA foreign_key_check")]

    def copy(self, tmp_dir: Path) -> Scratch:
        """A new database with this one's contents (nobody may be writing to this one)."""
        home = tmp_dir / f"home-{next(_names)}"
        home.mkdir(parents=True)
        if self.engine == "sqlite":
            target = home / "lini.sqlite3"
            with (
                closing(sqlite3.connect(self.name)) as source,
                closing(sqlite3.connect(target)) as copy,
            ):
                source.backup(copy)
            return Scratch("sqlite", home, str(target))
        name = f"lini_scratch_{os.getpid()}_{next(_names)}"
        _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')
        return Scratch("postgresql", home, name)

    def drop(self) -> None:
        if self.engine == "postgresql":
            _pg_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            shutil.rmtree(self.home, ignore_errors=True)


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(SUITE_URL, autocommit=True) as db:
        db.execute(sql)  # type: ignore[arg-type]


_templates: dict[str, Scratch] = {}


def scratch_template(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Scratch:
    """A migrated database with Banten's regions, made once per test run and engine; tests work
    on copies of it (``copy``)."""
    if engine not in _templates:
        home = tmp_path_factory.mktemp(f"lini-template-{engine}")
        if engine == "sqlite":
            template = Scratch("sqlite", home, str(home / "lini.sqlite3"))
        else:
            template = Scratch("postgresql", home, f"lini_template_{os.getpid()}")
            _pg_admin(f'DROP DATABASE IF EXISTS "{template.name}" WITH (FORCE)')
            _pg_admin(f'CREATE DATABASE "{template.name}"')
            atexit.register(template.drop)
        template.lini("migrate", "--verbosity=0")
        template.lini("load-regions", "--province", "36")
        _templates[engine] = template
    return _templates[engine]


_files: dict[str, Path] = {}


def register_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A register file of Kec. Ciruas (about 4,900 families, 16,700 rows: five batches of the
    import), exported by Lini from a generated population; made once per test run."""
    if "register" not in _files:
        work = scratch_template("sqlite", tmp_path_factory).copy(
            tmp_path_factory.mktemp("lini-register-csv")
        )
        work.lini("generate-population", "--region", "36.04.09", "--scale", "0.25", "--seed", "7")
        path = work.home / "register.csv"
        work.lini(
            "export", "register", "--region", "36.04.09", "-o", str(path),
            "--purpose", "test of the backups",
        )  # fmt: skip
        _files["register"] = path
    return _files["register"]


def wait_until(
    condition: Callable[[], bool], *, process: subprocess.Popen[str], timeout: float = 120
) -> None:
    """Poll ``condition`` until it holds; fail if ``process`` ends first or time runs out."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"the process ended first ({process.returncode}):\n{out}\n{err}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("timed out waiting")
        time.sleep(0.005)


@pytest.fixture(params=ENGINES)
def scratch(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> Iterator[Scratch]:
    """A database of the test's own (SQLite file, or a scratch PostgreSQL database)."""
    db = scratch_template(request.param, tmp_path_factory).copy(tmp_path)
    yield db
    db.drop()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def as_json(value: Any) -> Any:
    """A JSON column as SQLite (text) or psycopg (decoded) returns it."""
    return json.loads(value) if isinstance(value, str) else value


def message(call: Callable[[], object]) -> str:
    with pytest.raises(BackupError) as caught:
        call()
    return str(caught.value)


# ------------------------------------------------------------------------------ the cycle

BEFORE = """
from lini.accounts.tests.factories import make_user
from lini.kb.tests.factories import make_couple
make_user("cadre", "36.04.09.2013", username="kept")
make_couple("36.04.09.2013", serial=1)
"""
AFTER = """
from lini.accounts.models import User
from lini.accounts.tests.factories import make_user
from lini.kb.tests.factories import make_couple
from lini.register.models import Family
make_user("cadre", "36.04.09.2003", username="lost")
make_couple("36.04.09.2003", serial=2)
Family.objects.filter(village__code="36.04.09.2013").update(address="changed after the backup")
User.objects.filter(username="kept").update(first_name="Changed")
"""
AUDIT_TABLES = ("audit_auditentry", "audit_audithead")
CHANGE = "UPDATE regions_region SET name = 'CHANGED' WHERE code = '36'"  # a change, quickly


def test_backup_then_changes_then_restore_gives_back_the_backed_up_data(
    scratch: Scratch, tmp_path: Path
) -> None:
    scratch.lini("shell", "-c", BEFORE)
    before = scratch.contents(skip=AUDIT_TABLES)
    audit_before = scratch.audit()
    assert before["accounts_user"]
    assert len(before["register_family"]) == 1

    backup = tmp_path / "lini.backup"
    result = scratch.lini("backup", "-o", str(backup))
    assert str(backup) in result.stdout
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600  # personal data: the owner's only
    sha256 = file_sha256(backup)
    assert sha256 in result.stdout
    *_, (_id, action, model, _repr, after, _hash) = scratch.audit()
    assert (action, model, as_json(after)["sha256"]) == ("export", "core.backup", sha256)

    scratch.lini("shell", "-c", AFTER)
    changed = scratch.contents(skip=AUDIT_TABLES)
    assert changed["accounts_user"] != before["accounts_user"]
    assert len(changed["register_family"]) == 2

    scratch.lini("restore", str(backup), "--yes")

    assert scratch.contents(skip=AUDIT_TABLES) == before
    # The trail is the backup's, then one entry recording the restore; the chain is intact.
    audit_after = scratch.audit()
    assert audit_after[:-1] == audit_before
    _id, action, model, _repr, after, _hash = audit_after[-1]
    assert (action, model, as_json(after)["sha256"]) == ("import", "core.backup", sha256)
    assert scratch.lini("audit", "verify").returncode == 0
    # The restored database takes new data (PostgreSQL: the sequences came back too).
    scratch.lini("shell", "-c", AFTER)
    assert scratch.value("SELECT COUNT(*) FROM register_family") == 2


def test_an_older_backup_is_brought_up_to_date_by_migrate(scratch: Scratch, tmp_path: Path) -> None:
    # A backup taken before the campaigns app existed, restored into a Lini that has it (on
    # PostgreSQL the restore also drops the campaigns tables the backup does not know).
    scratch.lini("migrate", "campaigns", "zero", "--verbosity=0")
    backup = tmp_path / "old.backup"
    scratch.lini("backup", "-o", str(backup))
    scratch.lini("migrate", "--verbosity=0")
    scratch.query(CHANGE)

    result = scratch.lini("restore", str(backup), "--yes")

    assert "Applying campaigns.0001_initial" in result.stdout
    assert "campaigns_campaign" in scratch.tables()
    assert scratch.value("SELECT COUNT(*) FROM campaigns_campaign") == 0
    assert scratch.value("SELECT name FROM regions_region WHERE code = '36'") == "Banten"
    assert scratch.value("SELECT COUNT(*) FROM django_migrations WHERE app = 'campaigns'") == len(
        list((Path(__file__).parents[2] / "campaigns" / "migrations").glob("0*.py"))
    )
    *_, (_id, action, _model, _repr, after, _hash) = scratch.audit()
    assert action == "import"
    assert "campaigns.0001_initial" in as_json(after)["migrations_applied"]


def test_restore_asks_first_and_changes_nothing_unless_told_yes(
    scratch: Scratch, tmp_path: Path
) -> None:
    backup = tmp_path / "lini.backup"
    scratch.lini("backup", "-o", str(backup))
    scratch.query(CHANGE)
    changed = scratch.contents()

    refused = scratch.lini("restore", str(backup), input="no\n", check=False)

    assert refused.returncode == 1
    assert scratch.contents() == changed
    scratch.lini("restore", str(backup), input="yes\n")
    assert scratch.value("SELECT name FROM regions_region WHERE code = '36'") == "Banten"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_backup_taken_while_an_import_writes_is_consistent(
    engine: str, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    from lini.register.exchange import BATCH_FAMILIES

    source = register_csv(tmp_path_factory)
    db = scratch_template(engine, tmp_path_factory).copy(tmp_path)
    try:
        importing = db.popen("import", "register", str(source))
        wait_until(lambda: db.value("SELECT COUNT(*) FROM register_family") > 0, process=importing)
        summary = backup_write(database=db.database(), path=tmp_path / "during.backup")
        importing.communicate(timeout=300)
        assert importing.returncode == 0
        if engine == "sqlite":
            copy = Scratch("sqlite", tmp_path, str(summary.path))
        else:  # the dump restored into a database of its own
            copy = scratch_template(engine, tmp_path_factory).copy(tmp_path)
            checked = restore_check(database=copy.database(), path=summary.path)
            restore_apply(database=copy.database(), backup=checked)
        families = copy.value("SELECT COUNT(*) FROM register_family")
        rows = {t.name: t.rows for t in summary.tables}
        # The copy holds whole batches of the import (each family with all its members), and
        # the summary counted exactly what the copy holds.
        assert families % BATCH_FAMILIES == 0
        assert 0 < families < db.value("SELECT COUNT(*) FROM register_family")
        assert rows["register_family"] == families
        assert rows["register_member"] == copy.value("SELECT COUNT(*) FROM register_member")
        assert copy.integrity_problems() == []
        assert not copy.query(
            "SELECT id FROM register_family f WHERE NOT EXISTS "
            "(SELECT 1 FROM register_member m WHERE m.family_id = f.id)"
        )
        if engine != "sqlite":
            copy.drop()
    finally:
        db.drop()


# ------------------------------------------------------------------------------- refusals


def test_backup_refuses_to_replace_a_file_unless_forced(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = scratch_template("sqlite", tmp_path_factory)
    existing = tmp_path / "existing.backup"
    existing.write_bytes(b"keep me")

    assert "already exists" in message(lambda: backup_write(database=db.database(), path=existing))
    with pytest.raises(CommandError, match="already exists; choose another name or add --force"):
        call_command("backup", "-o", str(existing))
    assert existing.read_bytes() == b"keep me"

    summary = backup_write(database=db.database(), path=existing, force=True)
    assert existing.read_bytes().startswith(b"SQLite format 3\x00")
    assert {t.name for t in summary.tables} >= {"regions_region", "django_migrations"}
    assert next(t.rows for t in summary.tables if t.name == "regions_region") == 1716
    assert not list(tmp_path.glob(".*part"))  # no half-written file left behind
    live = Path(db.name)
    assert message(lambda: backup_write(database=db.database(), path=live, force=True)) == (
        f"{live} is the live database itself."
    )


def test_backup_refuses_a_folder_that_does_not_exist(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = scratch_template("sqlite", tmp_path_factory)
    assert "does not exist" in message(
        lambda: backup_write(database=db.database(), path=tmp_path / "nowhere" / "x.backup")
    )


def _sqlite_backup(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    db = scratch_template("sqlite", tmp_path_factory)
    return backup_write(database=db.database(), path=tmp_path / "lini.sqlite3.backup").path


def test_restore_refuses_a_file_of_the_other_kind(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    sqlite_backup = _sqlite_backup(tmp_path_factory, tmp_path)
    pg_dump = tmp_path / "lini.dump"
    pg_dump.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 100)  # what pg_dump -Fc files begin with
    live_sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "live.sqlite3")}
    live_pg = {"ENGINE": "django.db.backends.postgresql", "NAME": "lini"}

    assert message(lambda: restore_check(database=live_sqlite, path=pg_dump)) == (
        f"{pg_dump} is a PostgreSQL dump (pg_dump), but this Lini uses SQLite: restore it into a "
        "Lini configured with LINI_DATABASE_URL=postgres://..."
    )
    assert message(lambda: restore_check(database=live_pg, path=sqlite_backup)).startswith(
        f"{sqlite_backup} is a SQLite database, but this Lini uses PostgreSQL"
    )
    assert not (tmp_path / "live.sqlite3").exists()  # nothing was touched


def test_restore_refuses_what_is_not_a_backup_of_lini(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    live = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "live.sqlite3")}
    other = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE django_migrations (id INTEGER, app TEXT, name TEXT)")
        db.execute("CREATE TABLE shop_order (id INTEGER)")
        db.commit()
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")

    assert message(lambda: restore_check(database=live, path=other)) == (
        f"{other} is not a database of Lini: it lacks the table(s) regions_region, "
        "accounts_user, audit_auditentry."
    )
    assert "is not a backup of Lini: it is neither a SQLite database" in message(
        lambda: restore_check(database=live, path=text)
    )
    assert "no such file" in message(
        lambda: restore_check(database=live, path=tmp_path / "missing")
    )


def test_restore_refuses_a_damaged_sqlite_file(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    backup = _sqlite_backup(tmp_path_factory, tmp_path)
    data = bytearray(backup.read_bytes())
    damaged = tmp_path / "damaged.backup"
    damaged.write_bytes(bytes(data[: len(data) // 2]))
    live = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "live.sqlite3")}

    why = message(lambda: restore_check(database=live, path=damaged))
    assert why.startswith(f"{damaged} is damaged") or "cannot be read" in why


def test_restore_refuses_the_live_database_itself(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    backup = _sqlite_backup(tmp_path_factory, tmp_path)
    live = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(backup)}
    assert message(lambda: restore_check(database=live, path=backup)) == (
        f"{backup} is the live database itself."
    )


def test_restore_refuses_a_backup_of_a_newer_lini(scratch: Scratch, tmp_path: Path) -> None:
    scratch.query(
        "INSERT INTO django_migrations (app, name, applied) "
        "VALUES ('register', '9999_from_the_future', '2030-01-01 00:00:00')"
    )
    backup = backup_write(database=scratch.database(), path=tmp_path / "new.backup").path
    scratch.query(CHANGE)
    changed = scratch.contents()

    assert message(lambda: restore_check(database=scratch.database(), path=backup)) == (
        f"{backup} comes from a newer Lini: it holds 1 migration(s) this Lini does not know "
        "(register.9999_from_the_future). Upgrade Lini to the version that wrote it, then restore."
    )
    refused = scratch.lini("restore", str(backup), "--yes", check=False)
    assert refused.returncode == 1
    assert "register.9999_from_the_future" in refused.stderr
    assert scratch.contents() == changed


@pytest.mark.skipif(not ON_POSTGRESQL or PG_CLIENT is None, reason="needs the suite on PostgreSQL")
def test_a_truncated_dump_changes_nothing_on_postgresql(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    db = scratch_template("postgresql", tmp_path_factory).copy(tmp_path)
    try:
        full = backup_write(database=db.database(), path=tmp_path / "full.dump").path
        checked = restore_check(database=db.database(), path=full)
        truncated = tmp_path / "truncated.dump"
        truncated.write_bytes(full.read_bytes()[: full.stat().st_size * 2 // 3])
        db.query(CHANGE)
        changed = db.contents()

        with pytest.raises(BackupError, match="the database is unchanged"):
            restore_apply(
                database=db.database(), backup=dataclasses.replace(checked, path=truncated)
            )
        assert db.contents() == changed
    finally:
        db.drop()


def _fake_client(folder: Path, name: str, version: str) -> Path:
    """A stand-in for a PostgreSQL client program that only tells its version."""
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / name
    program.write_text(f'#!/bin/sh\necho "{name} (PostgreSQL) {version}"\n', encoding="utf-8")
    program.chmod(0o755)
    return program


def test_the_postgresql_client_must_be_at_least_the_servers_version(
    settings: Any, tmp_path: Path
) -> None:
    from lini.core.backup import pg_program

    old, new = tmp_path / "12", tmp_path / "16"
    _fake_client(old, "pg_dump", "12.3 (Debian 12.3-1)")
    settings.LINI_PG_BIN = str(old)
    assert message(lambda: pg_program("pg_dump", 15)) == (
        f"No pg_dump of version 15 or newer was found in LINI_PG_BIN ({old}); the server runs "
        "PostgreSQL 15. Install its client programs (e.g. the package postgresql-client-15) or "
        "set LINI_PG_BIN to their folder."
    )
    newer = _fake_client(new, "pg_dump", "16.4")
    settings.LINI_PG_BIN = str(new)
    assert pg_program("pg_dump", 15) == newer
