"""Loading the Kemendagri list: counts, idempotence, renames, errors, and the command."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from django.core.management import CommandError, call_command

from lini.regions.models import Region, RegionKind, RegionLevel
from lini.regions.services import (
    RegionFileError,
    bundled_wilayah_csv,
    read_wilayah_csv,
    regions_load,
)
from lini.regions.tests.places import SINGAMERTA

HEADER = "kode,nama,tingkat,jenis\n"


def write(tmp_path: Path, body: str, name: str = "wilayah.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_national_load_gives_official_counts_and_second_run_changes_nothing() -> None:
    out = io.StringIO()
    call_command("load_regions", stdout=out)
    counts = {level: Region.objects.filter(level=level).count() for level in range(1, 5)}
    assert counts == {
        RegionLevel.PROVINCE: 38,
        RegionLevel.REGENCY: 514,
        RegionLevel.DISTRICT: 7285,
        RegionLevel.VILLAGE: 83762,
    }
    assert Region.objects.filter(kind=RegionKind.KOTA).count() == 98
    assert Region.objects.filter(kind=RegionKind.KELURAHAN).count() == 8496
    assert Region.objects.filter(kind=RegionKind.DESA_ADAT).count() == 14

    again = io.StringIO()
    call_command("load_regions", stdout=again)
    text = again.getvalue()
    assert "No change" in text
    assert "0 created, 0 updated, 91,599 unchanged" in text
    assert Region.objects.count() == 91599


@pytest.mark.django_db
def test_every_region_has_the_parent_its_code_names() -> None:
    village = Region.objects.select_related("parent__parent__parent").get(code=SINGAMERTA)
    assert village.parent.code == "36.04.09"
    assert village.parent.parent.code == "36.04"
    assert village.parent.parent.parent.code == "36"
    assert village.parent.parent.parent.parent is None
    orphans = Region.objects.filter(level__gt=1, parent__isnull=True).count()
    assert orphans == 0


@pytest.mark.django_db
def test_a_renamed_village_is_updated_in_place_not_duplicated(tmp_path: Path) -> None:
    before = Region.objects.get(code=SINGAMERTA)
    path = write(tmp_path, f"{SINGAMERTA},Singamerta Baru,desa,desa\n")
    report = regions_load(rows=read_wilayah_csv(path))
    after = Region.objects.get(code=SINGAMERTA)
    assert after.pk == before.pk
    assert after.name == "Singamerta Baru"
    assert after.search_name == "singamerta baru"
    assert report.levels[RegionLevel.VILLAGE].updated == 1
    assert Region.objects.filter(name__startswith="Singamerta").count() == 1


@pytest.mark.django_db
def test_a_village_that_becomes_a_kelurahan_is_updated(tmp_path: Path) -> None:
    path = write(tmp_path, f"{SINGAMERTA},Singamerta,desa,kelurahan\n")
    regions_load(rows=read_wilayah_csv(path))
    assert Region.objects.get(code=SINGAMERTA).kind == RegionKind.KELURAHAN


@pytest.mark.django_db
def test_province_option_loads_only_that_province() -> None:
    before = Region.objects.count()
    out = io.StringIO()
    call_command("load_regions", "--province", "31", stdout=out)
    jakarta = Region.objects.filter(code__startswith="31")
    assert jakarta.filter(level=RegionLevel.PROVINCE).count() == 1
    assert jakarta.filter(level=RegionLevel.REGENCY).count() == 6
    assert Region.objects.count() == before + jakarta.count()
    assert not Region.objects.filter(code__startswith="32").exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("99.01,Kabupaten Nowhere,kabupaten,kabupaten\n", "line 3, column kode: the parent '99'"),
        ("36.99,Kabupaten X,kecamatan,\n", "line 3, column kode: '36.99' is not a kecamatan code"),
        ("36.04.09.2999,X,desa,dukuh\n", "line 3, column jenis: 'dukuh' is not allowed for desa"),
        ("36.04.09.2999,X,dusun,\n", "line 3, column tingkat: 'dusun' is not one of"),
        ("36.04.09.29,X,desa,desa\n", "line 3, column kode: '36.04.09.29' is not a region code"),
        ("36.04.09.2999,,desa,desa\n", "line 3, column nama: the name is empty"),
    ],
)
@pytest.mark.django_db
def test_bad_rows_are_refused_with_line_and_column_and_nothing_is_written(
    tmp_path: Path, body: str, message: str
) -> None:
    good = f"{SINGAMERTA},Renamed First,desa,desa\n"
    path = write(tmp_path, good + body)
    with pytest.raises(CommandError, match=message) as info:
        call_command("load_regions", "--file", str(path), stdout=io.StringIO())
    assert str(info.value).startswith(str(path))
    assert Region.objects.get(code=SINGAMERTA).name == "Singamerta"  # rolled back


@pytest.mark.django_db
def test_a_file_without_the_expected_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("code,name\n36,Banten\n", encoding="utf-8")
    with pytest.raises(RegionFileError, match="missing column"):
        list(read_wilayah_csv(path))


@pytest.mark.django_db
def test_dry_run_reports_but_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, f"{SINGAMERTA},Singamerta Baru,desa,desa\n")
    out = io.StringIO()
    call_command("load_regions", "--file", str(path), "--dry-run", stdout=out)
    assert "Would change: 0 created, 1 updated" in out.getvalue()
    assert Region.objects.get(code=SINGAMERTA).name == "Singamerta"


def test_the_package_ships_the_list_and_its_licence() -> None:
    csv_path = bundled_wilayah_csv()
    assert csv_path.exists()
    assert (csv_path.parent / "LICENSE-wilayah.txt").read_text(encoding="utf-8").startswith("MIT")


@pytest.mark.django_db
def test_a_code_twice_in_the_file_is_refused_naming_both_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path, f"{SINGAMERTA},Singamerta,desa,desa\n{SINGAMERTA},Singamerta Lain,desa,desa\n"
    )
    with pytest.raises(
        CommandError,
        match=r"line 3, column kode: '36.04.09.2013' stands twice in the file \(also line 2\)",
    ):
        call_command("load_regions", "--file", str(path), stdout=io.StringIO())


@pytest.mark.django_db
def test_a_province_with_no_rows_is_an_error() -> None:
    with pytest.raises(CommandError, match="no region with the code '99'"):
        call_command("load_regions", "--province", "99", stdout=io.StringIO())
