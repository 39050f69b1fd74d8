"""The shipped XLSForms (``forms/*.xlsx``) and the XForms ODK Collect downloads.

The .xlsx files are written from :mod:`lini.odk.definitions` by ``lini odk-forms`` and shipped
in the package. Each is converted to XForm XML with pyxform on first use and kept in memory under
the MD5 of its .xlsx bytes, so a changed file is converted again and every worker serves the same
XML (pyxform's output depends only on its input). The XForm's own MD5 is the ``hash`` of the
OpenRosa form list.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from lini.odk.definitions import DEFAULT_LANGUAGE, LANGUAGES, FormDefinition, Question, definitions

FORMS_DIR = Path(__file__).resolve().parent / "forms"

SURVEY_COLUMNS = (
    "type", "name", *(f"label::{lang}" for lang in LANGUAGES), *(f"hint::{lang}" for lang in LANGUAGES),
    "required", "relevant", "constraint", *(f"constraint_message::{lang}" for lang in LANGUAGES),
    "choice_filter", "appearance", "default", "calculation", "trigger",
)  # fmt: skip
CHOICES_COLUMNS = ("list_name", "name", *(f"label::{lang}" for lang in LANGUAGES))
SETTINGS_COLUMNS = ("form_id", "form_title", "version", "default_language", "instance_name")


class XFormError(RuntimeError):
    """A shipped XLSForm that pyxform refuses, or that is missing."""


@dataclass(frozen=True)
class XForm:
    form_id: str
    version: str
    xml: bytes
    md5: str

    @property
    def hash(self) -> str:
        """The OpenRosa ``hash`` of the form (``md5:`` and the hex digest of the XML served)."""
        return f"md5:{self.md5}"


def xlsx_path(form_id: str) -> Path:
    return FORMS_DIR / f"{form_id}.xlsx"


def _texts(texts: Any) -> list[str]:
    return [texts.get(lang.split("(")[1].rstrip(")")) for lang in LANGUAGES]


def survey_rows(definition: FormDefinition) -> list[list[str]]:
    """The survey sheet's rows (without the header), as written to the .xlsx."""

    def row(q: Question) -> list[str]:
        return [
            q.type, q.name, *_texts(q.label), *_texts(q.hint), "yes" if q.required else "",
            q.relevant, q.constraint, *_texts(q.constraint_message), q.choice_filter,
            q.appearance, q.default, q.calculation, q.trigger,
        ]  # fmt: skip

    return [row(q) for q in definition.survey]


def choice_rows(definition: FormDefinition) -> list[list[str]]:
    return [
        [list_name, choice.name, *_texts(choice.label)]
        for list_name, choices in definition.choices.items()
        for choice in choices
    ]


def settings_rows(definition: FormDefinition) -> list[list[str]]:
    return [
        [
            definition.form_id, definition.title.id, definition.version, DEFAULT_LANGUAGE,
            definition.instance_name,
        ]
    ]  # fmt: skip


def xlsx_write(definition: FormDefinition, path: Path) -> None:
    """Write ``definition`` as an XLSForm workbook (survey, choices, settings)."""
    book = Workbook()
    sheets = (
        ("survey", SURVEY_COLUMNS, survey_rows(definition)),
        ("choices", CHOICES_COLUMNS, choice_rows(definition)),
        ("settings", SETTINGS_COLUMNS, settings_rows(definition)),
    )
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(list(header))
        for values in rows:
            sheet.append([value or None for value in values])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def xlsx_read(path: Path) -> dict[str, list[list[str]]]:
    """Every sheet of an XLSForm as rows of text (the header included; empty cells as "")."""
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return {
            sheet.title: [
                ["" if cell is None else str(cell) for cell in row]
                for row in sheet.iter_rows(values_only=True)
            ]
            for sheet in book.worksheets
        }
    finally:
        book.close()


def xlsx_expected(definition: FormDefinition) -> dict[str, list[list[str]]]:
    """What :func:`xlsx_read` returns for the file :func:`xlsx_write` makes of ``definition``."""
    return {
        "survey": [list(SURVEY_COLUMNS), *survey_rows(definition)],
        "choices": [list(CHOICES_COLUMNS), *choice_rows(definition)],
        "settings": [list(SETTINGS_COLUMNS), *settings_rows(definition)],
    }


def convert(source: bytes) -> tuple[str, list[str]]:
    """The XForm XML pyxform makes of an XLSForm's bytes, and its warnings."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert as pyxform_convert

    warnings: list[str] = []
    try:
        result = pyxform_convert(xlsform=source, warnings=warnings, file_type=".xlsx")
    except PyXFormError as exc:
        raise XFormError(str(exc)) from exc
    return result.xform, warnings


_cache: dict[tuple[str, str], XForm] = {}
_lock = threading.Lock()


def xform(form_id: str) -> XForm:
    """The XForm of a shipped form, converted on first use and cached by the MD5 of its .xlsx."""
    definition = definitions()[form_id]
    try:
        source = xlsx_path(form_id).read_bytes()
    except FileNotFoundError as exc:
        raise XFormError(f"{form_id}.xlsx is missing; run `lini odk-forms`") from exc
    key = (form_id, hashlib.md5(source, usedforsecurity=False).hexdigest())
    with _lock:
        found = _cache.get(key)
        if found is None:
            xml, _warnings = convert(source)
            data = xml.encode("utf-8")
            found = XForm(
                form_id=form_id,
                version=definition.version,
                xml=data,
                md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
            )
            _cache[key] = found
    return found
