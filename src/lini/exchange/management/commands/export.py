"""``lini export KIND --region CODE -o FILE [--user NAME]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lini.accounts.models import User
from lini.exchange.readers import FileError
from lini.exchange.registry import get_kind, kinds
from lini.exchange.services import export_run
from lini.regions.selectors import region_get


class Command(BaseCommand):
    help = "Export the data of a region (and everything below it) as .csv or .xlsx."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=f"kind of data: {', '.join(sorted(kinds()))}")
        parser.add_argument("--region", required=True, help="region code, e.g. 36.04")
        parser.add_argument(
            "-o", "--output", type=Path, required=True, help="FILE.csv or FILE.xlsx"
        )
        parser.add_argument("--user", help="export as this account (its regions and role apply)")

    def handle(self, *args: Any, **options: Any) -> None:
        region = region_get(code=options["region"])
        if region is None:
            raise CommandError(f"--region: no region has the code {options['region']!r}")
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"--user: no active account {options['user']!r}")
        try:
            count = export_run(
                kind=get_kind(options["kind"]), region=region, path=options["output"], user=user
            )
        except (KeyError, FileError) as exc:
            raise CommandError(str(exc).strip("'\"")) from exc
        except PermissionDenied as exc:
            raise CommandError(
                f"{options['user']} may not export this data of {region.code}"
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"{count:,} rows written to {options['output']}"))
