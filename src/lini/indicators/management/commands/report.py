"""``lini report monthly --region CODE --period YYYY-MM --format xlsx|pdf|csv -o FILE``.

The monthly field-control report (DOMAIN.md §4.11, §5) of a village, district, regency or
province for a month, read from the counts. Without ``--format`` the format follows the suffix of
FILE. The export is recorded in the audit trail (as the system, or as ``--user``, whose regions
and role then apply)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lini.indicators.management.commands._options import report_region_and_period, viewer
from lini.indicators.report import monthly_report
from lini.indicators.report_writers import FORMATS, report_export


class Command(BaseCommand):
    help = "Write a report: 'monthly' is the monthly field-control report of a region."

    def add_arguments(self, parser: CommandParser) -> None:
        reports = parser.add_subparsers(dest="report", required=True, metavar="REPORT")
        monthly = reports.add_parser(
            "monthly", help="the monthly field-control report of a region for a month"
        )
        monthly.add_argument("--region", required=True, help="region code, e.g. 36.04.09.2013")
        monthly.add_argument("--period", required=True, help="the month, YYYY-MM")
        monthly.add_argument(
            "--format", choices=sorted(FORMATS), help="default: from the suffix of FILE"
        )
        monthly.add_argument("-o", "--output", type=Path, required=True, help="write to FILE")
        monthly.add_argument("--user", help="as this account (its regions and role apply)")

    def handle(self, *args: Any, **options: Any) -> None:
        region, period = report_region_and_period(options["region"], options["period"])
        output: Path = options["output"]
        fmt = options["format"] or output.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError(
                f"--format: give csv, xlsx or pdf (the file {output.name} does not tell)"
            )
        user = viewer(options["user"], region)
        report = monthly_report(region=region, period=period)
        try:
            exported = report_export(actor=user, report=report, fmt=fmt)
        except PermissionDenied as exc:
            raise CommandError(f"{options['user']} may not view {region.code}") from exc
        output.write_bytes(exported.data)
        self.stderr.write(f"{fmt.upper()} report of {region.code} for {period.text} -> {output}")
