"""``lini restore FILE [--yes] [--dry-run]``: replace the whole database with a backup written by
``lini backup``, then bring it up to this Lini's migrations. See docs/backup.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from lini.core.backup import BackupError, known_migrations, restore_check, restore_run


class Command(BaseCommand):
    help = (
        "Replace the whole database with a backup made by `lini backup` (everything written "
        "since the backup is lost), then run migrate. Stop the web server and the task worker "
        "first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a file written by lini backup")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument(
            "--dry-run", action="store_true", help="only check the file; change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        database = connections["default"].settings_dict
        try:
            backup = restore_check(database=database, path=path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        older = len(known_migrations() - backup.migrations)
        self.stdout.write(
            _(
                "%(path)s: a %(engine)s backup of Lini, %(size)s, %(tables)s tables; "
                "%(older)s migration(s) to apply after the restore."
            )
            % {
                "path": path,
                "engine": "SQLite" if backup.engine == "sqlite" else "PostgreSQL",
                "size": filesizeformat(backup.size),
                "tables": number_format(len(backup.tables), force_grouping=True),
                "older": number_format(older, force_grouping=True),
            }
        )
        if options["dry_run"]:
            self.stdout.write(self.style.SUCCESS(_("Dry run: the database was not changed.")))
            return
        if not options["yes"] and not self._confirmed(database):
            raise CommandError(_("Restore cancelled; the database was not changed."))
        try:
            applied = restore_run(backup=backup, migrate_output=self.stdout)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Database restored from %(path)s; %(applied)s migration(s) brought it up to date."
                )
                % {"path": path, "applied": number_format(len(applied), force_grouping=True)}
            )
        )

    def _confirmed(self, database: dict[str, Any]) -> bool:
        name = database.get("NAME", "")
        question = _(
            "This replaces everything in the database %(name)s with the backup; whatever was "
            "written since the backup is lost. Type yes to continue: "
        ) % {"name": name}
        try:
            answer = input(question)
        except EOFError:
            return False
        return answer.strip().lower() in {"yes", "ya", "y"}
