"""Official unit tags: the unit as named, and the unit its land belongs to since 1 July 2025."""

from __future__ import annotations

import io
import json

import pytest

from archive import store, units
from archive.cli import main
from archive.db import Archive
from archive.records import SiteInfo
from tests import analysts


@pytest.fixture(scope="module")
def data() -> units.UnitData:
    return units.load()


@pytest.mark.parametrize(
    ("name", "level", "province", "expected"),
    [
        # a ward that kept its name, and a ward created in 2025
        ("Phường Tân Dân", "ward", "Thanh Hóa", ("16594", "current", "Phường Tân Dân")),
        ("Phường Phạm Sư Mạnh", "ward", "Hải Phòng", ("10726", "current", "Phường Phạm Sư Mạnh")),
        # a former commune merged into another
        ("Xã Sơn Lĩnh", "commune", "Hà Tĩnh", ("18160", "former", "Xã Sơn Hồng")),
        ("Xã Triệu Ái", "commune", "Quảng Trị", ("19669", "former", "Xã Ái Tử")),
        # districts are gone: their land is the province's
        ("Huyện Thường Xuân", "district", "Thanh Hóa", ("396", "former", "Tỉnh Thanh Hóa")),
        ("Quận 4", "district", "Hồ Chí Minh", ("773", "former", "Thành phố Hồ Chí Minh")),
        # a province merged into another, named the old way or without diacritics
        ("Tỉnh Hải Dương", "province", "Hải Dương", ("30", "former", "Thành phố Hải Phòng")),
        ("Tinh Dien Bien", "province", "Dien Bien", ("11", "current", "Tỉnh Điện Biên")),
        # a unit named informally is left untagged rather than guessed
        ("Phường Quốc Tử Giám", "ward", "Hà Nội", None),
        ("Phường Tân Dân", "ward", None, None),
    ],
)
def test_tags(
    data: units.UnitData,
    name: str,
    level: str,
    province: str | None,
    expected: tuple[str, str, str] | None,
) -> None:
    tag = units.tag(name, level, province, data)
    found = (tag.unit_code, tag.unit_status, tag.current_unit_name) if tag else None
    assert found == expected


def test_a_former_ward_of_a_merged_province_is_in_the_new_province(data: units.UnitData) -> None:
    tag = units.tag("Xã Cẩm Vũ", "commune", "Hải Dương", data)
    assert tag is not None and (tag.unit_status, tag.current_province) == ("former", "Hải Phòng")
    assert tag.current_unit_name == "Xã Tuệ Tĩnh"
    # Hải Dương had two wards of this name (Chí Linh, Kinh Môn): no guess between them
    assert units.tag("Phường Tân Dân", "ward", "Hải Dương", data) is None


def test_former_units_of_a_commune_include_its_wards_and_their_district(
    data: units.UnitData,
) -> None:
    (commune,) = units.find_current(data, "Xã Thường Xuân")
    formers = units.former_codes(data, commune.code)
    assert "396" in formers  # Huyện Thường Xuân
    assert "15646" in formers  # Thị trấn Thường Xuân
    assert all(code in data.former or code in data.former_districts for code in formers)


def test_every_former_ward_has_a_current_successor(data: units.UnitData) -> None:
    missing = [code for code in data.former if code not in data.default_successor]
    assert len(missing) < len(data.former) * 0.01, missing[:10]
    assert len(data.current) > 3000 and len(data.current_provinces) == 34


def test_sites_are_tagged_when_written(archive_url: str) -> None:
    analysts.build(archive_url)
    with Archive(archive_url) as archive, archive.session() as session:
        rows = {row["slug"]: row for row in units.site_tags(session)}
        assert rows["thuongxuan"]["unit_status"] == "former"
        assert rows["thuongxuan"]["current_province"] == "Thanh Hóa"
        # the registry renames the unit: the tag follows
        renamed = SiteInfo("tandan", "Xã Sơn Lĩnh", "http://a.example/", None, "Xã Sơn Lĩnh",
                           "commune", "Hà Tĩnh")  # fmt: skip
        store.upsert_site(session, renamed, analysts.NOW)
    with Archive(archive_url) as archive, archive.session() as session:
        rows = {row["slug"]: row for row in units.site_tags(session)}
    assert rows["tandan"]["current_unit_name"] == "Xã Sơn Hồng"


def test_units_command(archive_url: str) -> None:
    analysts.build(archive_url)
    out = io.StringIO()
    assert main(["units", "--archive", archive_url, "--format", "json"], out=out) == 0
    tags = {row["slug"]: row["current_unit_code"] for row in json.loads(out.getvalue())}
    assert tags == {"phamsumanh": "10726", "tandan": "16594", "thuongxuan": "38"}
    out = io.StringIO()
    assert main(["units", "--lookup", "xa thuong xuan"], out=out) == 0
    assert "15646" in out.getvalue() and "Thanh Hóa" in out.getvalue()
