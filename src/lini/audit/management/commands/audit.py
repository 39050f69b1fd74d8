"""``lini audit verify``: check that no entry of the audit trail was changed or removed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lini.audit.services import chain_verify


class Command(BaseCommand):
    help = "Check the audit trail's hash chain (verify)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        count, problems = chain_verify()
        if problems:
            for problem in problems[:50]:
                self.stderr.write(problem)
            raise CommandError(f"the audit trail is damaged: {len(problems)} problem(s)")
        self.stdout.write(f"The audit trail is intact: {count:,} entries.")
