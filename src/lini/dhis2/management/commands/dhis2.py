"""``lini dhis2 export --region CODE --period YYYY-MM --format json|adx -o FILE [--force]`` and
``lini dhis2 import FILE [--dry-run]``.

Both run as the system (like ``lini export`` without ``--user``) and are recorded in the audit
trail. The export writes the monthly report's mapped figures of a region as a DHIS2
dataValueSet (JSON) or ADX XML and refuses to overwrite a file unless ``--force``; the import
reads the targets of a dataValueSet, all or nothing (``--dry-run``: check and count only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lini.dhis2.exporting import FORMATS, ExportError, dhis2_export
from lini.dhis2.importing import MAX_BYTES, targets_import
from lini.indicators.management.commands._options import report_region_and_period


class Command(BaseCommand):
    help = "Exchange with DHIS2: export a region's monthly figures, import targets."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        export = actions.add_parser(
            "export", help="a region's monthly figures as a dataValueSet (json) or ADX (adx)"
        )
        export.add_argument("--region", required=True, help="region code, e.g. 36.04")
        export.add_argument("--period", required=True, help="the month, YYYY-MM")
        export.add_argument("--format", required=True, choices=sorted(FORMATS))
        export.add_argument("-o", "--output", type=Path, required=True, help="write to FILE")
        export.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
        imported = actions.add_parser("import", help="targets from a dataValueSet (JSON)")
        imported.add_argument("file", type=Path, metavar="FILE")
        imported.add_argument(
            "--dry-run", action="store_true", help="check and count, write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self._export(options)
        else:
            self._import(options)

    def _export(self, options: dict[str, Any]) -> None:
        region, period = report_region_and_period(options["region"], options["period"])
        output: Path = options["output"]
        if output.exists() and not options["force"]:
            raise CommandError(f"{output} exists; give --force to overwrite it")
        if not output.parent.is_dir():
            raise CommandError(f"{output.parent} is not a folder")
        try:
            exported = dhis2_export(actor=None, region=region, period=period, fmt=options["format"])
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        output.write_bytes(exported.data)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(exported.values.values)} values of {region.code} for {period.text} "
                f"(org unit {exported.values.org_unit}) -> {output}"
            )
        )

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"{path}: larger than 20 MB")
        result = targets_import(
            actor=None, data=path.read_bytes(), name=path.name, dry_run=options["dry_run"]
        )
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(problem.text(path.name))
            raise CommandError(
                f"{len(result.problems)} problem(s) in {path.name}: nothing was imported"
            )
        counts = (
            f"{result.created} targets new, {result.updated} changed, {result.unchanged} unchanged"
        )
        if result.dry_run:
            self.stdout.write(f"Dry run, nothing written: {counts}")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported from {path.name}: {counts}"))
