"""Backing up and restoring Lini's database (``lini backup`` / ``lini restore``).

SQLite: SQLite's online backup API copies the live database page by page inside one read
transaction, so the copy is consistent while the application keeps writing; a restore copies a
backup into the live database the same way, in the other direction (never a file copy under a
running application). PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore``, with the
connection parameters of Django's settings; the password goes through ``PGPASSWORD``, never on a
command line.

The functions take a database's settings (``connections[alias].settings_dict``) so that they can
work on any database, not only the configured one. Running ``migrate`` after a restore and the
audit entries are the commands' part.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"  # the custom format of pg_dump

# A database of Lini has at least these tables (an older backup may lack later apps' tables:
# `migrate` adds them after the restore).
LINI_TABLES = ("django_migrations", "regions_region", "accounts_user", "audit_auditentry")

# libpq parameters that may sit in the database OPTIONS, and the environment variables that
# give them to pg_dump, pg_restore and psql.
_PG_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}
_PG_CLIENTS_DIR = Path("/usr/lib/postgresql")  # Debian/Ubuntu: one folder per client version
_SUBPROCESS_TIMEOUT = 24 * 3600


class BackupError(Exception):
    """A backup or a restore that cannot be done; the message says why, for the user."""


@dataclass(frozen=True)
class TableRows:
    name: str
    rows: int


@dataclass(frozen=True)
class BackupSummary:
    """What a backup file holds (rows are exact: counted in the snapshot that was copied)."""

    path: Path
    engine: str
    size: int
    sha256: str
    tables: list[TableRows]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def largest(self, count: int = 5) -> list[TableRows]:
        return sorted(self.tables, key=lambda t: (-t.rows, t.name))[:count]


@dataclass(frozen=True)
class BackupFile:
    """A backup file checked before a restore."""

    path: Path
    engine: str
    size: int
    sha256: str
    tables: list[str]
    migrations: set[tuple[str, str]] = field(default_factory=set)
    # Extra tables of the live PostgreSQL database that the backup does not have (created by
    # migrations newer than the backup); a restore drops them, `migrate` creates them again.
    extra_tables: list[str] = field(default_factory=list)


def engine_of(database: Mapping[str, Any]) -> str:
    """``sqlite`` or ``postgresql``: the databases Lini can back up."""
    engine = str(database.get("ENGINE", ""))
    if engine.endswith("sqlite3"):
        return SQLITE
    if "postgresql" in engine:
        return POSTGRESQL
    raise BackupError(
        _("Lini backs up SQLite and PostgreSQL databases only, not %(engine)s.")
        % {"engine": engine}
    )


def file_engine(path: Path) -> str | None:
    """What wrote ``path``, from its first bytes: ``sqlite``, ``postgresql`` (pg_dump's custom
    format) or None (anything else)."""
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return SQLITE
    if head.startswith(PG_DUMP_MAGIC):
        return POSTGRESQL
    return None


def known_migrations() -> set[tuple[str, str]]:
    """The migrations this Lini ships (every installed app's, Django's own included)."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return set(loader.disk_migrations)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------------------------- backup


def backup_write(*, database: Mapping[str, Any], path: Path, force: bool = False) -> BackupSummary:
    """Write a consistent copy of ``database`` to ``path`` (an existing file only with
    ``force``). The copy appears under its name only once complete, readable by its owner only."""
    engine = engine_of(database)
    path = Path(path)
    if path.exists() and not force:
        raise BackupError(
            _("%(path)s already exists; choose another name or add --force to replace it.")
            % {"path": path}
        )
    if path.is_dir():
        raise BackupError(_("%(path)s is a folder, not a file name.") % {"path": path})
    if engine == SQLITE and path.exists():
        live = _sqlite_live_path(database)
        if live.exists() and path.resolve() == live.resolve():
            raise BackupError(_("%(path)s is the live database itself.") % {"path": path})
    if not path.parent.is_dir():
        raise BackupError(_("The folder %(folder)s does not exist.") % {"folder": path.parent})
    handle, temporary_name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".part", dir=path.parent
    )  # mode 0600: a backup holds personal data
    os.close(handle)
    temporary = Path(temporary_name)
    try:
        if engine == SQLITE:
            tables = _sqlite_backup(database, temporary)
        else:
            tables = _pg_backup(database, temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return BackupSummary(
        path=path,
        engine=engine,
        size=path.stat().st_size,
        sha256=file_sha256(path),
        tables=tables,
    )


def _sqlite_live_path(database: Mapping[str, Any]) -> Path:
    name = str(database.get("NAME", ""))
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupError(_("An in-memory SQLite database has no file to back up or restore."))
    return Path(name)


def _sqlite_backup(database: Mapping[str, Any], target: Path) -> list[TableRows]:
    live = _sqlite_live_path(database)
    if not live.is_file():
        raise BackupError(_("The database %(path)s does not exist.") % {"path": live})
    with (
        closing(sqlite3.connect(live, timeout=60)) as source,
        closing(sqlite3.connect(target)) as copy,
    ):
        # One step: the whole database is read inside one read transaction, a consistent
        # snapshot even while the application writes (WAL).
        source.backup(copy)
        # A copy of a WAL database would be in WAL mode too; a backup is one self-contained file.
        copy.execute("PRAGMA journal_mode=DELETE")
        problems = _sqlite_problems(copy)
        if problems:
            raise BackupError(
                _("The copy failed SQLite's integrity check: %(problems)s")
                % {"problems": "; ".join(problems[:5])}
            )
        return _sqlite_table_rows(copy)


def _sqlite_problems(db: sqlite3.Connection) -> list[str]:
    rows = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
    return [] if rows == ["ok"] else rows


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    return [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]


def _sqlite_table_rows(db: sqlite3.Connection) -> list[TableRows]:
    return [
        TableRows(name, db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0])  # noqa: S608
        for name in _sqlite_tables(db)
    ]


# ------------------------------------------------------------------------------ PostgreSQL


def _pg_connect_kwargs(database: Mapping[str, Any]) -> dict[str, Any]:
    options = database.get("OPTIONS") or {}
    kwargs: dict[str, Any] = {k: v for k, v in options.items() if k in _PG_ENV}
    for key, name in (
        ("dbname", "NAME"),
        ("user", "USER"),
        ("password", "PASSWORD"),
        ("host", "HOST"),
        ("port", "PORT"),
    ):
        if database.get(name):
            kwargs[key] = str(database[name])
    return kwargs


def _pg_connect(database: Mapping[str, Any]) -> Any:
    import psycopg

    try:
        return psycopg.connect(**_pg_connect_kwargs(database))
    except psycopg.Error as exc:
        raise BackupError(
            _("Cannot connect to the PostgreSQL database: %(error)s") % {"error": exc}
        ) from exc


def _pg_env(database: Mapping[str, Any]) -> dict[str, str]:
    """The environment of pg_dump/pg_restore/psql: the password and the libpq options."""
    env = dict(os.environ)  # as Django's own connection, libpq's PG* variables apply
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    for key, value in (database.get("OPTIONS") or {}).items():
        if key in _PG_ENV and value not in (None, ""):
            env[_PG_ENV[key]] = str(value)
    return env


def _pg_args(database: Mapping[str, Any]) -> list[str]:
    """Host, port and user for the command line (never the password)."""
    args: list[str] = []
    for flag, name in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(name):
            args.append(f"{flag}={database[name]}")
    return args


def _client_major(program: Path) -> int | None:
    try:
        result = subprocess.run(  # noqa: S603 - a PostgreSQL client program, fixed argument
            [str(program), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", result.stdout) or re.search(
        r"(\d+)(?:\.\d+)", result.stdout
    )
    return int(found.group(1)) if found else None


def pg_program(name: str, server_major: int) -> Path:
    """The client program ``name`` (pg_dump, pg_restore, psql) to use with a server of version
    ``server_major``: from LINI_PG_BIN when set; else the one of the server's own version in
    /usr/lib/postgresql/N/bin, the one on the PATH, or a newer one (pg_dump refuses a server
    newer than itself)."""
    configured = str(getattr(settings, "LINI_PG_BIN", "") or "")
    if configured:
        candidates = [Path(configured) / name]
    else:
        candidates = [_PG_CLIENTS_DIR / str(server_major) / "bin" / name]
        on_path = shutil.which(name)
        if on_path:
            candidates.append(Path(on_path))
        if _PG_CLIENTS_DIR.is_dir():
            versions = sorted(int(p.name) for p in _PG_CLIENTS_DIR.iterdir() if p.name.isdigit())
            candidates += [_PG_CLIENTS_DIR / str(v) / "bin" / name for v in versions]
    for candidate in candidates:
        if not candidate.is_file():
            continue
        major = _client_major(candidate)
        if major is not None and major >= server_major:
            return candidate
    where = (
        _("in LINI_PG_BIN (%(folder)s)") % {"folder": configured}
        if configured
        else _("on this machine")
    )
    raise BackupError(
        _(
            "No %(program)s of version %(version)s or newer was found %(where)s; the server runs "
            "PostgreSQL %(version)s. Install its client programs (e.g. the package "
            "postgresql-client-%(version)s) or set LINI_PG_BIN to their folder."
        )
        % {"program": name, "version": server_major, "where": where}
    )


def _run(args: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(  # noqa: S603 - PostgreSQL client programs, arguments built here
        args, env=env, capture_output=True, timeout=_SUBPROCESS_TIMEOUT, check=False
    )
    if result.returncode != 0:
        error = result.stderr.decode("utf-8", "replace").strip()
        raise BackupError(
            _("%(what)s failed: %(error)s") % {"what": what, "error": error or result.returncode}
        )
    return result


def _pg_backup(database: Mapping[str, Any], target: Path) -> list[TableRows]:
    from psycopg import IsolationLevel, sql

    with closing(_pg_connect(database)) as conn:
        server_major = conn.info.server_version // 10000
        pg_dump = pg_program("pg_dump", server_major)
        # pg_dump reads the snapshot this transaction exports, so the row counts below describe
        # exactly the data in the file.
        conn.isolation_level = IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        args = [str(pg_dump), "--format=custom", "--no-password", f"--snapshot={snapshot}"]
        args += [f"--file={target}", *_pg_args(database), f"--dbname={database['NAME']}"]
        _run(args, _pg_env(database), "pg_dump")
        tables = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') "
            "ORDER BY schemaname, tablename"
        ).fetchall()
        counted = [
            TableRows(
                name if schema == "public" else f"{schema}.{name}",
                conn.execute(
                    sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(schema, name))
                ).fetchone()[0],
            )
            for schema, name in tables
        ]
        conn.rollback()
    return counted


# A table in pg_restore's list: "233; 1259 17235 TABLE public accounts_user lini" (the data of a
# table is "TABLE DATA public ...").
_TOC_TABLE = re.compile(r"^\d+;\s+\d+\s+\d+\s+TABLE\s+(?!DATA\s)(\S+)\s+(\S+)\s")
_COPY = re.compile(r"^COPY\s+\S+\s+\(([^)]*)\)\s+FROM\s+stdin;$")


def _pg_dump_tables(pg_restore: Path, path: Path) -> list[tuple[str, str]]:
    listing = _run([str(pg_restore), "--list", str(path)], _pg_env({}), "pg_restore --list")
    found = []
    for line in listing.stdout.decode("utf-8", "replace").splitlines():
        match = _TOC_TABLE.match(line)
        if match:
            found.append((match.group(1), match.group(2)))
    return found


def _pg_dump_migrations(pg_restore: Path, path: Path) -> set[tuple[str, str]]:
    """The rows of django_migrations stored in a pg_dump file."""
    script = _run(
        [str(pg_restore), "--data-only", "--table=django_migrations", "--file=-", str(path)],
        _pg_env({}),
        "pg_restore",
    ).stdout.decode("utf-8", "replace")
    migrations: set[tuple[str, str]] = set()
    columns: list[str] | None = None
    for line in script.splitlines():
        if columns is None:
            match = _COPY.match(line)
            if match:
                columns = [c.strip().strip('"') for c in match.group(1).split(",")]
            continue
        if line == "\\.":
            break
        values = dict(zip(columns, line.split("\t"), strict=False))
        migrations.add((values.get("app", ""), values.get("name", "")))
    return migrations


# ---------------------------------------------------------------------------------- restore


def restore_check(*, database: Mapping[str, Any], path: Path) -> BackupFile:
    """Check that ``path`` is a backup of Lini that this database and this version of Lini can
    take; a clear BackupError otherwise (wrong kind of file, not Lini's, damaged, newer)."""
    engine = engine_of(database)
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("%(path)s: no such file.") % {"path": path})
    kind = file_engine(path)
    if kind is None:
        raise BackupError(
            _(
                "%(path)s is not a backup of Lini: it is neither a SQLite database nor a "
                "PostgreSQL dump of the custom format (lini backup writes one of these)."
            )
            % {"path": path}
        )
    if kind != engine:
        if kind == POSTGRESQL:
            message = _(
                "%(path)s is a PostgreSQL dump (pg_dump), but this Lini uses SQLite: restore it "
                "into a Lini configured with LINI_DATABASE_URL=postgres://..."
            )
        else:
            message = _(
                "%(path)s is a SQLite database, but this Lini uses PostgreSQL: restore it into a "
                "Lini that uses SQLite (LINI_DATABASE_URL empty), or copy its data with "
                "lini export / lini import."
            )
        raise BackupError(message % {"path": path})
    checked = _sqlite_check(database, path) if engine == SQLITE else _pg_check(database, path)
    missing = [t for t in LINI_TABLES if t not in checked.tables]
    if missing:
        raise BackupError(
            _("%(path)s is not a database of Lini: it lacks the table(s) %(tables)s.")
            % {"path": path, "tables": ", ".join(missing)}
        )
    if not any(app == "regions" for app, _name in checked.migrations):
        raise BackupError(
            _("%(path)s is not a database of Lini: it records no migration of Lini's apps.")
            % {"path": path}
        )
    unknown = sorted(checked.migrations - known_migrations())
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:10])
        if len(unknown) > 10:
            names += " …"
        raise BackupError(
            _(
                "%(path)s comes from a newer Lini: it holds %(count)d migration(s) this Lini does "
                "not know (%(names)s). Upgrade Lini to the version that wrote it, then restore."
            )
            % {"path": path, "count": len(unknown), "names": names}
        )
    return checked


def _sqlite_check(database: Mapping[str, Any], path: Path) -> BackupFile:
    live = _sqlite_live_path(database)
    if live.exists() and live.resolve() == path.resolve():
        raise BackupError(_("%(path)s is the live database itself.") % {"path": path})
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            problems = _sqlite_problems(db)
            tables = _sqlite_tables(db)
            migrations: set[tuple[str, str]] = set()
            if "django_migrations" in tables:
                migrations = set(db.execute("SELECT app, name FROM django_migrations"))
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            _("%(path)s cannot be read as a SQLite database: %(error)s")
            % {"path": path, "error": exc}
        ) from exc
    if problems:
        raise BackupError(
            _("%(path)s is damaged (SQLite's integrity check: %(problems)s).")
            % {"path": path, "problems": "; ".join(problems[:5])}
        )
    return BackupFile(
        path=path,
        engine=SQLITE,
        size=path.stat().st_size,
        sha256=file_sha256(path),
        tables=tables,
        migrations=migrations,
    )


def _pg_check(database: Mapping[str, Any], path: Path) -> BackupFile:
    with closing(_pg_connect(database)) as conn:
        server_major = conn.info.server_version // 10000
        live = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
    pg_restore = pg_program("pg_restore", server_major)
    in_dump = _pg_dump_tables(pg_restore, path)
    tables = sorted(name for _schema, name in in_dump)
    migrations = _pg_dump_migrations(pg_restore, path) if "django_migrations" in tables else set()
    extra = sorted(f"{schema}.{name}" for schema, name in set(map(tuple, live)) - set(in_dump))
    return BackupFile(
        path=path,
        engine=POSTGRESQL,
        size=path.stat().st_size,
        sha256=file_sha256(path),
        tables=tables,
        migrations=migrations,
        extra_tables=extra,
    )


def restore_apply(*, database: Mapping[str, Any], backup: BackupFile) -> None:
    """Replace the contents of ``database`` with the checked ``backup``, all or nothing.
    The caller closes its own connections first and runs ``migrate`` afterwards."""
    if backup.engine == SQLITE:
        _sqlite_restore(database, backup.path)
    else:
        _pg_restore(database, backup)


def _sqlite_restore(database: Mapping[str, Any], path: Path) -> None:
    live = _sqlite_live_path(database)
    live.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (
            closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as source,
            closing(sqlite3.connect(live, timeout=60)) as target,
        ):
            # The backup API in the other direction: the live database is replaced under
            # SQLite's own locks, in one step, so other connections see the old or the new one.
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")  # as Lini's connections set it
    except sqlite3.Error as exc:
        raise BackupError(
            _("The restore failed (the live database is unchanged): %(error)s") % {"error": exc}
        ) from exc


def _pg_restore(database: Mapping[str, Any], backup: BackupFile) -> None:
    """``pg_restore --clean --if-exists --no-owner`` writes the restore script, which psql
    applies in one transaction, after dropping the tables the backup does not have (created by
    migrations newer than it). If pg_restore fails half-way (a truncated file), psql is killed
    before it sees the end of its input, so the transaction is rolled back: all or nothing."""
    from psycopg import sql

    with closing(_pg_connect(database)) as conn:
        server_major = conn.info.server_version // 10000
        drops = [
            sql.SQL("DROP TABLE IF EXISTS {} CASCADE;")
            .format(sql.Identifier(*name.split(".", 1)))
            .as_string(conn)
            for name in backup.extra_tables
        ]
    pg_restore = pg_program("pg_restore", server_major)
    psql = pg_restore.with_name("psql")
    if not psql.is_file():
        psql = pg_program("psql", server_major)
    env = _pg_env(database)
    write_script = [str(pg_restore), "--clean", "--if-exists", "--no-owner", "--no-acl"]
    write_script += ["--file=-", str(backup.path)]
    apply_script = [str(psql), "--no-psqlrc", "--quiet", "--no-password", "--single-transaction"]
    apply_script += ["--set=ON_ERROR_STOP=1", *_pg_args(database), f"--dbname={database['NAME']}"]
    apply_script += [*(f"--command={d}" for d in drops), "--file=-"]
    with tempfile.TemporaryFile() as script_errors, tempfile.TemporaryFile() as apply_errors:
        script = subprocess.Popen(  # noqa: S603 - PostgreSQL client program, arguments built here
            write_script,
            env=env,
            stdout=subprocess.PIPE,
            stderr=script_errors,
        )
        apply = subprocess.Popen(  # noqa: S603 - PostgreSQL client program, arguments built here
            apply_script,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=apply_errors,
        )
        source, sink = script.stdout, apply.stdin
        assert source is not None  # noqa: S101 - Popen with stdout=PIPE
        assert sink is not None  # noqa: S101 - Popen with stdin=PIPE
        try:
            for block in iter(lambda: source.read(1 << 20), b""):
                sink.write(block)
        except BrokenPipeError:  # psql stopped at an error: its transaction is rolled back
            script.kill()
        source.close()
        script.wait()
        if script.returncode != 0:
            apply.kill()  # before its input ends: psql never commits
            apply.wait()
        else:
            with contextlib.suppress(BrokenPipeError):
                sink.close()  # the end of the script: psql commits
            apply.wait()
        if script.returncode != 0 or apply.returncode != 0:
            script_errors.seek(0)
            apply_errors.seek(0)
            error = (apply_errors.read() + b"\n" + script_errors.read()).decode("utf-8", "replace")
            raise BackupError(
                _("The restore failed (the database is unchanged): %(error)s")
                % {"error": error.strip()}
            )


# --------------------------------------------------------------------------------- services


def backup_create(*, path: Path, force: bool = False) -> BackupSummary:
    """Back up the configured database into ``path`` and record it in the audit trail (after the
    copy was taken: the backup holds the trail up to the entry before)."""
    from django.db import connections

    from lini.audit.models import AuditAction
    from lini.audit.services import audit_record

    summary = backup_write(database=connections["default"].settings_dict, path=path, force=force)
    audit_record(
        actor=None,
        action=AuditAction.EXPORT,
        model="core.backup",
        description=_("database backup %(name)s") % {"name": path.name},
        after={
            "file": str(path),
            "engine": summary.engine,
            "bytes": summary.size,
            "sha256": summary.sha256,
            "tables": len(summary.tables),
            "rows": summary.rows,
        },
    )
    return summary


def restore_run(*, backup: BackupFile, migrate_output: Any = None) -> list[tuple[str, str]]:
    """Replace the configured database with the checked ``backup``, bring it up to this Lini's
    migrations and record the restore in the (restored) audit trail. Returns the migrations
    that ``migrate`` applied after the restore (those the backup was older by)."""
    from django.core.management import call_command
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from lini.audit.models import AuditAction
    from lini.audit.services import audit_record

    database = dict(connections["default"].settings_dict)
    connections.close_all()
    restore_apply(database=database, backup=backup)
    connections.close_all()
    call_command(
        "migrate",
        interactive=False,
        verbosity=1 if migrate_output is not None else 0,
        stdout=migrate_output,
    )
    applied = set(MigrationRecorder(connections["default"]).applied_migrations())
    brought_up = sorted(applied - backup.migrations)
    audit_record(
        actor=None,
        action=AuditAction.IMPORT,
        model="core.backup",
        description=_("database restored from %(name)s") % {"name": backup.path.name},
        after={
            "file": str(backup.path),
            "engine": backup.engine,
            "bytes": backup.size,
            "sha256": backup.sha256,
            "migrations_applied": [f"{app}.{name}" for app, name in brought_up],
        },
    )
    return brought_up
