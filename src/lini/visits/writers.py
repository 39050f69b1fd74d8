"""A week's due list (:class:`lini.visits.selectors.DueList`) as CSV, XLSX, JSON and PDF, and the
export that computes it for a user (within their scope) and records it in the audit trail.

Every format has the same columns (:data:`COLUMNS`) and texts, one line per item (a reason to
visit a family), in walking order: village, dusun, RW, RT, family.

- CSV: a header of the column titles in the active language, then one row per item; UTF-8 with a
  byte-order mark like every CSV of Lini; dates as ``dd/mm/yyyy``, yes/no in words; texts guarded
  against spreadsheet formulas.
- XLSX (openpyxl): the list's week, regions and user above the same table; dates as date cells
  shown ``dd/mm/yyyy``.
- JSON, for scripts: keys in English, dates ISO (``2019-11-01``), texts in the active language::

      {"week": "2019-W44", "starts_on": "2019-10-28", "ends_on": "2019-11-03",
       "reference_day": "2019-11-01", "prepared_for": "kader.singamerta",
       "regions": [{"code": "36.04.09.2013", "name": "Singamerta"}],
       "totals": {"families": 31, "items": 40, "overdue": 6, "dropout_risk": 2},
       "groups": [{"label": "Singamerta · Dusun I · RW 1 · RT 2", "village": "Singamerta",
                   "dusun": "I", "rw": "1", "rt": "2",
                   "families": [{"family_id": 7, "kk_number": "3604********0001",
                                 "name": "Siti", "address": "...", "overdue": false,
                                 "items": [{"rule": "suntik-3", "title": "...",
                                            "person": "Siti", "due_on": "2019-10-30",
                                            "overdue": false, "overdue_since": "2019-11-28",
                                            "dropout_risk": false,
                                            "last_contact": "2019-08-01",
                                            "last_outcome": "served", "method": "suntik",
                                            "product": "suntik_3", "bring": "...",
                                            "form": "K/IV/KB"}]}]}]}

- PDF (fpdf2, A4 portrait), printable for cadres without a smartphone: the week's dates and the
  user at the top; per group a heading, per family its name, No. KK and address, a line per item
  with six boxes to tick the outcome by hand (served, counselled, not at home, refused, moved
  away, died) and a line for notes. fpdf2's built-in Helvetica knows Latin-1 only: texts go
  through :func:`lini.indicators.report_writers._latin1`, which keeps Indonesian (plain Latin
  letters) as it is.

No. KK is masked (:func:`lini.register.identity.mask`) for users who may not see identities, by
:func:`lini.visits.selectors.due_list`. The list holds names and contraceptive use: every export
is recorded in the audit trail with its purpose, "due list <week>".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lini.audit.models import AuditAction
from lini.audit.services import audit_record
from lini.exchange.cells import safe_for_spreadsheet
from lini.exchange.models import ExportPurpose
from lini.indicators.report_writers import _latin1 as latin1
from lini.kb.choices import Product
from lini.register.choices import Method
from lini.visits.choices import Outcome
from lini.visits.due import DueItem, Week
from lini.visits.selectors import DueFamily, DueGroup, DueList, due_list

if TYPE_CHECKING:
    from lini.accounts.models import User
    from lini.regions.models import Region

FORMATS: dict[str, str] = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
AUDIT_MODEL = "visits.due_list"

# The columns of every format: (JSON key, title).
COLUMNS: tuple[tuple[str, Any], ...] = (
    ("village", gettext_lazy("Village")),
    ("dusun", gettext_lazy("Dusun")),
    ("rw", gettext_lazy("RW")),
    ("rt", gettext_lazy("RT")),
    ("kk_number", gettext_lazy("No. KK")),
    ("person", gettext_lazy("Name")),
    ("address", gettext_lazy("Address")),
    ("rule", gettext_lazy("Rule")),
    ("title", gettext_lazy("Why")),
    ("due_on", gettext_lazy("Due on")),
    ("overdue", gettext_lazy("Overdue")),
    ("dropout_risk", gettext_lazy("At risk of dropping out")),
    ("last_contact", gettext_lazy("Last contact")),
    ("last_outcome", gettext_lazy("Outcome of the last contact")),
    ("method", gettext_lazy("Method")),
    ("bring", gettext_lazy("What to bring")),
    ("form", gettext_lazy("Form")),
)
# The boxes of the printed list, in this order.
PDF_OUTCOMES: tuple[str, ...] = (
    Outcome.SERVED, Outcome.COUNSELLED, Outcome.NOT_HOME, Outcome.REFUSED, Outcome.MOVED,
    Outcome.DIED,
)  # fmt: skip


# Shared pieces -----------------------------------------------------------------------------------


def short_date(day: dt.date | None) -> str:
    """``01/11/2019``; empty for none."""
    return day.strftime("%d/%m/%Y") if day is not None else ""


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def method_label(item: DueItem) -> str:
    """The product when it is known (``3-monthly injection``), otherwise the method."""
    if item.product in Product.values:
        return str(Product(item.product).label)
    if item.method in Method.values:
        return str(Method(item.method).label)
    return ""


def outcome_label(outcome: str) -> str:
    return str(Outcome(outcome).label) if outcome in Outcome.values else ""


def user_label(user: User) -> str:
    """``Kader Singamerta (kader.singamerta)``; the user name alone when it has no full name."""
    name = user.get_full_name().strip()
    return f"{name} ({user.get_username()})" if name else user.get_username()


def regions_label(due: DueList) -> str:
    """The region of the list (``Singamerta (36.04.09.2013)``), or its villages."""
    names = [f"{region.display_name} ({region.code})" for region in due.regions]
    if len(names) > 6:
        return _("%(first)s and %(n)s more villages") % {
            "first": ", ".join(names[:5]), "n": len(names) - 5}  # fmt: skip
    return ", ".join(names) or _("no village")


def week_label(week: Week) -> str:
    return _("week %(week)s, %(start)s - %(end)s") % {
        "week": str(week), "start": short_date(week.start), "end": short_date(week.end)}  # fmt: skip


def _lines(due: DueList) -> list[tuple[DueGroup, DueFamily, DueItem]]:
    return [
        (group, family, item)
        for group in due.groups
        for family in group.families
        for item in family.items
    ]


def _row(group: DueGroup, family: DueFamily, item: DueItem) -> dict[str, Any]:
    """One item as the typed values of :data:`COLUMNS`."""
    return {
        "village": group.village,
        "dusun": group.dusun,
        "rw": group.rw,
        "rt": group.rt,
        "kk_number": family.kk_number,
        "person": item.person,
        "address": family.address,
        "rule": item.rule.code,
        "title": item.title,
        "due_on": item.due_on,
        "overdue": item.overdue,
        "dropout_risk": item.dropout_risk,
        "last_contact": item.last_contact,
        "last_outcome": outcome_label(item.last_outcome),
        "method": method_label(item),
        "bring": item.bring,
        "form": item.rule.form,
    }


def _text_row(values: dict[str, Any]) -> list[str]:
    """A row as people read it: dates ``dd/mm/yyyy``, yes/no in words."""
    cells = []
    for key, _title in COLUMNS:
        value = values[key]
        if isinstance(value, bool):
            cells.append(_yes_no(value))
        elif isinstance(value, dt.date):
            cells.append(short_date(value))
        elif value is None:
            cells.append("")
        else:
            cells.append(str(value))
    return cells


# CSV ---------------------------------------------------------------------------------------------


def due_csv(due: DueList, *, prepared_for: str = "") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([str(title) for _key, title in COLUMNS])
    for group, family, item in _lines(due):
        writer.writerow([safe_for_spreadsheet(c) for c in _text_row(_row(group, family, item))])
    return buffer.getvalue().encode("utf-8-sig")


# JSON --------------------------------------------------------------------------------------------


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def due_data(due: DueList, *, prepared_for: str = "") -> dict[str, Any]:
    """The list as plain data (the structure of the module's docstring)."""
    groups = []
    for group in due.groups:
        families = []
        for family in group.families:
            items = [
                {
                    "rule": item.rule.code,
                    "title": item.title,
                    "person": item.person,
                    "due_on": _iso(item.due_on),
                    "overdue": item.overdue,
                    "overdue_since": _iso(item.overdue_since),
                    "dropout_risk": item.dropout_risk,
                    "last_contact": _iso(item.last_contact),
                    "last_outcome": item.last_outcome,
                    "method": item.method,
                    "product": item.product,
                    "bring": item.bring,
                    "form": item.rule.form,
                }
                for item in family.items
            ]
            families.append({
                "family_id": family.family_id, "kk_number": family.kk_number,
                "name": family.person, "address": family.address, "overdue": family.overdue,
                "items": items,
            })  # fmt: skip
        groups.append({
            "label": group.label, "village": group.village, "dusun": group.dusun,
            "rw": group.rw, "rt": group.rt, "families": families,
        })  # fmt: skip
    return {
        "week": str(due.week),
        "starts_on": _iso(due.week.start),
        "ends_on": _iso(due.week.end),
        "reference_day": _iso(due.reference_day),
        "prepared_for": prepared_for,
        "regions": [{"code": r.code, "name": r.name} for r in due.regions],
        "totals": {
            "families": due.families,
            "items": len(due.items),
            "overdue": due.overdue,
            "dropout_risk": due.dropout_risk,
        },
        "groups": groups,
    }


def due_json(due: DueList, *, prepared_for: str = "") -> bytes:
    data = due_data(due, prepared_for=prepared_for)
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


# XLSX --------------------------------------------------------------------------------------------

XLSX_WIDTHS = (18, 12, 6, 6, 20, 24, 28, 16, 36, 12, 10, 12, 12, 18, 22, 40, 10)


def due_xlsx(due: DueList, *, prepared_for: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Due list")[:31]
    sheet.append([safe_for_spreadsheet(_("Due list"))])
    sheet["A1"].font = Font(bold=True, size=14)
    facts = (
        (_("Week"), week_label(due.week)),
        (_("Region"), regions_label(due)),
        (_("Prepared for"), prepared_for),
        (_("Families"), due.families),
        (_("Overdue"), due.overdue),
        (_("At risk of dropping out"), due.dropout_risk),
    )
    for label, value in facts:
        sheet.append([safe_for_spreadsheet(label),
                      safe_for_spreadsheet(value) if isinstance(value, str) else value])  # fmt: skip
    sheet.append([])
    sheet.append([safe_for_spreadsheet(str(title)) for _key, title in COLUMNS])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for group, family, item in _lines(due):
        values = _row(group, family, item)
        cells: list[Any] = []
        for key, _title in COLUMNS:
            value = values[key]
            if isinstance(value, bool):
                cells.append(_yes_no(value))
            elif isinstance(value, dt.date) or value is None:
                cells.append(value)
            else:
                cells.append(safe_for_spreadsheet(str(value)))
        sheet.append(cells)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "DD/MM/YYYY"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    if sheet.max_row > header_row:
        sheet.auto_filter.ref = (
            f"A{header_row}:{sheet.cell(row=sheet.max_row, column=len(COLUMNS)).coordinate}"
        )
    for index, width in enumerate(XLSX_WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# PDF ---------------------------------------------------------------------------------------------

BOX = 4.0  # the side of a tick box, mm
BOX_COLUMN = 14.0  # the width of each outcome's column, mm


def due_pdf(due: DueList, *, prepared_for: str = "") -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    footer = latin1(f"Lini · {_('Due list')} {due.week} · {prepared_for}")
    page_word = latin1(_("page"))

    class _Document(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Helvetica", size=8)
            self.cell(0, 5, f"{footer} · {page_word} {self.page_no()}/{{nb}}", align="C")

    pdf = _Document(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(latin1(f"{_('Due list')} {due.week}"))
    pdf.set_creator("Lini")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    boxes_width = BOX_COLUMN * len(PDF_OUTCOMES)
    text_width = usable - boxes_width - 2

    def write(text: str, size: float = 9, style: str = "", height: float = 5) -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(0, height, latin1(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    write(_("Due list, %(week)s") % {"week": week_label(due.week)}, size=14, style="B", height=7)
    write(regions_label(due), size=10)
    write(_("Prepared for %(user)s; reference day %(day)s") % {
        "user": prepared_for, "day": short_date(due.reference_day)})  # fmt: skip
    write(
        _("%(families)s families, %(items)s reasons to visit, %(overdue)s overdue, "
          "%(risk)s at risk of dropping out") % {
            "families": due.families, "items": len(due.items), "overdue": due.overdue,
            "risk": due.dropout_risk},
        style="B",
    )  # fmt: skip
    write(
        _("Tick one box per line for what came of the visit and write what was agreed on the "
          "notes line. Enter the outcomes in Lini or give the sheet to the field counsellor."),
        size=8, style="I", height=4,
    )  # fmt: skip
    if not due.groups:
        pdf.ln(4)
        write(_("Nobody is due for a visit this week."), size=11)

    def outcome_header() -> None:
        pdf.set_font("Helvetica", "B", 6.5)
        top = pdf.get_y()
        pdf.set_x(pdf.l_margin)
        pdf.cell(text_width, 7, latin1(_("Family and why it is due")), border="B")
        x = pdf.l_margin + text_width + 2
        for outcome in PDF_OUTCOMES:
            pdf.set_xy(x, top)
            pdf.multi_cell(BOX_COLUMN, 3.5, latin1(outcome_label(outcome)), align="C")
            x += BOX_COLUMN
        pdf.line(pdf.l_margin + text_width + 2, top + 7, pdf.l_margin + usable, top + 7)
        pdf.set_xy(pdf.l_margin, top + 8)

    headed: set[int] = set()  # the pages that have the outcomes' header

    def group_heading(group: DueGroup, more: bool = False) -> None:
        pdf.ln(1.5)
        label = group.label + (f" ({_('continued')})" if more else "")
        write(label, size=11, style="B", height=5.5)
        if pdf.page_no() not in headed:
            outcome_header()
            headed.add(pdf.page_no())

    def text_height(text: str, size: float, style: str, width: float, line: float) -> float:
        pdf.set_font("Helvetica", style, size)
        return line * len(pdf.multi_cell(width, line, latin1(text), dry_run=True,
                                         output="LINES"))  # fmt: skip

    for group in due.groups:
        if pdf.will_page_break(30):
            pdf.add_page()
        group_heading(group)
        for family in group.families:
            head = f"{family.person} · {_('No. KK')} {family.kk_number}"
            if family.address:
                head += f" · {family.address}"
            lines = [(_item_text(family, item), _item_detail(item)) for item in family.items]
            needed = text_height(head, 9, "B", usable, 4.5) + 8  # + the notes line
            for (text, detail), item in zip(lines, family.items, strict=True):
                needed += text_height(text, 8.5, "B" if item.overdue else "", text_width, 4)
                needed += text_height(detail, 7, "", text_width, 3.4) + 0.5
            if pdf.will_page_break(needed):
                pdf.add_page()
                group_heading(group, more=True)
            pdf.set_font("Helvetica", "B", 9)
            pdf.multi_cell(usable, 4.5, latin1(head), align="L", new_x=XPos.LMARGIN,
                           new_y=YPos.NEXT)  # fmt: skip
            for (text, detail), item in zip(lines, family.items, strict=True):
                top = pdf.get_y()
                pdf.set_font("Helvetica", "B" if item.overdue else "", 8.5)
                pdf.multi_cell(text_width, 4, latin1(text), align="L", new_x=XPos.LMARGIN,
                               new_y=YPos.NEXT)  # fmt: skip
                pdf.set_font("Helvetica", "", 7)
                pdf.multi_cell(text_width, 3.4, latin1(detail), align="L", new_x=XPos.LMARGIN,
                               new_y=YPos.NEXT)  # fmt: skip
                x = pdf.l_margin + text_width + 2 + (BOX_COLUMN - BOX) / 2
                for _outcome in PDF_OUTCOMES:
                    pdf.rect(x, top + 0.3, BOX, BOX)
                    x += BOX_COLUMN
                pdf.set_y(max(pdf.get_y(), top + BOX + 1) + 0.5)
            pdf.set_font("Helvetica", "", 8)
            notes = latin1(_("Notes"))
            pdf.cell(pdf.get_string_width(notes) + 2, 5, notes + ":")
            y = pdf.get_y() + 4.2
            with pdf.local_context(draw_color=150):
                pdf.set_dash_pattern(dash=1, gap=1)
                pdf.line(pdf.get_x() + 1, y, pdf.l_margin + usable, y)
            pdf.set_y(y + 2)
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + usable, pdf.get_y())
            pdf.ln(1.2)
    return bytes(pdf.output())


def _item_text(family: DueFamily, item: DueItem) -> str:
    """``3-monthly injection due (Siti) · due 30/10/2019 · overdue since 28/11/2019``."""
    parts = [item.title if item.person == family.person else f"{item.title} ({item.person})"]
    parts.append(_("due %(day)s") % {"day": short_date(item.due_on)})
    if item.dropout_risk:
        parts.append(_("at risk of dropping out"))
    elif item.overdue:
        parts.append(_("overdue since %(day)s") % {"day": short_date(item.overdue_since)})
    return " · ".join(parts)


def _item_detail(item: DueItem) -> str:
    """What to bring, the method and the form; the last contact."""
    parts = [_("Bring: %(what)s") % {"what": item.bring}]
    method = method_label(item)
    if method:
        parts.append(method)
    if item.rule.form:
        parts.append(_("form %(form)s") % {"form": item.rule.form})
    if item.last_contact is not None:
        outcome = outcome_label(item.last_outcome)
        contact = short_date(item.last_contact) + (f" ({outcome})" if outcome else "")
        parts.append(_("last contact %(contact)s") % {"contact": contact})
    else:
        parts.append(_("no contact recorded"))
    return " · ".join(parts)


# Files -------------------------------------------------------------------------------------------

WRITERS = {"pdf": due_pdf, "csv": due_csv, "xlsx": due_xlsx, "json": due_json}


@dataclass(frozen=True)
class DueFile:
    data: bytes
    content_type: str
    filename: str
    due: DueList


def common_code(codes: list[str]) -> str:
    """The code of the smallest region holding all ``codes`` (``36.04.09`` for two villages of
    Ciruas); empty when they share no province."""
    if not codes:
        return ""
    parts = [code.split(".") for code in codes]
    shared: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        shared.append(level[0])
    return ".".join(shared)


def due_filename(due: DueList, fmt: str) -> str:
    """``daftar-kunjungan-2019-W44-36.04.09.2013.pdf``."""
    code = common_code([r.code for r in due.regions]) or "kosong"
    return f"daftar-kunjungan-{due.week}-{code}.{fmt}"


def audit_purpose(week: Week) -> str:
    return f"due list {week}"


def due_list_export(
    *,
    actor: User,
    week: Week,
    fmt: str,
    region: Region | None = None,
    today: dt.date | None = None,
) -> DueFile:
    """The due list of ``actor`` for ``week`` (of ``region``, or of the actor's whole scope) as
    ``fmt`` (pdf, csv, xlsx or json), recorded in the audit trail as an export of personal data
    with the purpose "due list <week>". ValueError for an unknown format; PermissionDenied when
    the region lies outside the actor's scope; :class:`~lini.visits.selectors.TooWideError` when
    it holds too many villages (nothing is recorded then)."""
    if fmt not in WRITERS:
        raise ValueError(
            _("%(value)s is not a format of the due list; choose pdf, csv, xlsx or json.")
            % {"value": fmt[:20]}
        )
    due = due_list(user=actor, week=week, region=region, today=today)
    data = WRITERS[fmt](due, prepared_for=user_label(actor))
    name = due_filename(due, fmt)
    codes = [r.code for r in due.regions]
    audit_record(
        actor=actor, action=AuditAction.EXPORT, model=AUDIT_MODEL, description=name,
        region_code=region.code if region is not None else common_code(codes),
        after={
            "week": str(week), "format": fmt, "bytes": len(data), "personal": True,
            "purpose_kind": ExportPurpose.FOLLOW_UP, "purpose": audit_purpose(week),
            "regions": codes, "families": due.families, "items": len(due.items),
        },
    )  # fmt: skip
    return DueFile(data=data, content_type=FORMATS[fmt], filename=name, due=due)
