"""``lini export KIND --region CODE -o FILE [--user NAME] [--purpose TEXT [--purpose-kind K]]``.

Kinds that hold personal data (register, services, poktan, workers, cadres) need ``--purpose``:
who needs the data and why, kept with the export in the audit trail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lini.accounts.models import User
from lini.exchange.models import ExportPurpose
from lini.exchange.readers import FileError
from lini.exchange.registry import get_kind, kinds
from lini.exchange.services import PURPOSE_MIN_CHARS, export_purpose_clean, export_run
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
        parser.add_argument(
            "--purpose",
            default="",
            help="why the data is exported (required for kinds with personal data, at least "
            f"{PURPOSE_MIN_CHARS} characters), e.g. 'verification of Singamerta before the baksos'",
        )
        parser.add_argument(
            "--purpose-kind", default="", choices=ExportPurpose.values, help="kind of purpose"
        )

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
            kind = get_kind(options["kind"])
        except KeyError as exc:
            raise CommandError(str(exc).strip("'\"")) from exc
        try:
            purpose = export_purpose_clean(
                kind=kind, purpose=options["purpose"], purpose_kind=options["purpose_kind"]
            )
        except ValidationError as exc:
            raise CommandError(f"--purpose: {' '.join(exc.messages)}") from exc
        try:
            count = export_run(
                kind=kind, region=region, path=options["output"], user=user, purpose=purpose,
                purpose_kind=options["purpose_kind"] if purpose else "",
            )  # fmt: skip
        except (KeyError, FileError) as exc:
            raise CommandError(str(exc).strip("'\"")) from exc
        except PermissionDenied as exc:
            raise CommandError(
                f"{options['user']} may not export this data of {region.code}"
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"{count:,} rows written to {options['output']}"))
