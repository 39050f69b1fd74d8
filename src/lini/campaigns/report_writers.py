"""The campaign report (:mod:`lini.campaigns.report`) as CSV, XLSX and PDF files, and the export
that records a file in the audit trail.

- CSV: one row per figure (campaign_id, campaign_name, lokus_code, lokus_name, section, key,
  label, target, achieved, pct); sections ``target`` (each lokus's lines, then the totals with
  lokus_code ``total``), ``services`` (method x visit type) and ``effect`` (a region's indicator:
  ``target`` holds the month before, ``achieved`` the campaign's month). UTF-8 with a byte-order
  mark like every CSV of Lini; plain numbers (``53.3``), empty for none.
- XLSX (openpyxl): sheets Summary, Lokus, Services, Days and Effect; numbers and dates as such.
- PDF (fpdf2, A4): a one-page summary for the head of office, then a page per lokus with its
  team, days and up to :data:`MAX_PHOTOS` photos; numbers in the active language's format.

No file holds personal data of clients: services are counted, never listed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.utils import formats
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.models import AuditAction
from lini.audit.services import audit_record
from lini.campaigns.choices import SERVICE_KEYS, target_label
from lini.campaigns.report import CampaignReport, campaign_report
from lini.campaigns.selectors import (
    EFFECT_INDICATORS,
    Effect,
    Line,
    LokusProgress,
    campaigns_visible_to,
    lokus_visible_to,
    method_rows,
)
from lini.exchange.cells import safe_for_spreadsheet
from lini.indicators.report import month_name
from lini.indicators.report_writers import _latin1 as latin1
from lini.indicators.selectors import plain as plain_decimal
from lini.kb.choices import VisitType
from lini.regions.codes import parent_code
from lini.regions.models import Region
from lini.register.choices import Method

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User
    from lini.campaigns.models import Campaign, Lokus, Photo
    from lini.indicators.models import Indicator

FORMATS: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
CSV_COLUMNS = (
    "campaign_id", "campaign_name", "lokus_code", "lokus_name", "section", "key", "label",
    "target", "achieved", "pct",
)  # fmt: skip
TOTAL = "total"  # the lokus_code of the campaign's totals in the CSV
MAX_PHOTOS = 4  # photos printed per lokus in the PDF
PDF_IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")  # fpdf2 reads these through Pillow
AUDIT_MODEL = "campaigns.report"  # as the report page records its downloads

Number = int | Decimal | None


# Shared pieces -----------------------------------------------------------------------------------


def filename(report: CampaignReport, fmt: str) -> str:
    """``baksos-<id>-<slug of the name>.<fmt>``."""
    slug = slugify(report.campaign.name)[:60].strip("-")
    return f"baksos-{report.campaign.pk}{'-' + slug if slug else ''}.{fmt}"


def _plain(value: Number) -> str:
    """A number for a data file: ``53.3``, ``12``; empty for none."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain_decimal(value)
    return str(value)


def _cell(value: Number) -> int | float | None:
    """A number for a spreadsheet cell."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _text(value: object) -> str:
    """Text for a spreadsheet cell, never run as a formula."""
    return safe_for_spreadsheet(str(value))


def _number(value: Number, decimals: int = 0) -> str:
    """A number as a person reads it in the active language (``1.234``, ``53,3``); a dash for
    none."""
    if value is None:
        return "-"
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _date(day: dt.date) -> str:
    """``1 November 2019`` in the active language."""
    return formats.date_format(day, "j F Y")


def _short_date(day: dt.date) -> str:
    return formats.date_format(day, "d/m/Y")


def _dates(report: CampaignReport) -> str:
    campaign = report.campaign
    if campaign.starts_on == campaign.ends_on:
        return _date(campaign.starts_on)
    return f"{_date(campaign.starts_on)} - {_date(campaign.ends_on)}"


def _districts(report: CampaignReport) -> dict[str, Region]:
    """The district of each lokus, by its code (one query)."""
    codes = {parent_code(item.village.code) for item in report.lokus}
    return {r.code: r for r in Region.objects.filter(code__in=[c for c in codes if c])}


def _lokus_label(lokus: Lokus, districts: dict[str, Region]) -> str:
    district = districts.get(parent_code(lokus.village.code) or "")
    where = f", {district.display_name}" if district is not None else ""
    return f"{lokus.village.display_name}{where} ({lokus.village.code})"


def _indicators() -> list[Indicator]:
    from lini.indicators.models import Indicator

    found = list(Indicator.objects.filter(code__in=EFFECT_INDICATORS))
    found.sort(key=lambda i: EFFECT_INDICATORS.index(i.code))
    return found


def _indicator_name(indicator: Indicator) -> str:
    from lini.indicators.dashboard import display_name

    return display_name(indicator)


def _decimals(indicator: Indicator) -> int:
    return 2 if indicator.unit == "%" else 0


@dataclass(frozen=True)
class EffectRow:
    region: Region
    indicator: Indicator
    before: Decimal | None
    during: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        if self.before is None or self.during is None:
            return None
        return self.during - self.before


def _effect_rows(
    effects: list[Effect], codes: tuple[str, ...] = EFFECT_INDICATORS
) -> Iterator[EffectRow]:
    indicators = [i for i in _indicators() if i.code in codes]
    for item in effects:
        for indicator in indicators:
            before, during = item.before.get(indicator.code), item.during.get(indicator.code)
            yield EffectRow(
                region=item.region, indicator=indicator,
                before=before.shown if before is not None else None,
                during=during.shown if during is not None else None,
            )  # fmt: skip


def _service_lines(by_method: dict[str, dict[str, int]]) -> Iterator[tuple[str, str, int]]:
    """(key ``svc_<method>_<visit>``, label, services) for each method and visit type given."""
    for method in Method.values:
        visits = by_method.get(method, {})
        for visit in VisitType.values:
            if visits.get(visit):
                key = f"svc_{method}_{visit}"
                yield key, target_label(key), visits[visit]


def service_summary(lines: list[Line]) -> tuple[int, int]:
    """(services targeted, services achieved) over the service lines (``svc_<method>_<visit>``:
    new acceptors, switches and transfers; repeat visits and removals are not targeted) of a
    lokus or of the campaign's totals. The PDF and the printable summary both count so."""
    services = [line for line in lines if line.key in SERVICE_KEYS]
    return sum(line.target for line in services), sum(line.achieved for line in services)


# CSV ---------------------------------------------------------------------------------------------


def report_csv(report: CampaignReport) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    campaign = report.campaign
    head = [str(campaign.pk), _text(campaign.name)]
    total_name = _text(_("Total"))

    def lines(code: str, name: str, items: list[Line]) -> None:
        for line in items:
            writer.writerow([
                *head, code, name, "target", line.key, _text(line.label), line.target,
                line.achieved, _plain(line.pct),
            ])  # fmt: skip

    def services(code: str, name: str, by_method: dict[str, dict[str, int]]) -> None:
        for key, label, count in _service_lines(by_method):
            writer.writerow([*head, code, name, "services", key, _text(label), "", count, ""])

    for item in report.progress.lokus:
        lines(item.lokus.village.code, _text(item.lokus.village.name), item.lines)
    lines(TOTAL, total_name, report.progress.total)
    for item in report.progress.lokus:
        services(item.lokus.village.code, _text(item.lokus.village.name), item.by_method)
    services(TOTAL, total_name, report.progress.by_method)
    for row in _effect_rows(report.effect):
        writer.writerow([
            *head, row.region.code, _text(row.region.name), "effect", row.indicator.code,
            _text(_indicator_name(row.indicator)), _plain(row.before), _plain(row.during), "",
        ])  # fmt: skip
    return buffer.getvalue().encode("utf-8-sig")


# XLSX --------------------------------------------------------------------------------------------


def report_xlsx(report: CampaignReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.worksheet import Worksheet

    bold, title_font = Font(bold=True), Font(bold=True, size=14)
    wrap = Alignment(wrap_text=True, vertical="top")
    campaign = report.campaign
    districts = _districts(report)
    book = Workbook()

    def heading(sheet: Worksheet, values: list[Any]) -> None:
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            cell.font = bold

    def emphasise(sheet: Worksheet, font: Font = bold) -> None:
        sheet.cell(row=sheet.max_row, column=1).font = font

    def lines_table(sheet: Worksheet, lines: list[Line]) -> None:
        heading(sheet, [_("Target"), _("target"), _("achieved"), "%"])
        for line in lines:
            sheet.append([_text(line.label), line.target, line.achieved, _cell(line.pct)])
            sheet.cell(row=sheet.max_row, column=4).number_format = "0.0"

    def widths(sheet: Worksheet, *sizes: int) -> None:
        for index, size in enumerate(sizes, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = size

    # Summary
    sheet = book.active
    sheet.title = pgettext("campaign report sheet", "Summary")[:31]
    sheet.append([_text(campaign.name)])
    emphasise(sheet, title_font)
    sheet.append([_("Theme"), _text(campaign.theme)])
    sheet.append([_("Organisers"), _text(campaign.organisers)])
    sheet.append([_("Planned by the office of"), _text(campaign.region.display_name)])
    for label, day in ((_("First day"), campaign.starts_on), (_("Last day"), campaign.ends_on)):
        sheet.append([label, day])
        sheet.cell(row=sheet.max_row, column=2).number_format = "DD/MM/YYYY"
    sheet.append([_("Days"), campaign.days])
    sheet.append([_("Lokus"), len(report.lokus)])
    sheet.append([_("Report of"), report.generated_on])
    sheet.cell(row=sheet.max_row, column=2).number_format = "DD/MM/YYYY"
    sheet.append([])
    sheet.append([_("Lokus")])
    emphasise(sheet)
    heading(sheet, [_("Code"), _("Village"), _("District"), _("KB services"), _("Days logged"),
                    _("Photos")])  # fmt: skip
    for item in report.progress.lokus:
        district = districts.get(parent_code(item.lokus.village.code) or "")
        sheet.append([
            item.lokus.village.code, _text(item.lokus.village.display_name),
            _text(district.display_name) if district is not None else "", item.services,
            item.days_logged, item.photos,
        ])  # fmt: skip
    sheet.append([])
    sheet.append([_("Target against achievement, all lokus")])
    emphasise(sheet)
    lines_table(sheet, report.progress.total)
    widths(sheet, 44, 30, 24, 14, 14, 10)

    # Lokus
    sheet = book.create_sheet(pgettext("campaign report sheet", "Lokus")[:31])
    for item in report.progress.lokus:
        lokus = item.lokus
        sheet.append([_text(_lokus_label(lokus, districts))])
        emphasise(sheet, Font(bold=True, size=12))
        if lokus.reasons:
            sheet.append([_("Why it was chosen")])
            emphasise(sheet)
            for reason in lokus.reasons:
                sheet.append([_text(reason)])
        sheet.append([])
        lines_table(sheet, item.lines)
        if item.tidy:
            sheet.append([])
            heading(sheet, [_("Kampung KB item to tidy up"), _("done")])
            for tidy in item.tidy:
                sheet.append([_text(tidy.label), _("yes") if tidy.done else _("no")])
            sheet.append([_("Done"), item.tidy_done, len(item.tidy)])
        sheet.append([])
        heading(sheet, [_("Team"), _("Organisation"), _("Role"), _("Kind")])
        for member in report.team.get(lokus.pk, []):
            sheet.append([
                _text(member.name), _text(member.organisation), _text(member.get_role_display()),
                _text(member.get_kind_display()),
            ])  # fmt: skip
        sheet.append([])
        sheet.append([])
    widths(sheet, 52, 24, 24, 16)

    # Services
    sheet = book.create_sheet(pgettext("campaign report sheet", "Services")[:31])
    visit_labels = [str(label) for _value, label in VisitType.choices]
    heading(sheet, [_("Code"), _("Lokus"), _("Method"), *visit_labels, _("Total")])
    blocks: list[tuple[str, str, dict[str, dict[str, int]]]] = [
        (p.lokus.village.code, p.lokus.village.display_name, p.by_method)
        for p in report.progress.lokus
    ]
    blocks.append((TOTAL, _("Total"), report.progress.by_method))
    for code, name, by_method in blocks:
        for label, counts, total in method_rows(by_method):
            sheet.append([code, _text(name), _text(label), *counts, total])
    for cell in sheet[1]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths(sheet, 16, 28, 30, *([14] * len(visit_labels)), 10)

    # Days
    sheet = book.create_sheet(pgettext("campaign report sheet", "Days")[:31])
    heading(sheet, [_("Code"), _("Lokus"), _("Day"), _("families visited"),
                    _("counselling sessions"), _("people attending"), _("Photos"), _("Notes")])  # fmt: skip
    for item in report.progress.lokus:
        lokus = item.lokus
        photos_by_day: dict[dt.date, int] = {}
        for photo in report.photos.get(lokus.pk, []):
            photos_by_day[photo.day] = photos_by_day.get(photo.day, 0) + 1
        for log in report.days.get(lokus.pk, []):
            sheet.append([
                lokus.village.code, _text(lokus.village.display_name), log.day,
                log.families_visited, log.counselling, log.attendance,
                photos_by_day.get(log.day, 0), _text(log.notes),
            ])  # fmt: skip
            sheet.cell(row=sheet.max_row, column=3).number_format = "DD/MM/YYYY"
            sheet.cell(row=sheet.max_row, column=8).alignment = wrap
    widths(sheet, 16, 28, 12, 12, 12, 12, 10, 60)

    # Effect
    sheet = book.create_sheet(pgettext("campaign report sheet", "Effect")[:31])
    heading(sheet, [
        _("Code"), _("Region"), _("Indicator"), month_name(report.month_before),
        month_name(report.month_during), _("Difference"),
    ])  # fmt: skip
    for row in _effect_rows(report.effect):
        sheet.append([
            row.region.code, _text(row.region.display_name),
            _text(_indicator_name(row.indicator)), _cell(row.before), _cell(row.during),
            _cell(row.difference),
        ])  # fmt: skip
        number_format = "#,##0.00" if _decimals(row.indicator) else "#,##0"
        for column in (4, 5, 6):
            sheet.cell(row=sheet.max_row, column=column).number_format = number_format
    widths(sheet, 12, 24, 44, 16, 16, 12)

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# PDF ---------------------------------------------------------------------------------------------

# Table rows of the summary from roomy to dense (line height mm, padding mm, font size pt): the
# first that keeps the summary to one page is used, however many targets and lokus it lists.
DENSITIES: tuple[tuple[float, float, float], ...] = (
    (4.0, 0.6, 8.0), (3.4, 0.3, 7.5), (3.0, 0.2, 7.0), (2.6, 0.15, 6.0), (2.3, 0.1, 5.5),
)  # fmt: skip


class _Writer:
    """An A4 document of fpdf2's built-in Helvetica (Latin-1 text, see
    :func:`lini.indicators.report_writers._latin1`) with a page footer, and the few shapes the
    report draws: paragraphs, section titles and tables."""

    def __init__(self, footer: str, density: tuple[float, float, float]) -> None:
        from fpdf import FPDF

        page_word = latin1(_("page"))
        footer = latin1(footer)

        class _Document(FPDF):
            def footer(self) -> None:
                self.set_y(-12)
                self.set_font("Helvetica", size=8)
                self.cell(0, 5, f"{footer} · {page_word} {self.page_no()}/{{nb}}", align="C")

        self.pdf = _Document(orientation="portrait", unit="mm", format="A4")
        self.pdf.set_creator("Lini")
        self.pdf.set_auto_page_break(auto=True, margin=16)
        self.pdf.set_margins(12, 12, 12)
        self.pdf.oversized_images = "DOWNSCALE"  # a phone photo is printed a few cm wide
        self.usable = self.pdf.w - self.pdf.l_margin - self.pdf.r_margin
        self.density = density

    def write(self, text: str, size: float = 9, style: str = "", height: float = 5) -> None:
        from fpdf.enums import XPos, YPos

        self.pdf.set_font("Helvetica", style, size)
        self.pdf.multi_cell(0, height, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def section(self, text: str) -> None:
        if self.pdf.will_page_break(20):
            self.pdf.add_page()
        self.pdf.ln(2)
        self.write(text, size=10, style="B", height=6)

    def table(
        self,
        widths: tuple[float, ...],
        header: list[str],
        rows: list[list[str]],
        align: tuple[str, ...],
    ) -> None:
        from fpdf.fonts import FontFace

        line, pad, size = self.density
        self.pdf.set_font("Helvetica", size=size)
        with self.pdf.table(
            col_widths=widths, width=self.usable, text_align=align,
            headings_style=FontFace(emphasis="BOLD", size_pt=size),
            borders_layout="HORIZONTAL_LINES", line_height=line, padding=(pad, 1.2),
        ) as grid:  # fmt: skip
            row = grid.row()
            for text in header:
                row.cell(latin1(text))
            for values in rows:
                row = grid.row()
                for text in values:
                    row.cell(latin1(text))

    def lines(self, lines: list[Line]) -> None:
        self.table(
            (self.usable - 66, 22, 22, 22), [_("Target"), _("target"), _("achieved"), "%"],
            [[line.label, _number(line.target), _number(line.achieved), _number(line.pct, 1)]
             for line in lines],
            ("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        )  # fmt: skip


def report_pdf(report: CampaignReport) -> bytes:
    campaign = report.campaign
    districts = _districts(report)
    effect_rows = list(_effect_rows(report.effect, codes=("cpr", "mcpr")))
    for density in DENSITIES:
        doc = _Writer(f"Lini · {campaign.name}", density)
        _summary(doc, report, districts, effect_rows)
        if doc.pdf.page_no() == 1:
            break
    doc.pdf.set_title(latin1(campaign.name))
    doc.density = DENSITIES[0]
    for item in report.progress.lokus:
        _lokus_page(doc, report, item, districts)
    return bytes(doc.pdf.output())


def _summary(
    doc: _Writer,
    report: CampaignReport,
    districts: dict[str, Region],
    effect_rows: list[EffectRow],
) -> None:
    """The one-page summary for the head of office: the campaign, target against achievement
    in total, one line per lokus, the effect on CPR and mCPR of its regions, a signature."""
    campaign, usable = report.campaign, doc.usable
    doc.pdf.add_page()
    doc.write(campaign.name, size=14, style="B", height=7)
    if campaign.theme:
        doc.write(campaign.theme, size=10, style="I")
    doc.pdf.ln(1)
    facts = [
        (
            _("Dates"),
            ngettext("%(dates)s (%(n)s day)", "%(dates)s (%(n)s days)", campaign.days)
            % {"dates": _dates(report), "n": _number(campaign.days)},
        ),
        (_("Organisers"), campaign.organisers or "-"),
        (_("Planned by the office of"), campaign.region.display_name),
        (_("Lokus"), _number(len(report.lokus))),
    ]
    for label, value in facts:
        doc.write(f"{label}: {value}")
    doc.section(_("Target against achievement, all lokus"))
    doc.lines(report.progress.total)
    doc.section(_("Lokus"))
    rows = []
    for item in report.progress.lokus:
        targeted, done = service_summary(item.lines)
        met = sum(1 for line in item.lines if line.target and line.met)
        with_target = sum(1 for line in item.lines if line.target)
        rows.append([
            _lokus_label(item.lokus, districts), _number(targeted), _number(done),
            _number(Line("", "", targeted, done).pct, 1), f"{met}/{with_target}",
            _number(item.days_logged),
        ])  # fmt: skip
    doc.table(
        (usable - 100, 20, 20, 18, 22, 20),
        [_("Lokus"), _("services targeted"), _("services given"), "%", _("targets met"),
         _("days logged")],
        rows, ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
    )  # fmt: skip
    if effect_rows:
        doc.section(_("Effect on the regions' contraceptive prevalence"))
        doc.table(
            (usable - 110, 24, 30, 30, 26),
            [_("Region"), _("Indicator"), month_name(report.month_before),
             month_name(report.month_during), _("Difference")],
            [[row.region.display_name, _short_name(row.indicator),
              _number(row.before, 2), _number(row.during, 2), _signed(row.difference, 2)]
             for row in effect_rows],
            ("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
        )  # fmt: skip
    _signature(doc, report)


def _short_name(indicator: Indicator) -> str:
    return {"cpr": "CPR", "mcpr": "mCPR"}.get(indicator.code, _indicator_name(indicator))


def _signed(value: Decimal | None, decimals: int) -> str:
    text = _number(value, decimals)
    return f"+{text}" if value is not None and value > 0 else text


def _signature(doc: _Writer, report: CampaignReport) -> None:
    from fpdf.enums import XPos, YPos

    pdf = doc.pdf
    if pdf.will_page_break(34):
        pdf.add_page()
    pdf.ln(6)
    left, width = pdf.l_margin + doc.usable * 0.55, doc.usable * 0.45
    pdf.set_font("Helvetica", size=9)
    for text in (
        f"{report.campaign.region.name}, {_date(report.generated_on)}",
        _("Head of office"),
    ):
        pdf.set_x(left)
        pdf.cell(width, 5, latin1(text), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(16)
    pdf.set_x(left)
    pdf.cell(width, 5, "( ..................................................... )", align="C",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    pdf.set_x(left)
    pdf.set_font("Helvetica", "I", 8)
    pdf.cell(width, 4, latin1(_("name and signature")), align="C",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip


def _lokus_page(
    doc: _Writer, report: CampaignReport, item: LokusProgress, districts: dict[str, Region]
) -> None:
    """A lokus: why it was chosen, target against achievement, the Kampung KB items to tidy
    up, the team, the days and the photos."""
    lokus, usable = item.lokus, doc.usable
    doc.pdf.add_page()
    doc.write(_lokus_label(lokus, districts), size=13, style="B", height=7)
    doc.write(f"{report.campaign.name} · {_dates(report)}", size=9, style="I")
    if lokus.reasons:
        doc.section(_("Why it was chosen"))
        for reason in lokus.reasons:
            doc.write(f"- {reason}")
    doc.section(_("Target against achievement"))
    if item.lines:
        doc.lines(item.lines)
    else:
        doc.write(_("No targets and nothing recorded yet."))
    if item.tidy:
        doc.section(_("Kampung KB items to tidy up: %(done)s of %(planned)s done") % {
            "done": _number(item.tidy_done), "planned": _number(len(item.tidy))})  # fmt: skip
        for tidy in item.tidy:
            doc.write(f"[{'x' if tidy.done else ' '}] {tidy.label}")
    doc.section(_("Team"))
    members = report.team.get(lokus.pk, [])
    if members:
        doc.table(
            (usable * 0.4, usable * 0.3, usable * 0.3), [_("Name"), _("Organisation"), _("Role")],
            [[m.name, m.organisation or "-", str(m.get_role_display())] for m in members],
            ("LEFT", "LEFT", "LEFT"),
        )  # fmt: skip
    else:
        doc.write(_("No team member yet."))
    doc.section(_("Days"))
    logs = report.days.get(lokus.pk, [])
    if logs:
        doc.table(
            (20, 22, 22, 22, usable - 86),
            [_("Day"), _("families visited"), _("counselling sessions"), _("people attending"),
             _("Notes")],
            [[_short_date(log.day), _number(log.families_visited), _number(log.counselling),
              _number(log.attendance), log.notes or "-"] for log in logs],
            ("LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
        )  # fmt: skip
    else:
        doc.write(_("No daily log yet."))
    photos = report.photos.get(lokus.pk, [])
    if photos:
        doc.section(_("Photos"))
        _photos(doc, photos)


def _photos(doc: _Writer, photos: list[Photo]) -> None:
    """Up to :data:`MAX_PHOTOS` photos, two a row, each scaled to fit its box; a photo that
    cannot be printed (its file gone, a type fpdf2 cannot read) is listed by its caption."""
    from lini.campaigns.photos import photo_dir

    pdf = doc.pdf
    gap, box_height, caption_height = 6.0, 58.0, 8.0
    box_width = (doc.usable - gap) / 2
    listed: list[str] = []
    placed = 0
    for photo in photos:
        label = f"{_short_date(photo.day)} {photo.caption}".strip()
        if placed >= MAX_PHOTOS or photo.content_type not in PDF_IMAGE_TYPES:
            listed.append(label)
            continue
        try:
            data = (photo_dir() / photo.file_name).read_bytes()
        except OSError:
            listed.append(label)
            continue
        column = placed % 2
        if column == 0 and pdf.will_page_break(box_height + caption_height):
            pdf.add_page()
        top = pdf.get_y()
        x = pdf.l_margin + column * (box_width + gap)
        try:
            pdf.image(io.BytesIO(data), x=x, y=top, w=box_width, h=box_height,
                      keep_aspect_ratio=True)  # fmt: skip
        except Exception:  # a damaged image must not stop the report
            listed.append(label)
            continue
        pdf.set_xy(x, top + box_height + 1)
        pdf.set_font("Helvetica", size=7)
        pdf.multi_cell(box_width, 3.5, latin1(label), align="C")
        placed += 1
        if column == 1 or placed == MAX_PHOTOS:
            pdf.set_xy(pdf.l_margin, top + box_height + caption_height + 2)
        else:
            pdf.set_xy(pdf.l_margin, top)
    if placed % 2 == 1:
        pdf.set_xy(pdf.l_margin, pdf.get_y() + box_height + caption_height + 2)
    if listed:
        doc.write(_("Other photos: %(list)s") % {"list": "; ".join(listed)}, size=8)


# Files -------------------------------------------------------------------------------------------

WRITERS = {"csv": report_csv, "xlsx": report_xlsx, "pdf": report_pdf}


def render(report: CampaignReport, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of ``report`` as ``fmt`` (xlsx, pdf or csv)."""
    if fmt not in WRITERS:
        raise ValueError(
            _("%(value)s is not a report format; choose xlsx, pdf or csv") % {"value": fmt}
        )
    return WRITERS[fmt](report), FORMATS[fmt], filename(report, fmt)


def report_for(actor: User | AnonymousUser | None, campaign: Campaign) -> CampaignReport:
    """The report of ``campaign`` as ``actor`` may see it: over the lokus of
    :func:`~lini.campaigns.selectors.lokus_visible_to`, with the effect on the regions whose
    figures the actor may view. None (the system): the whole campaign."""
    if actor is None:
        return campaign_report(campaign)
    report = campaign_report(campaign, lokus_visible_to(actor, campaign))
    report.effect = [e for e in report.effect if scope.can(actor, Action.VIEW, e.region)]
    return report


def report_export(
    *, actor: User | AnonymousUser | None, report: CampaignReport, fmt: str
) -> tuple[bytes, str, str]:
    """:func:`render` for ``actor`` (None: the system), recorded in the audit trail as an export.
    PermissionDenied when the actor may not see the campaign, or when the report holds a lokus
    or an effect region the actor may not see (build it with :func:`report_for`)."""
    campaign = report.campaign
    if actor is not None:
        if not campaigns_visible_to(actor).filter(pk=campaign.pk).exists():
            raise PermissionDenied
        visible = set(lokus_visible_to(actor, campaign).values_list("pk", flat=True))
        if any(item.pk not in visible for item in report.lokus) or any(
            not scope.can(actor, Action.VIEW, item.region) for item in report.effect
        ):
            raise PermissionDenied
    data, content_type, name = render(report, fmt)
    audit_record(
        actor=actor, action=AuditAction.EXPORT, model=AUDIT_MODEL, object_id=campaign.pk,
        description=name, region_code=campaign.region.code,
        after={"format": fmt, "bytes": len(data), "personal": False,
               "lokus": [item.village.code for item in report.lokus]},
    )  # fmt: skip
    return data, content_type, name
