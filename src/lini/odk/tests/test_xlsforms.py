"""The shipped XLSForms: written from their definitions, converted by pyxform without warnings,
and asking exactly what the importer reads (so a submission is checked like an imported row)."""

from __future__ import annotations

import re

import pytest

from django.core.management import call_command

from lini.exchange.registry import get_kind
from lini.odk import appliers
from lini.odk.definitions import FORM_IDS, definitions
from lini.odk.media import MEDIA_FILES
from lini.odk.xforms import convert, xform, xlsx_expected, xlsx_path, xlsx_read
from lini.register.choices import Method, Relation


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_the_shipped_xlsx_is_its_definition(form_id: str) -> None:
    assert xlsx_read(xlsx_path(form_id)) == xlsx_expected(definitions()[form_id]), (
        "the .xlsx differs from lini.odk.definitions: run `lini odk-forms` and commit both"
    )


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_pyxform_converts_it_without_warnings(form_id: str) -> None:
    source = xlsx_path(form_id).read_bytes()
    xml, warnings = convert(source)
    assert warnings == []
    definition = definitions()[form_id]
    assert f'<data id="{form_id}" version="{definition.version}">' in xml
    media = set(re.findall(r'src="jr://file-csv/([a-z_]+\.csv)"', xml))
    assert media == set(definition.media)
    assert media <= MEDIA_FILES
    assert convert(source)[0] == xml  # the same bytes in every worker: a stable hash
    assert xform(form_id).xml == xml.encode()


def test_the_forms_ask_what_the_importer_reads() -> None:
    services_columns = set(get_kind("services").column_names)
    assert set(appliers.SERVICE_COLUMNS) <= services_columns
    kampung_columns = set(get_kind("kampung").column_names)
    assert set(appliers.KAMPUNG_COLUMNS) <= kampung_columns
    register_columns = set(get_kind("register").column_names)
    for columns in (appliers.MEMBER_COLUMNS, appliers.FAMILY_COLUMNS, appliers.STATUS_COLUMNS):
        assert set(columns) <= register_columns
    # Every field the appliers read is a question of its form.
    asked = {form_id: {q.name for _r, q in d.questions()} for form_id, d in definitions().items()}
    assert set(appliers.SERVICE_COLUMNS) <= asked["lini_pelayanan_kb"]
    assert set(appliers.KAMPUNG_COLUMNS) <= asked["lini_kampung_kb"]
    assert {*appliers.MEMBER_COLUMNS, *appliers.FAMILY_COLUMNS, *appliers.STATUS_COLUMNS} <= asked[
        "lini_keluarga"
    ]


def test_choice_codes_are_the_stored_values() -> None:
    family = definitions()["lini_keluarga"]
    assert [c.name for c in family.choices["relation"]] == Relation.values
    assert [c.name for c in family.choices["method"]] == Method.values
    assert family.choices["relation"][0].label.en == "head of family"


def test_the_command_finds_the_files_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("odk_forms", "--check")
    assert "lini_keluarga.xlsx: version" in capsys.readouterr().out
