"""``lini load-regions``: load the Kemendagri regions shipped with Lini (or another file)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from lini.regions.codes import RegionCodeError, normalise_code
from lini.regions.models import RegionLevel
from lini.regions.services import (
    LoadReport,
    RegionFileError,
    bundled_wilayah_csv,
    read_wilayah_csv,
    regions_load,
)


class Command(BaseCommand):
    help = (
        "Load provinces, regencies/cities, districts and villages from the Kemendagri list "
        "(kode,nama,tingkat,jenis). Idempotent: a second run changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file",
            type=Path,
            default=None,
            help="CSV to load (default: the copy shipped with Lini)",
        )
        parser.add_argument("--province", help="load only this province, e.g. 36 (Banten)")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"] or bundled_wilayah_csv()
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        province = None
        if options["province"]:
            try:
                province = normalise_code(options["province"])
            except RegionCodeError as exc:
                raise CommandError(f"--province: {exc}") from exc
            if "." in province:
                raise CommandError(f"--province: {province!r} is not a province code (2 digits)")
        started = time.monotonic()
        try:
            report = load(path=path, province=province, dry_run=options["dry_run"])
        except RegionFileError as exc:
            message = str(exc)
            raise CommandError(
                message if message.startswith(str(path)) else f"{path}, {message}"
            ) from exc
        if province and not any(report.total(attr) for attr in ("created", "updated", "unchanged")):
            raise CommandError(f"--province: {path} has no region with the code {province!r}")
        self._print(report, seconds=time.monotonic() - started, dry_run=options["dry_run"])

    def _print(self, report: LoadReport, *, seconds: float, dry_run: bool) -> None:
        self.stdout.write(f"{'level':<16}{'created':>10}{'updated':>10}{'unchanged':>11}")
        for level, counts in report.levels.items():
            label = str(RegionLevel(level).label)
            self.stdout.write(
                f"{label:<16}{counts.created:>10,}{counts.updated:>10,}{counts.unchanged:>11,}"
            )
        if not report.changed:
            self.stdout.write("No change: every region is already up to date.")
        verb = "Would change" if dry_run else "Done"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb}: {report.total('created'):,} created, {report.total('updated'):,} updated, "
                f"{report.total('unchanged'):,} unchanged in {seconds:.1f} s."
                + (" (dry run: nothing written)" if dry_run else "")
            )
        )


def load(*, path: Path, province: str | None, dry_run: bool) -> LoadReport:
    with transaction.atomic():
        report = regions_load(rows=read_wilayah_csv(path, province=province))
        if dry_run:
            transaction.set_rollback(True)
    return report
