"""The scores at their boundaries (as the module's docstring reads them) and the class rule."""

from __future__ import annotations

from fractions import Fraction

import pytest

from lini.kampung import classification as c
from lini.kampung.choices import KampungClass
from lini.kampung.classification import KampungFigures
from lini.kampung.models import KampungKB

F = Fraction


@pytest.mark.parametrize(
    ("value", "score"),
    [
        (None, 1), (F(0), 1), (F("29.99"), 1), (F(30), 2), (F(40), 2), (F("40.5"), 2),
        (F(41), 3), (F(50), 3), (F("50.01"), 4), (F(100), 4),
    ],
)  # fmt: skip
def test_cpr(value: Fraction | None, score: int) -> None:
    assert c.score_cpr(value) == score


@pytest.mark.parametrize(
    ("value", "score"),
    [
        (None, 1), (F("19.9"), 1), (F(20), 2), (F(22), 2), (F("22.9"), 2), (F(23), 3),
        (F(24), 3), (F("24.01"), 4),
    ],
)  # fmt: skip
def test_mkjp(value: Fraction | None, score: int) -> None:
    assert c.score_mkjp(value) == score


@pytest.mark.parametrize(
    ("value", "score"),
    [
        (None, 1), (F("9.99"), 1), (F(10), 2), (F(20), 2), (F("20.5"), 2), (F(21), 3),
        (F(30), 3), (F("30.01"), 4),
    ],
)  # fmt: skip
def test_participation(value: Fraction | None, score: int) -> None:
    assert c.score_participation(value) == score


@pytest.mark.parametrize(
    ("value", "score"),
    [
        (F(0), 4), (F("6.09"), 4), (F("6.1"), 3), (F(9), 3), (F("9.05"), 2), (F("9.1"), 2),
        (F(12), 2), (F("12.05"), 2), (F("12.1"), 2), (F("12.11"), 1), (F(40), 1),
        (None, 1),  # no PUS: no data earns nothing
    ],
)  # fmt: skip
def test_unmet_need_lower_is_better(value: Fraction | None, score: int) -> None:
    assert c.score_unmet(value) == score


@pytest.mark.parametrize(
    ("function", "scores"),
    [
        (c.score_funding, [1, 2, 3, 3, 3, 4, 4]),  # 0, 1, 2-4, >4 (at most 6 sources)
        (c.score_poktan, [1, 2, 2, 3, 3, 4]),  # 0, 1-2, 3-4, 5
        (c.score_data_use, [1, 2, 3, 3, 4, 4]),  # 0, 1, 2-3, >3
        (c.score_operations, [1, 2, 2, 3, 3, 4]),  # 0, 1-2, 3-4, >4
        (c.score_partners, [1, 2, 2, 2, 3, 3, 3, 4, 4]),  # 0, 1-3, 4-6, >6
    ],
)
def test_counts(function: object, scores: list[int]) -> None:
    assert [function(n) for n in range(len(scores))] == scores  # type: ignore[operator]


def test_pokja_sarana_and_plkb() -> None:
    assert c.score_pokja(exists=False, members=5, trained=5) == 1
    assert c.score_pokja(exists=True, members=0, trained=0) == 2
    assert c.score_pokja(exists=True, members=7, trained=0) == 3
    assert c.score_pokja(exists=True, members=7, trained=3) == 4
    assert c.score_sarana(secretariat=False, rumah_dataku=False) == 1
    assert c.score_sarana(secretariat=False, rumah_dataku=True) == 2
    assert c.score_sarana(secretariat=True, rumah_dataku=True) == 3
    assert c.score_plkb_regulation(counsellor=False, regulation=False) == 1
    assert c.score_plkb_regulation(counsellor=True, regulation=False) == 2
    assert c.score_plkb_regulation(counsellor=True, regulation=True) == 3


@pytest.mark.parametrize(
    ("reached", "expected"),
    [
        ((False, False, False), KampungClass.DASAR),
        ((True, False, False), KampungClass.DASAR),  # exactly one index >= 3
        ((False, True, False), KampungClass.DASAR),
        ((False, False, True), KampungClass.DASAR),
        ((True, True, False), KampungClass.BERKEMBANG),
        ((True, False, True), KampungClass.MANDIRI),
        ((False, True, True), KampungClass.MANDIRI),
        ((True, True, True), KampungClass.BERKELANJUTAN),
    ],
)
def test_class_rule(reached: tuple[bool, bool, bool], expected: KampungClass) -> None:
    input_reached, process_reached, output_reached = reached
    assert (
        c.class_of(
            input_reached=input_reached,
            process_reached=process_reached,
            output_reached=output_reached,
        )
        == expected
    )


def test_an_index_is_compared_exactly() -> None:
    # (3 + 3 + 2) / 3 = 2.67 does not reach 3; (4 + 3 + 2) / 3 = 3 does.
    kampung = KampungKB(data_uses=["pk", "rutin"], operations=["a", "b", "c"], partners=["x"])
    process = c.kampung_classify(kampung, KampungFigures()).process
    assert [s.value for s in process.scores] == [3, 3, 2]
    assert not process.reached
    assert process.shown == "2.67"
    kampung.data_uses = ["pk", "rutin", "potensi", "sektoral"]
    assert c.kampung_classify(kampung, KampungFigures()).process.reached


def test_an_empty_profile_with_no_data_is_dasar_with_every_score_1() -> None:
    result = c.kampung_classify(KampungKB(), KampungFigures())
    assert {s.value for s in result.scores} == {1}
    assert len(result.scores) == 12
    assert result.kampung_class == KampungClass.DASAR
    items = c.kampung_checklist(KampungKB(), KampungFigures())
    assert [i.code for i in items] == list(c.CHECKLIST_CODES)
    assert not any(i.done for i in items)
