"""``lini rebuild-aggregates [--region CODE] [--check | --pending]``: recompute the counts of
every village (or of the villages of one region) from scratch, or (``--check``) only compare
them with the stored ones and list the differences, or (``--pending``) rewrite only the villages
an interrupted import left behind."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lini.core.statistics import statistics_refresh
from lini.indicators.services import counts_check, counts_pending_rewrite, counts_rebuild
from lini.regions.models import RegionLevel
from lini.regions.selectors import region_get, region_subtree


class Command(BaseCommand):
    help = "Recompute the indicator counts of every village (or check them with --check)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="compare only; exit 1 when a count differs"
        )
        parser.add_argument("--region", help="only the villages of this region (a code)")
        parser.add_argument(
            "--pending", action="store_true",
            help="only the villages an interrupted import left with counts to rewrite",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["pending"]:
            if options["check"] or options["region"]:
                raise CommandError("--pending goes alone (not with --check or --region)")
            done = counts_pending_rewrite()
            self.stdout.write(
                f"Counts of {done:,} villages rewritten in {time.monotonic() - started:.1f} s."
            )
            return
        villages = None
        if options["region"]:
            region = region_get(code=options["region"])
            if region is None:
                raise CommandError(f"there is no region {options['region']}")
            villages = list(
                region_subtree(region=region)
                .filter(level=RegionLevel.VILLAGE)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        if options["check"]:
            differences = counts_check(village_ids=villages)
            for line in differences[:100]:
                self.stdout.write(line)
            if differences:
                raise CommandError(f"{len(differences):,} counts differ from a recomputation")
            self.stdout.write(f"The counts are fresh ({time.monotonic() - started:.1f} s).")
            return
        rebuilt = counts_rebuild(village_ids=villages)
        statistics_refresh()
        self.stdout.write(
            f"Counts of {rebuilt:,} villages rebuilt in {time.monotonic() - started:.1f} s."
        )
