"""The Indonesian catalogue is complete and its compiled .mo matches the .po."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "id" / "LC_MESSAGES"


def parse_po(path: Path) -> dict[tuple[str | None, str], str]:
    """(context, msgid) -> msgstr of the one-line entries (a context tells apart the same
    words used in two places)."""
    entries: dict[tuple[str | None, str], str] = {}
    text = path.read_text(encoding="utf-8")
    pattern = r'^(?:msgctxt (".*")\n)?msgid (".*")\nmsgstr (".*")$'
    for context, msgid, msgstr in re.findall(pattern, text, flags=re.MULTILINE):
        key = (ast.literal_eval(context) if context else None, ast.literal_eval(msgid))
        entries[key] = ast.literal_eval(msgstr)
    entries.pop((None, ""), None)
    return entries


def test_every_message_is_translated_and_compiled() -> None:
    po = parse_po(LOCALE / "django.po")
    assert len(po) > 100
    untranslated = [msgid for msgid, msgstr in po.items() if not msgstr]
    assert not untranslated
    assert "#, fuzzy" not in (LOCALE / "django.po").read_text(encoding="utf-8")
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for (context, msgid), msgstr in po.items()
        if (compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)) != msgstr
    ]
    assert not stale, f"django.mo is older than django.po; run `make messages`: {stale[:3]}"
