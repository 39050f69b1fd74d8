"""``lini campaign list|suggest-lokus|report``: baksos campaigns for scripts.

- ``list [--region CODE] --format json|csv [-o FILE]``: one entry per campaign (id, name,
  starts_on, ends_on, region_code, lokus: the lokus codes, a list in JSON, joined with ``;`` in
  CSV). ``--region`` keeps the campaigns planned in that region or with a lokus in it.
- ``suggest-lokus --region CODE[,CODE] --count N --year YYYY --format json|csv [-o FILE]``: the N
  villages furthest behind in those regions (:func:`lini.campaigns.planning.lokus_suggest`), one
  entry per village (region_code, region_name, score, reasons: a list of sentences in JSON,
  joined with `` | `` in CSV, users_needed).
- ``report ID --format xlsx|pdf|csv -o FILE``: the campaign's report file
  (:mod:`lini.campaigns.report_writers`); without ``--format`` the format follows FILE's suffix.

Texts and numbers follow the language (LANGUAGE_CODE, or ``--language``). What is written is
recorded in the audit trail as an export by the system.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import translation

from lini.audit.models import AuditAction
from lini.audit.services import audit_record
from lini.campaigns.models import Campaign
from lini.campaigns.planning import lokus_suggest
from lini.campaigns.report import campaign_report
from lini.campaigns.report_writers import FORMATS, report_export
from lini.exchange.cells import safe_for_spreadsheet
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import region_get, subtree_q

LIST_COLUMNS = ("id", "name", "starts_on", "ends_on", "region_code", "lokus")
SUGGEST_COLUMNS = ("region_code", "region_name", "score", "reasons", "users_needed")
LIST_AUDIT_MODEL = "campaigns.campaign_list"
SUGGEST_AUDIT_MODEL = "campaigns.lokus_suggestion"


class Command(BaseCommand):
    help = "Baksos campaigns: list them, suggest lokus villages, write a campaign's report."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        languages = [code for code, _name in settings.LANGUAGES]

        listing = actions.add_parser("list", help="one entry per campaign")
        listing.add_argument(
            "--region", help="only campaigns planned in this region or with a lokus in it"
        )
        listing.add_argument("--format", default="json", choices=("json", "csv"))
        listing.add_argument("-o", "--output", type=Path, help="write to FILE (default: stdout)")

        suggest = actions.add_parser(
            "suggest-lokus", help="the villages furthest behind in regions, with their reasons"
        )
        suggest.add_argument(
            "--region", required=True, help="region codes, comma-separated: 36.04,36.03.12"
        )
        suggest.add_argument("--count", type=int, default=8, help="how many villages (default 8)")
        suggest.add_argument("--year", type=int, required=True, help="the year of the targets")
        suggest.add_argument("--format", default="json", choices=("json", "csv"))
        suggest.add_argument("-o", "--output", type=Path, help="write to FILE (default: stdout)")

        report = actions.add_parser("report", help="a campaign's report as XLSX, PDF or CSV")
        report.add_argument("id", type=int, help="the campaign's id (see 'list')")
        report.add_argument(
            "--format", choices=sorted(FORMATS), help="default: from the suffix of FILE"
        )
        report.add_argument("-o", "--output", type=Path, required=True, help="write to FILE")

        for sub in (listing, suggest, report):
            sub.add_argument(
                "--language", choices=languages,
                help="language of the texts and numbers (default: LANGUAGE_CODE)",
            )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {
            "list": self.list_campaigns,
            "suggest-lokus": self.suggest_lokus,
            "report": self.write_report,
        }
        with translation.override(options["language"] or settings.LANGUAGE_CODE):
            handlers[options["action"]](options)

    # list ----------------------------------------------------------------------------------------

    def list_campaigns(self, options: dict[str, Any]) -> None:
        campaigns = Campaign.objects.select_related("region").order_by("starts_on", "pk")
        region = None
        if options["region"]:
            region = _region(options["region"])
            ids = Campaign.objects.filter(
                subtree_q([region.code], field="region__code")
                | subtree_q([region.code], field="lokus__village__code")
            ).values("pk")
            campaigns = campaigns.filter(pk__in=ids)
        rows = [
            {
                "id": campaign.pk, "name": campaign.name,
                "starts_on": campaign.starts_on.isoformat(),
                "ends_on": campaign.ends_on.isoformat(), "region_code": campaign.region.code,
                "lokus": sorted(item.village.code for item in campaign.lokus.all()),
            }
            for campaign in campaigns.prefetch_related("lokus__village")
        ]  # fmt: skip
        if options["format"] == "csv":
            text = _csv(
                LIST_COLUMNS,
                (
                    {**row, "name": safe_for_spreadsheet(row["name"]),
                     "lokus": ";".join(row["lokus"])}
                    for row in rows
                ),
            )  # fmt: skip
        else:
            text = _json(rows)
        self._emit(
            text, options, model=LIST_AUDIT_MODEL, what=f"{len(rows):,} campaigns",
            region_code=region.code if region is not None else "",
            after={"format": options["format"], "campaigns": [row["id"] for row in rows]},
        )  # fmt: skip

    # suggest-lokus -------------------------------------------------------------------------------

    def suggest_lokus(self, options: dict[str, Any]) -> None:
        codes = [code.strip() for code in options["region"].split(",") if code.strip()]
        if not codes:
            raise CommandError("--region: give at least one region code")
        regions: list[Region] = []
        for code in codes:
            region = _region(code)
            if region.level > RegionLevel.VILLAGE:
                raise CommandError(
                    f"--region: {region.code} ({region.name}) is below a village; "
                    "give regencies, districts or villages"
                )
            regions.append(region)
        count, year = options["count"], options["year"]
        if count < 1:
            raise CommandError(f"--count: ask for at least one village, not {count}")
        if not 1900 <= year <= 2100:
            raise CommandError(f"--year: {year} is not a year between 1900 and 2100")
        try:
            suggestions = lokus_suggest(user=None, regions=regions, year=year, count=count)
        except ValueError as exc:
            raise CommandError(f"--region: {exc}") from exc
        rows = [s.as_dict() for s in suggestions]
        if options["format"] == "csv":
            text = _csv(
                SUGGEST_COLUMNS,
                (
                    {**row, "region_name": safe_for_spreadsheet(row["region_name"]),
                     "reasons": safe_for_spreadsheet(" | ".join(row["reasons"])),
                     "users_needed": "" if row["users_needed"] is None else row["users_needed"]}
                    for row in rows
                ),
            )  # fmt: skip
        else:
            text = _json(rows)
        self._emit(
            text, options, model=SUGGEST_AUDIT_MODEL, what=f"{len(rows):,} villages",
            region_code=_common_ancestor([r.code for r in regions]),
            after={"format": options["format"], "year": year, "count": count,
                   "regions": [r.code for r in regions],
                   "villages": [row["region_code"] for row in rows]},
        )  # fmt: skip

    # report --------------------------------------------------------------------------------------

    def write_report(self, options: dict[str, Any]) -> None:
        output: Path = options["output"]
        fmt = options["format"] or output.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError(
                f"--format: give xlsx, pdf or csv (the file {output.name} does not tell)"
            )
        _check_folder(output)
        campaign = Campaign.objects.select_related("region").filter(pk=options["id"]).first()
        if campaign is None:
            raise CommandError(f"no campaign has the id {options['id']} (see 'lini campaign list')")
        with transaction.atomic():  # no audit entry for a file that could not be written
            data, _content_type, name = report_export(
                actor=None, report=campaign_report(campaign), fmt=fmt
            )
            _write(output, data)
        self.stderr.write(f"{fmt.upper()} report of campaign {campaign.pk} ({name}) -> {output}")

    # output --------------------------------------------------------------------------------------

    def _emit(
        self,
        text: str,
        options: dict[str, Any],
        *,
        model: str,
        what: str,
        region_code: str,
        after: dict[str, Any],
    ) -> None:
        output: Path | None = options["output"]
        if output is not None:
            _check_folder(output)
        with transaction.atomic():
            audit_record(
                actor=None, action=AuditAction.EXPORT, model=model,
                description=str(output) if output is not None else "stdout",
                region_code=region_code, after=after,
            )  # fmt: skip
            if output is not None:
                _write(output, text.encode("utf-8"))
        if output is not None:
            self.stderr.write(f"{what} written to {output}")
        else:
            self.stdout.write(text, ending="")


def _region(code: str) -> Region:
    region = region_get(code=code)
    if region is None:
        raise CommandError(f"--region: no region has the code {code!r}")
    return region


def _common_ancestor(codes: list[str]) -> str:
    """The code of the smallest region holding all of ``codes`` ("" when they share none)."""
    parts = [code.split(".") for code in codes]
    shared: list[str] = []
    for column in zip(*parts, strict=False):
        if len(set(column)) != 1:
            break
        shared.append(column[0])
    return ".".join(shared)


def _csv(columns: tuple[str, ...], rows: Any) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"


def _check_folder(output: Path) -> None:
    folder = output.parent if str(output.parent) else Path()
    if not folder.is_dir():
        raise CommandError(f"-o: the folder {folder} does not exist")


def _write(output: Path, data: bytes) -> None:
    """Write ``data`` to ``output`` whole or not at all (a temporary file, then renamed)."""
    folder = output.parent if str(output.parent) else Path()
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{output.name}.")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            Path(temporary).chmod(0o644)  # as a file written directly would be
            Path(temporary).replace(output)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise CommandError(f"-o: cannot write {output}: {exc.strerror or exc}") from exc
