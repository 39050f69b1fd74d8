"""``lini generate-population --region CODE --scale F --seed N``: a synthetic register."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lini.core.statistics import statistics_refresh
from lini.regions.selectors import region_get
from lini.register.synthetic import population_generate


class Command(BaseCommand):
    help = (
        "Fill the villages of a region with synthetic families, members and couples whose totals "
        "follow Banten's real figures (see docs/population.md). Deterministic for a seed: running "
        "it again with the same arguments changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", default="36", help="region code (default 36, Banten)")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="share of the real population (default 1)"
        )
        parser.add_argument("--seed", type=int, default=2019, help="random seed (default 2019)")

    def handle(self, *args: Any, **options: Any) -> None:
        region = region_get(code=options["region"])
        if region is None:
            raise CommandError(f"--region: no region has the code {options['region']!r}")
        if not 0 < options["scale"] <= 2:
            raise CommandError("--scale must be above 0 and at most 2")
        started = time.monotonic()
        tty = sys.stderr.isatty()

        def progress(done: int, total: int) -> None:
            if tty:
                sys.stderr.write(f"\r{done:,} / ~{total:,} people")
                sys.stderr.flush()

        counts = population_generate(
            region=region, scale=options["scale"], seed=options["seed"], progress=progress
        )
        if tty:
            sys.stderr.write("\n")
        statistics_refresh()
        seconds = time.monotonic() - started
        self.stdout.write(
            f"families: {counts.families_created:,} created, {counts.families_unchanged:,} unchanged; "
            f"members: {counts.members_created:,} created, {counts.members_unchanged:,} unchanged; "
            f"couples: {counts.couples_created:,} created; status events: {counts.events_created:,}"
        )
        self.stdout.write(self.style.SUCCESS(f"Done in {seconds:.1f} s."))
