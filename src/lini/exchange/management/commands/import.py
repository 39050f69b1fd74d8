"""``lini import KIND FILE [--dry-run] [--rejects PATH] [--json] [--user NAME]``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lini.accounts.models import User
from lini.exchange.readers import FileError
from lini.exchange.registry import ImportReport, get_kind, kinds
from lini.exchange.services import import_run


class Command(BaseCommand):
    help = (
        "Import a .csv or .xlsx file. Each row is accepted or rejected with its reasons; rejected "
        "rows can be written to a file (--rejects) to fix and import again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=f"kind of data: {', '.join(sorted(kinds()))}")
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check and count; write nothing")
        parser.add_argument(
            "--rejects", type=Path, help="write rejected rows (with the reason) here"
        )
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")
        parser.add_argument(
            "--user", help="import as this account (its regions and role apply); default: system"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"--user: no active account {options['user']!r}")
        started = time.monotonic()
        show_progress = not options["json"] and sys.stderr.isatty()

        def progress(rows: int) -> None:
            if show_progress:
                sys.stderr.write(f"\r{rows:,} rows read")
                sys.stderr.flush()

        try:
            report = import_run(
                kind=get_kind(options["kind"]),
                path=path,
                user=user,
                dry_run=options["dry_run"],
                rejects_path=options["rejects"],
                progress=progress,
            )
        except (KeyError, FileError, PermissionDenied) as exc:
            raise CommandError(str(exc).strip("'\"")) from exc
        if show_progress:
            sys.stderr.write("\n")
        seconds = time.monotonic() - started
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {**report.as_dict(), "seconds": round(seconds, 2)}, ensure_ascii=False, indent=2
                )
            )
        else:
            self._print(report, seconds, options["rejects"])

    def _print(self, report: ImportReport, seconds: float, rejects: Path | None) -> None:
        self.stdout.write(f"rows read:      {report.rows_read:,}")
        self.stdout.write(f"rows accepted:  {report.rows_read - report.rows_rejected:,}")
        self.stdout.write(f"rows rejected:  {report.rows_rejected:,}")
        for name, value in report.counts.items():
            self.stdout.write(f"{name.replace('_', ' ') + ':':<22}{value:,}")
        for problem in report.problems[:20]:
            self.stdout.write(self.style.WARNING(f"  {problem.as_text()}"))
        if report.problems_total > 20:
            self.stdout.write(f"  … and {report.problems_total - 20:,} more")
        if report.warnings_total:
            self.stdout.write(f"warnings (stored, please check): {report.warnings_total:,}")
        if rejects and report.rows_rejected:
            self.stdout.write(f"rejected rows written to {rejects}")
        note = " (dry run: nothing written)" if report.dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"Done in {seconds:.1f} s{note}."))
