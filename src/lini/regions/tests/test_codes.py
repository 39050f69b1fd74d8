import pytest

from lini.regions.codes import (
    RegionCodeError,
    ancestor_codes,
    dotted_prefix,
    is_within,
    normalise_code,
    parent_code,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("36.04.09.2013", "36.04.09.2013"),
        ("3604092013", "36.04.09.2013"),
        (" 36 04 09 2013 ", "36.04.09.2013"),
        ("36-04-09-2013", "36.04.09.2013"),
        ("3604", "36.04"),
        ("36", "36"),
        ("360409", "36.04.09"),
    ],
)
def test_normalise_code_accepts_dots_spaces_or_none(raw: str, expected: str) -> None:
    assert normalise_code(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "3", "36040", "36.04.09.201", "abc", "36.04.09.2013.1", "3604092013a"]
)
def test_normalise_code_rejects_what_is_not_a_code(raw: str) -> None:
    with pytest.raises(RegionCodeError, match="not a region code"):
        normalise_code(raw)


def test_tree_helpers() -> None:
    assert parent_code("36.04.09.2013") == "36.04.09"
    assert parent_code("36") is None
    assert ancestor_codes("36.04.09.2013") == ["36", "36.04", "36.04.09"]
    assert ancestor_codes("36") == []
    assert is_within("36.04.09", "36.04")
    assert is_within("36.04", "36.04")
    assert not is_within("36.041", "36.04")  # a prefix of the text is not a prefix of the tree
    assert not is_within("36.03.12", "36.04")
    assert dotted_prefix("36040") == "36.04.0"
    assert dotted_prefix("3604092013") == "36.04.09.2013"
