"""``lini backup -o FILE [--force]``: a consistent copy of the whole database, taken while Lini
runs (SQLite's online backup API, or pg_dump on PostgreSQL). See docs/backup.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from lini.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the whole database into one file (SQLite: online backup API; PostgreSQL: "
        "pg_dump --format=custom). The file holds personal data: keep it locked away."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o", "--output", type=Path, required=True, help="the backup file to write"
        )
        parser.add_argument(
            "--force", action="store_true", help="replace FILE when it already exists"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["output"]
        try:
            summary = backup_create(path=path, force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Backup written to %(path)s: %(size)s, %(tables)s tables, %(rows)s rows.")
                % {
                    "path": path,
                    "size": filesizeformat(summary.size),
                    "tables": number_format(len(summary.tables), force_grouping=True),
                    "rows": number_format(summary.rows, force_grouping=True),
                }
            )
        )
        for table in summary.largest():
            self.stdout.write(
                f"  {table.name:<40} {number_format(table.rows, force_grouping=True)}"
            )
        self.stdout.write(f"SHA-256 {summary.sha256}")
