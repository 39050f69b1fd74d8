"""Showing audit entries: their data as compact JSON with identity numbers masked."""

from __future__ import annotations

import json
import re
from typing import Any

from django import template

register = template.Library()

# NIK and No. KK (16 digits), NIP (18 digits): the trail keeps them whole, the page does not.
_IDENTITY = re.compile(r"(?<!\d)(\d{4})(\d{8}|\d{10})(\d{4})(?!\d)")


def mask_identities(text: str) -> str:
    return _IDENTITY.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)


@register.filter
def audit_data(value: Any) -> str:
    """``{"nik": "3604094808820013"}`` -> ``{"nik": "3604********0013"}`` (empty for None)."""
    if value is None:
        return ""
    return mask_identities(json.dumps(value, ensure_ascii=False, sort_keys=True))
