"""``lini indicators --region CODE --level LEVEL --period P --format csv|json [-o FILE]``.

Every indicator for every region of LEVEL (provinsi, kabupaten, kecamatan, desa) under CODE, one
row per region and indicator: region_code, region_name, period, indicator, value, target,
achievement_pct. P is YYYY-MM (a month) or YYYY (a year: end-of-year states, the year's flows).
Values are rounded half up to 2 decimals; empty when undefined (a zero denominator, no target).
Villages' small counts are shown as ``<5`` and the figures that would reveal them as ``x``
(:mod:`lini.indicators.suppression`): the output leaves the system."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lini.indicators.management.commands._options import level_under, viewer
from lini.indicators.selectors import LEVELS, TABLE_COLUMNS, indicator_rows, period_parse
from lini.indicators.suppression import rows_for_file
from lini.regions.selectors import region_get


class Command(BaseCommand):
    help = "Print every indicator for every region of a level below a region, for a period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", required=True, help="region code, e.g. 36 or 36.04")
        parser.add_argument("--level", required=True, choices=sorted(LEVELS), help="level")
        parser.add_argument("--period", required=True, help="YYYY-MM (a month) or YYYY (a year)")
        parser.add_argument("--format", default="csv", choices=("csv", "json"))
        parser.add_argument("-o", "--output", type=Path, help="write to FILE (default: stdout)")
        parser.add_argument("--user", help="as this account (its regions and role apply)")

    def handle(self, *args: Any, **options: Any) -> None:
        region = region_get(code=options["region"])
        if region is None:
            raise CommandError(f"--region: no region has the code {options['region']!r}")
        try:
            period = period_parse(options["period"])
        except ValueError as exc:
            raise CommandError(f"--period: {exc}") from exc
        level = level_under(region, options["level"])
        user = viewer(options["user"], region)
        table = list(indicator_rows(root=region, level=level, period=period, user=user))
        rows = [row.as_dict(period) for row in rows_for_file(table, period)]
        buffer = io.StringIO()
        if options["format"] == "json":
            json.dump(rows, buffer, ensure_ascii=False, indent=1)
            buffer.write("\n")
        else:
            writer = csv.DictWriter(buffer, fieldnames=TABLE_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        if options["output"]:
            options["output"].write_text(buffer.getvalue(), encoding="utf-8")
            self.stderr.write(f"{len(rows):,} rows written to {options['output']}")
        else:
            self.stdout.write(buffer.getvalue(), ending="")
