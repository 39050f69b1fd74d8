"""Text helpers: search keys that ignore case, accents and punctuation."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def search_key(text: str) -> str:
    """Lower-case ASCII words separated by single spaces: ``"Désa  Kutá-Jaya"`` -> ``"desa kuta jaya"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", ascii_text.lower()).strip()
