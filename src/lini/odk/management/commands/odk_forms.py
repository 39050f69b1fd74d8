"""``lini odk-forms``: write the shipped XLSForms (src/lini/odk/forms/*.xlsx) from their
definitions in ``lini.odk.definitions``; ``--check`` only compares them and converts each with
pyxform, failing when a file is out of date or pyxform warns."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lini.odk.definitions import definitions
from lini.odk.xforms import convert, xlsx_expected, xlsx_path, xlsx_read, xlsx_write


class Command(BaseCommand):
    help = "Write the ODK XLSForms from their definitions (or --check them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Compare and convert only; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = []
        for form_id, definition in definitions().items():
            path = xlsx_path(form_id)
            if options["check"]:
                if not path.exists() or xlsx_read(path) != xlsx_expected(definition):
                    problems.append(f"{path.name} differs from its definition")
                    continue
            else:
                xlsx_write(definition, path)
            _xml, warnings = convert(path.read_bytes())
            problems.extend(f"{path.name}: {warning}" for warning in warnings)
            self.stdout.write(f"{path.name}: version {definition.version}")
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError("run `lini odk-forms` and commit the .xlsx files")
