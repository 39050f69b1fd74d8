"""``lini template KIND -o FILE``: an empty template (.csv or .xlsx with an explanation sheet)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lini.exchange.readers import FileError
from lini.exchange.registry import get_kind, kinds
from lini.exchange.services import template_write


class Command(BaseCommand):
    help = "Write an empty import template for a kind of data (.csv or .xlsx)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=f"kind of data: {', '.join(sorted(kinds()))}")
        parser.add_argument(
            "-o", "--output", type=Path, required=True, help="FILE.xlsx or FILE.csv"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            kind = get_kind(options["kind"])
            template_write(kind=kind, path=options["output"])
        except (KeyError, FileError) as exc:
            raise CommandError(str(exc).strip("'\"")) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Template for {kind.slug} written to {options['output']}")
        )
