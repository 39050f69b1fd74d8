"""``lini demo``: prepare everything (database, regions, demo accounts) and serve the web app."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lini.core.statistics import statistics_refresh
from lini.demo.services import (
    DEMO_PASSWORD,
    DEMO_SCALE,
    demo_campaign_ensure,
    demo_counts_ensure,
    demo_field_work_ensure,
    demo_population_ensure,
    demo_regions_load,
    demo_users_ensure,
)


class Command(BaseCommand):
    help = (
        "Prepare a demo of Lini (migrate, load Banten's regions, create one account per role) "
        "and serve it on http://127.0.0.1:8000. Running it again reuses what exists."
    )
    requires_system_checks = []  # checks run in migrate, once the database exists

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port", type=int, default=8000, help="port to serve on (default 8000)"
        )
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)"
        )
        parser.add_argument("--no-serve", action="store_true", help="prepare, then exit")
        parser.add_argument(
            "--all-regions", action="store_true", help="load all of Indonesia, not only Banten"
        )
        parser.add_argument(
            "--full-population",
            action="store_true",
            help="generate Banten's whole population (about 12.9 M people; takes several minutes)",
        )
        parser.add_argument(
            "--population-scale",
            type=float,
            default=DEMO_SCALE,
            help=f"share of Banten's people to generate (default {DEMO_SCALE})",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="run on a database other than the demo's own SQLite file (LINI_DATABASE_URL)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DATABASE_URL != settings.DEFAULT_DATABASE_URL and not options["force"]:
            raise CommandError(
                "LINI_DATABASE_URL points at another database. The demo creates accounts with a "
                "published password; run it there only on purpose, with --force."
            )
        started = time.monotonic()
        self._step("Database", settings.DATABASES["default"]["NAME"])
        call_command("migrate", interactive=False, verbosity=0)
        report = demo_regions_load(all_regions=options["all_regions"])
        self._step(
            "Regions",
            f"{report.total('created'):,} created, {report.total('updated'):,} updated, "
            f"{report.total('unchanged'):,} unchanged",
        )
        scale = 1.0 if options["full_population"] else options["population_scale"]
        population = demo_population_ensure(scale=scale)
        if population is None:
            self._step("Population", "exists (kept as it is)")
        else:
            self._step(
                "Population",
                f"{population.families_created:,} families, {population.members_created:,} people, "
                f"{population.couples_created:,} couples (synthetic, scale {scale})",
            )
        accounts = demo_users_ensure()
        field = demo_field_work_ensure()
        self._step(
            "Field work",
            f"{field['workforce']['counsellors']:,} counsellors, "
            f"{field['poktan']['poktan']:,} poktan, "
            f"{field['kampung']['created']:,} Kampung KB, "
            f"{field['kb']['facilities_created']:,} facilities, "
            f"{field['kb']['services_created']:,} KB services, "
            f"{field['monthly']['inputs']:,} monthly inputs, "
            f"{field.get('visits', {}).get('visits', 0):,} home visits (new this run)",
        )
        counted = demo_counts_ensure()
        self._step(
            "Indicator counts",
            "exist (kept fresh by every change)" if counted is None else f"{counted:,} villages",
        )
        statistics_refresh()  # after the bulk writes, every run (lini.core.statistics)
        campaign = demo_campaign_ensure()
        self._step(
            "Baksos 2019",
            "exists (kept as it is)" if campaign is None
            else f"{campaign.name}: {campaign.lokus.count()} lokus planned",
        )  # fmt: skip
        self._step("Accounts", f"password for new demo accounts: {DEMO_PASSWORD}")
        for spec, created in accounts:
            note = "created" if created else "exists, password unchanged"
            where = ", ".join(spec.region_codes) or "Indonesia"
            self.stdout.write(f"    {spec.username:<18} {spec.role:<17} {where:<16} ({note})")
        self.stdout.write(self.style.SUCCESS(f"Ready in {time.monotonic() - started:.1f} s."))
        if options["no_serve"]:
            return
        address = f"{options['host']}:{options['port']}"
        worker = self._start_worker()
        self.stdout.write(self.style.SUCCESS(f"Open http://{address}/ (Ctrl+C stops the demo)"))
        try:
            call_command("runserver", address, use_reloader=False, skip_checks=True)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)

    def _start_worker(self) -> subprocess.Popen[bytes] | None:
        """Imports and exports run in the background: the demo runs a task worker beside the
        web server (in production: `lini db_worker` as its own service)."""
        if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
            return None
        self._step("Worker", "lini db_worker (imports and exports in the background)")
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lini.cli",
                "db_worker",
                "--interval",
                "0.5",
                "--no-startup-delay",
            ],
            env=os.environ.copy(),
        )

    def _step(self, name: str, detail: object) -> None:
        self.stdout.write(f"{name}: {detail}")
