"""Counsellors and cadres for tests, written through the services (as the system)."""

from __future__ import annotations

from typing import Any

from lini.regions.models import Region
from lini.workforce.models import Cadre, CadreKind, Counsellor
from lini.workforce.services import cadre_save, counsellor_save

NIP = "198503122010012003"  # born 12 Mar 1985, appointed Jan 2010, woman, number 003


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def make_counsellor(district: str, *villages: str, **kwargs: Any) -> Counsellor:
    kwargs.setdefault("name", "Siti Hasanah")
    return counsellor_save(
        actor=None,
        district=region(district),
        villages=[region(code) for code in villages],
        **kwargs,
    )


def make_cadre(village: str, kind: str = CadreKind.PPKBD, **kwargs: Any) -> Cadre:
    kwargs.setdefault("name", "Euis Rosita")
    return cadre_save(actor=None, kind=kind, village=region(village), **kwargs)
