"""``lini rank --region CODE --level LEVEL --year YYYY --format csv|json [-o FILE] [--user U]``.

The regions of LEVEL (provinsi, kabupaten, kecamatan, desa) under CODE ranked by their composite
gap to the targets of YYYY, furthest behind first (see :mod:`lini.indicators.ranking` for the
score, the target fallback and the people gaps). CSV: one row per region with rank, region_code,
region_name, score, modern_users_needed, users_needed, unmet_fewer_needed (empty: no target) and
the reasons joined with "; ". JSON: a list of regions, each with its reasons, people gaps and the
gaps behind the score (code, kind, value, target, target_region, count, total, points, weight,
contribution, reason). Reasons and numbers follow the language (LANGUAGE_CODE, or --language).
Villages' figures computed from small counts are shown as ``x`` (:mod:`lini.indicators.suppression`):
the output leaves the system."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from lini.indicators.management.commands._options import level_under, viewer
from lini.indicators.ranking import CSV_COLUMNS, csv_row, rank_regions
from lini.indicators.selectors import LEVELS
from lini.indicators.suppression import hide_in_file, ranking_withheld
from lini.regions.selectors import region_get


class Command(BaseCommand):
    help = "Rank the regions of a level below a region by their gap to the year's targets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", required=True, help="region code, e.g. 36 or 36.04")
        parser.add_argument("--level", required=True, choices=sorted(LEVELS), help="level")
        parser.add_argument("--year", required=True, type=int, help="the year of the targets")
        parser.add_argument("--format", default="csv", choices=("csv", "json"))
        parser.add_argument("-o", "--output", type=Path, help="write to FILE (default: stdout)")
        parser.add_argument("--user", help="as this account (its regions and role apply)")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of the reasons and numbers (default: LANGUAGE_CODE)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        region = region_get(code=options["region"])
        if region is None:
            raise CommandError(f"--region: no region has the code {options['region']!r}")
        year = options["year"]
        if not 1900 <= year <= 2100:
            raise CommandError(f"--year: {year} is not a year between 1900 and 2100")
        level = level_under(region, options["level"])
        user = viewer(options["user"], region)
        with translation.override(options["language"] or settings.LANGUAGE_CODE):
            ranked = rank_regions(root=region, level=level, year=year, user=user)
            ranked = ranking_withheld(ranked, year, hide_in_file)
            buffer = io.StringIO()
            if options["format"] == "json":
                json.dump([r.as_dict() for r in ranked], buffer, ensure_ascii=False, indent=1)
                buffer.write("\n")
            else:
                writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
                writer.writeheader()
                writer.writerows(csv_row(r) for r in ranked)
        if options["output"]:
            options["output"].write_text(buffer.getvalue(), encoding="utf-8")
            self.stderr.write(f"{len(ranked):,} regions written to {options['output']}")
        else:
            self.stdout.write(buffer.getvalue(), ending="")
