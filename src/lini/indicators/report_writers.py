"""The monthly report (:mod:`lini.indicators.report`) as CSV, XLSX and PDF, and the export that
checks the user's right and records it in the audit trail.

- CSV: one row per figure (region_code, region_name, period, section, item, label, column, value),
  UTF-8 with a byte-order mark like every CSV of Lini; plain numbers (``53.33``), empty for none.
- XLSX (openpyxl): the report's layout on one sheet, numbers as numbers.
- PDF (fpdf2): the report's layout on A4 pages, numbers in the active language's format.

The figures are aggregates (no names, no NIK) but an export is still recorded, like every export.
A village's report leaves with its small counts hidden (``<5``, ``x``; the rule of
:mod:`lini.indicators.suppression`), whoever takes it: a file leaves the system. The files that
hide a figure say why (the legend: the XLSX and PDF below the report, the CSV in a last row).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import formats
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.models import AuditAction
from lini.audit.services import audit_record
from lini.core import privacy
from lini.core.privacy import Hidden
from lini.exchange.cells import safe_for_spreadsheet
from lini.indicators import suppression
from lini.indicators.report import Cell, MonthlyReport, Shown

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User

FORMATS: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}

CSV_COLUMNS = (
    "region_code", "region_name", "period", "section", "item", "label", "column", "value",
)  # fmt: skip

AUDIT_MODEL = "indicators.monthly_report"


def plain(value: Shown) -> str:
    if value is None:
        return ""
    return str(value)


def shown(cell: Cell) -> str:
    """A cell as a person reads it, in the active language's number format (``1.234``,
    ``53,33`` in Indonesian); a dash for none, the mark of a hidden one."""
    if cell.value is None:
        return "-"
    if isinstance(cell.value, Hidden):
        return str(cell.value)
    return formats.number_format(
        cell.value, decimal_pos=2 if cell.percent else 0, use_l10n=True, force_grouping=True
    )


def report_csv(report: MonthlyReport) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    region = report.region
    for section in report.sections:
        for line, cells in section.table():
            for column, cell in zip(section.columns, cells, strict=True):
                writer.writerow([
                    region.code, safe_for_spreadsheet(region.name), report.period.text,
                    section.code, line.key, safe_for_spreadsheet(line.label), column.key,
                    plain(cell.value),
                ])  # fmt: skip
    if suppression.report_hides(report):
        writer.writerow([region.code, safe_for_spreadsheet(region.name), report.period.text, "",
                         "privacy", privacy.legend(), "", ""])  # fmt: skip
    return buffer.getvalue().encode("utf-8-sig")


def report_xlsx(report: MonthlyReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Report")[:31]
    bold = Font(bold=True)
    sheet.append([_safe(report.title)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_safe(_("Region")), _safe(report.region_label)])
    sheet.append([_safe(_("Month")), _safe(report.month_label), report.period.text])
    width = max(len(s.columns) for s in report.sections) + 1
    for section in report.sections:
        sheet.append([])
        sheet.append([_safe(f"{section.code}. {section.title}")])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.append(["", *(_safe(c.label) for c in section.columns)])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, horizontal="center")
        for line, cells in section.table():
            sheet.append([_safe(line.label), *(_xlsx_value(c.value) for c in cells)])
            row = sheet[sheet.max_row]
            row[0].alignment = Alignment(indent=2 * line.level)
            if line.level == 0:
                row[0].font = bold
            for target, cell in zip(row[1:], cells, strict=False):
                target.number_format = "#,##0.00" if cell.percent else "#,##0"
        if section.note:
            sheet.append([_safe(section.note)])
            sheet.cell(row=sheet.max_row, column=1).font = Font(italic=True)
    if suppression.report_hides(report):
        sheet.append([])
        sheet.append([_safe(privacy.legend())])
        sheet.cell(row=sheet.max_row, column=1).font = Font(italic=True)
    sheet.column_dimensions["A"].width = 48
    for index in range(2, width + 1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = 16
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _safe(text: str) -> str:
    """A text cell that a spreadsheet shows as text, never runs (a region name may start with
    '=')."""
    return safe_for_spreadsheet(str(text))


def _xlsx_value(value: Shown) -> int | float | str | None:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Hidden):
        return str(value)
    return value


# Dashes and curly quotes of translated texts, as Latin-1.
_LATIN1 = str.maketrans({"\u2014": "-", "\u2013": "-", "\u2018": "'", "\u2019": "'",
                         "\u201c": '"', "\u201d": '"', "\u203a": ">"})  # fmt: skip


def _latin1(text: str) -> str:
    """The PDF's built-in fonts know Latin-1 only."""
    text = text.translate(_LATIN1)
    return text.encode("latin-1", "replace").decode("latin-1")


def report_pdf(report: MonthlyReport) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos
    from fpdf.fonts import FontFace

    footer = _latin1(f"Lini · {report.region_label} · {report.period.text}")
    page_word = _latin1(_("page"))

    class _Document(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Helvetica", size=8)
            self.cell(0, 5, f"{footer} · {page_word} {self.page_no()}/{{nb}}", align="C")

    pdf = _Document(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(_latin1(f"{report.title} {report.region_label} {report.period.text}"))
    pdf.set_creator("Lini")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin1(report.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 6, _latin1(f"{report.region_label} · {report.month_label}"),
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    bold, plain_face = FontFace(emphasis="BOLD"), FontFace(emphasis="")
    for section in report.sections:
        values = len(section.columns)
        label_width = max(usable - values * 24, 60)
        value_width = (usable - label_width) / values
        if pdf.will_page_break(30):
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 7, _latin1(f"{section.code}. {section.title}"),
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
        pdf.set_font("Helvetica", size=9)
        with pdf.table(
            col_widths=(label_width, *([value_width] * values)),
            width=usable,
            text_align=("LEFT", *(["RIGHT"] * values)),
            borders_layout="HORIZONTAL_LINES",
            headings_style=FontFace(emphasis="BOLD", size_pt=8),
            line_height=4.5,
            padding=0.8,
        ) as table:
            heading = table.row()
            heading.cell("")
            for column in section.columns:
                heading.cell(_latin1(column.label))
            for line, cells in section.table():
                row = table.row()
                label = ("    " * line.level) + line.label
                row.cell(_latin1(label), style=bold if line.level == 0 else plain_face)
                for cell in cells:
                    row.cell(_latin1(shown(cell)))
        if section.note:
            pdf.set_font("Helvetica", "I", 8)
            pdf.multi_cell(0, 4, _latin1(section.note), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if suppression.report_hides(report):
        pdf.ln(2)
        pdf.set_font("Helvetica", "I", 8)
        pdf.multi_cell(0, 4, _latin1(privacy.legend()), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


WRITERS = {"csv": report_csv, "xlsx": report_xlsx, "pdf": report_pdf}


@dataclass(frozen=True)
class ReportFile:
    data: bytes
    content_type: str
    filename: str


def report_filename(report: MonthlyReport, fmt: str) -> str:
    return f"laporan-bulanan-{report.region.code}-{report.period.text}.{fmt}"


def report_export(
    *, actor: User | AnonymousUser | None, report: MonthlyReport, fmt: str
) -> ReportFile:
    """``report`` as ``fmt`` (csv, xlsx, pdf) for ``actor`` (None: the system), recorded in the
    audit trail as an export; a village's small counts hidden, whoever the actor. PermissionDenied
    when the actor may not view the region."""
    if fmt not in WRITERS:
        raise ValueError(
            _("%(value)s is not a report format; choose csv, xlsx or pdf") % {"value": fmt}
        )
    if actor is not None:
        scope.require(actor, Action.VIEW, report.region)
    if suppression.hide_in_file(report.region):
        report = suppression.report_withheld(report)
    data = WRITERS[fmt](report)
    name = report_filename(report, fmt)
    audit_record(
        actor=actor, action=AuditAction.EXPORT, model=AUDIT_MODEL, description=name,
        region_code=report.region.code,
        after={"period": report.period.text, "format": fmt, "bytes": len(data),
               "personal": False},
    )  # fmt: skip
    return ReportFile(data=data, content_type=FORMATS[fmt], filename=name)
