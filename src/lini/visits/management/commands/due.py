"""``lini due --user USERNAME --week YYYY-Www [--region CODE] --format pdf|csv|xlsx|json -o FILE``.

The due list of a user for a week, as the due-list page shows it to that user: the families of
their regions (or of ``--region``, which must lie in their scope) with what each is due for. The
file holds names and contraceptive use: it is recorded in the audit trail as an export by that
user, No. KK masked unless the user may see identities. Without ``--format`` the format follows
the suffix of FILE. ``-v 2`` also prints how many items each rule put on the list."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lini.accounts.models import User
from lini.regions.models import RegionLevel
from lini.regions.selectors import region_get
from lini.visits.due import Week
from lini.visits.selectors import TooWideError
from lini.visits.writers import FORMATS, due_list_export


class Command(BaseCommand):
    help = "Write a user's due list for a week (the families to visit and why) to a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="the account whose list it is")
        parser.add_argument("--week", required=True, help="the ISO week, YYYY-Www (2019-W44)")
        parser.add_argument(
            "--region", help="a province, regency, district or village code in the user's regions "
            "(default: all of them)",
        )  # fmt: skip
        parser.add_argument(
            "--format", choices=sorted(FORMATS), help="default: from the suffix of FILE"
        )
        parser.add_argument("-o", "--output", type=Path, required=True, help="write to FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["user"]
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"--user: no active account {username!r}")
        try:
            week = Week.parse(options["week"])
        except ValueError as exc:
            raise CommandError(f"--week: {exc}") from exc
        region = None
        if options["region"]:
            region = region_get(code=options["region"])
            if region is None:
                raise CommandError(f"--region: no region has the code {options['region']!r}")
            if region.level > RegionLevel.VILLAGE:
                raise CommandError(
                    f"--region: {region.code} lies below a village; give its village or above"
                )
        output: Path = options["output"]
        fmt = options["format"] or output.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError(
                f"--format: give {', '.join(sorted(FORMATS))} (the file {output.name} does not tell)"
            )
        if not output.parent.is_dir():
            raise CommandError(f"-o: {output.parent} is not a folder")
        try:
            exported = due_list_export(actor=user, week=week, fmt=fmt, region=region)
        except PermissionDenied as exc:
            raise CommandError(
                f"--region: {user.username} may not view {options['region']}"
            ) from exc
        except TooWideError as exc:
            hint = "" if region is not None else " (give --region)"
            raise CommandError(f"--region: {exc}{hint}") from exc
        output.write_bytes(exported.data)
        due = exported.due
        self.stderr.write(
            f"{fmt.upper()} due list of {user.username} for {week} "
            f"({week.start:%d/%m/%Y}-{week.end:%d/%m/%Y}): {due.families} families, "
            f"{len(due.items)} items, {due.overdue} overdue, {due.dropout_risk} at risk of "
            f"dropping out -> {output}"
        )
        if options["verbosity"] >= 2:
            per_rule = Counter(item.rule.code for item in due.items)
            for code, count in sorted(per_rule.items(), key=lambda pair: (-pair[1], pair[0])):
                self.stderr.write(f"  {code:<22} {count:>5}")
