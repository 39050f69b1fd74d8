"""``lini rebuild-aggregates [--check]``: recompute every village's counts from scratch, or
(``--check``) only compare them with the stored ones and list the differences."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lini.indicators.services import counts_check, counts_rebuild


class Command(BaseCommand):
    help = "Recompute the indicator counts of every village (or check them with --check)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="compare only; exit 1 when a count differs"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["check"]:
            differences = counts_check()
            for line in differences[:100]:
                self.stdout.write(line)
            if differences:
                raise CommandError(f"{len(differences):,} counts differ from a recomputation")
            self.stdout.write(f"The counts are fresh ({time.monotonic() - started:.1f} s).")
            return
        villages = counts_rebuild()
        self.stdout.write(
            f"Counts of {villages:,} villages rebuilt in {time.monotonic() - started:.1f} s."
        )
