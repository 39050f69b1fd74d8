"""Export then import into an empty database gives the same register."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from django.core.management import call_command

from lini.regions.models import Region
from lini.register.choices import Presence
from lini.register.models import ContraceptiveEvent, Couple, Family, Member
from lini.register.synthetic import population_generate
from lini.register.tests.files import write_xlsx
from lini.register.tests.test_import import HEADER, ROWS

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[list[tuple[object, ...]], ...]:
    families = sorted(
        Family.objects.values_list(
            "kk_number",
            "village__code",
            "dusun",
            "rw",
            "rt",
            "address",
            "collected_on",
            "collector_name",
        )
    )
    members = sorted(
        Member.objects.values_list(
            "nik", "family__kk_number", "position", "name", "sex", "birth_date", "relation",
            "marital_status", "education", "occupation", "presence", "presence_date",
        )
    )  # fmt: skip
    couples = sorted(
        Couple.objects.values_list(
            "wife__nik", "husband__nik", "family__kk_number", "status", "method", "reason",
            "status_since", "place",
        ),
        key=str,
    )  # fmt: skip
    return families, members, couples


def empty_register() -> None:
    ContraceptiveEvent.objects.all().delete()
    Couple.objects.all().delete()
    Member.objects.all().delete()
    Family.objects.all().delete()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_into_an_empty_register_gives_the_same_register(
    tmp_path: Path, suffix: str
) -> None:
    population_generate(region=Region.objects.get(code="36.04.09"), scale=0.01, seed=4)
    call_command(
        "import",
        "register",
        str(write_xlsx(tmp_path / "in.xlsx", HEADER, ROWS)),
        stdout=io.StringIO(),
    )
    moved = Member.objects.filter(relation="anak").first()
    Member.objects.filter(pk=moved.pk).update(
        presence=Presence.MOVED, presence_date=dt.date(2019, 6, 1)
    )
    before = snapshot()
    assert len(before[1]) > 500
    assert any(c[7] for c in before[2])  # a place of service survives too

    out = tmp_path / f"register{suffix}"
    call_command(
        "export",
        "register",
        "--region",
        "36",
        "-o",
        str(out),
        "--purpose",
        "test of the round trip",
        stdout=io.StringIO(),
    )
    empty_register()
    assert not Member.objects.exists()
    call_command(
        "import",
        "register",
        str(out),
        stdout=io.StringIO(),
    )
    assert snapshot() == before
