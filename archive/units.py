"""Official administrative units: tag a site with its unit's code and its unit since 1 July 2025.

The data is the General Statistics Office list as packaged by `vietnamadminunits`:
the units before the 2025 reorganisation (63 provinces, districts, wards), the
units after it (34 provinces, wards and communes, no districts) and which new
ward each old ward went into. Only the package's data files are read; its
address parser (and its geo dependencies) is never imported.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

DATA_PACKAGE = "vietnamadminunits"
# wardType/districtType of the official list -> the levels the archive uses.
LEVELS = {
    "Phường": "ward",
    "Xã": "commune",
    "Thị trấn": "commune",
    "Đặc khu": "special_zone",
    "Quận": "district",
    "Huyện": "district",
    "Thị xã": "district",
    "Thành phố": "district",
}
UNIT_STATUSES = ("current", "former")


class UnitDataError(Exception):
    """The official unit list is not installed or not readable."""


@dataclass(frozen=True)
class Unit:
    """One official unit: a province, a former district, or a ward/commune (former or current)."""

    code: str
    name: str
    level: str  # province, district, ward, commune, special_zone
    province_code: str
    province: str  # the province's short name: "Hải Phòng", not "Thành phố Hải Phòng"
    current: bool


@dataclass(frozen=True)
class Tag:
    """What a site's unit is, officially, and which unit it is part of today."""

    unit_code: str
    unit_status: str
    current_unit_code: str
    current_unit_name: str
    current_unit_level: str
    current_province_code: str
    current_province: str


@dataclass(frozen=True)
class UnitData:
    current: dict[str, Unit]  # code -> ward/commune/special zone since 2025
    current_provinces: dict[str, Unit]
    former: dict[str, Unit]  # code -> former ward or commune
    former_districts: dict[str, Unit]
    former_provinces: dict[str, Unit]
    district_of: dict[str, str]  # former ward code -> its former district code
    successors: dict[str, tuple[str, ...]]  # former ward or district code -> current codes
    default_successor: dict[str, str]  # former ward code -> the current ward it mostly became
    province_successor: dict[str, str]  # former province code -> current province code


def name_key(text: str) -> str:
    """NFC, case-folded, single spaces, hyphens as spaces: how unit names are compared."""
    text = unicodedata.normalize("NFC", text).replace("-", " ").casefold()
    return " ".join(text.split())


def loose_key(text: str) -> str:
    """`name_key` without diacritics (đ as d): "Thanh Hoá" and "Thanh Hóa" compare equal."""
    decomposed = unicodedata.normalize("NFD", name_key(text).replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def data_dir() -> Path:
    spec = importlib.util.find_spec(DATA_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise UnitDataError(f"the official unit list is missing: pip install {DATA_PACKAGE}")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@cache
def load() -> UnitData:
    """The official lists, read once per process (about 40 ms)."""
    folder = data_dir()
    try:
        db = sqlite3.connect(f"file:{folder / 'dataset.db'}?mode=ro&immutable=1", uri=True)
        new_rows = db.execute(
            "SELECT wardCode, ward, wardType, provinceCode, provinceShort, province,"
            " provinceKey, wardKey FROM admin_units"
        ).fetchall()
        old_rows = db.execute(
            "SELECT wardCode, ward, wardType, districtCode, district, districtType,"
            " provinceCode, provinceShort, province, provinceKey, districtKey, wardKey"
            " FROM admin_units_legacy"
        ).fetchall()
        db.close()
        converter = json.loads((folder / "converter_2025.json").read_text("utf-8"))
    except (OSError, sqlite3.Error, ValueError) as exc:
        raise UnitDataError(f"cannot read the official unit list in {folder}: {exc}") from None
    return _build(new_rows, old_rows, converter)


def _build(new_rows: list[tuple], old_rows: list[tuple], converter: dict) -> UnitData:  # type: ignore[type-arg]
    current, current_provinces, new_code = {}, {}, {}
    new_province_code: dict[str, str] = {}
    for code, name, kind, pcode, pshort, pname, pkey, wkey in new_rows:
        current[code] = Unit(code, name, LEVELS[kind], pcode, pshort, True)
        current_provinces[pcode] = Unit(pcode, pname, "province", pcode, pshort, True)
        new_code[(pkey, wkey)] = code
        new_province_code[pkey] = pcode
    former, districts, provinces, district_of, old_code = {}, {}, {}, {}, {}
    old_province_code: dict[str, str] = {}
    for row in old_rows:
        wcode, ward, wkind, dcode, district, _kind, pcode, pshort, pname, pkey, dkey, wkey = row
        provinces[pcode] = Unit(pcode, pname, "province", pcode, pshort, False)
        districts[dcode] = Unit(dcode, district, "district", pcode, pshort, False)
        old_province_code[pkey] = pcode
        # Island districts have no wards: the district itself is what the converter maps.
        old_code[f"{pkey}_{dkey}_{wkey or ''}"] = wcode or dcode
        if wcode:
            former[wcode] = Unit(wcode, ward, LEVELS[wkind], pcode, pshort, False)
            district_of[wcode] = dcode
    successors: dict[str, set[str]] = {}
    default: dict[str, str] = {}
    for pkey, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for wkey, old_keys in wards.items():
            for old_key in old_keys:
                _link(old_code.get(old_key), new_code.get((pkey, wkey)), successors, default)
    for pkey, parts in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, targets in parts.items():
            for target in sorted(targets, key=lambda t: not t["isDefaultNewWard"]):
                new = new_code.get((pkey, target["newWardKey"]))
                _link(old_code.get(old_key), new, successors, default)
    for ward, targets in list(successors.items()):
        if ward in district_of:
            successors.setdefault(district_of[ward], set()).update(targets)
    province_successor = {
        old_province_code[old]: new_province_code[new]
        for new, olds in converter["DICT_PROVINCE"].items()
        for old in olds
        if old in old_province_code and new in new_province_code
    }
    return UnitData(
        current=current,
        current_provinces=current_provinces,
        former=former,
        former_districts=districts,
        former_provinces=provinces,
        district_of=district_of,
        successors={code: tuple(sorted(targets)) for code, targets in successors.items()},
        default_successor=default,
        province_successor=province_successor,
    )


def _link(
    old: str | None, new: str | None, successors: dict[str, set[str]], default: dict[str, str]
) -> None:
    if old and new:
        successors.setdefault(old, set()).add(new)
        default.setdefault(old, new)


def _named(units: Iterable[Unit], name: str) -> list[Unit]:
    """Units called `name`: exactly (case aside) if any, else ignoring diacritics."""
    pool = list(units)
    exact = [unit for unit in pool if name_key(unit.name) == name_key(name)]
    return exact or [unit for unit in pool if loose_key(unit.name) == loose_key(name)]


def provinces_named(data: UnitData, province: str) -> tuple[list[Unit], list[Unit]]:
    """(current provinces, former provinces) a province name may mean, short or full."""

    def matches(unit: Unit) -> bool:
        return loose_key(province) in (loose_key(unit.province), loose_key(unit.name))

    now = [unit for unit in data.current_provinces.values() if matches(unit)]
    before = [unit for unit in data.former_provinces.values() if matches(unit)]
    return now, before


def tag(
    unit_name: str | None, unit_level: str | None, province: str | None, data: UnitData
) -> Tag | None:
    """The official tag of a unit named as a site names it; None when it cannot be told apart."""
    if not unit_name or not province:
        return None
    now, before = provinces_named(data, province)
    # A province named today may hold former provinces (Hải Dương is in Hải Phòng now).
    before_codes = {unit.code for unit in before}
    before_codes |= {old for old, new in data.province_successor.items() if new in _codes(now)}
    now_codes = _codes(now) | {data.province_successor.get(code, "") for code in before_codes}
    if unit_level == "province":
        found = _named([data.current_provinces[c] for c in now_codes if c], unit_name)
        if len(found) == 1:
            return _tag(found[0].code, "current", found[0], data)
        olds = _named([data.former_provinces[c] for c in before_codes], unit_name)
        if len(olds) == 1 and olds[0].code in data.province_successor:
            new = data.current_provinces[data.province_successor[olds[0].code]]
            return _tag(olds[0].code, "former", new, data)
        return None
    if unit_level == "district":
        olds = _named(
            (d for d in data.former_districts.values() if d.province_code in before_codes),
            unit_name,
        )
        if len(olds) != 1 or olds[0].province_code not in data.province_successor:
            return None
        new = data.current_provinces[data.province_successor[olds[0].province_code]]
        return _tag(olds[0].code, "former", new, data)
    found = _named((u for u in data.current.values() if u.province_code in now_codes), unit_name)
    if len(found) == 1:
        return _tag(found[0].code, "current", found[0], data)
    olds = _named((u for u in data.former.values() if u.province_code in before_codes), unit_name)
    if len(olds) == 1 and olds[0].code in data.default_successor:
        return _tag(
            olds[0].code, "former", data.current[data.default_successor[olds[0].code]], data
        )
    return None


def _codes(units: Iterable[Unit]) -> set[str]:
    return {unit.code for unit in units}


def _tag(code: str, status: str, now: Unit, data: UnitData) -> Tag:
    province = data.current_provinces[now.province_code]
    return Tag(code, status, now.code, now.name, now.level, province.code, province.province)


def find_current(data: UnitData, text: str, province: str | None = None) -> list[Unit]:
    """Current units (wards, communes, provinces) by official code or by name."""
    text = text.strip()
    pool = [*data.current.values(), *data.current_provinces.values()]
    if province:
        wanted = _codes(provinces_named(data, province)[0])
        pool = [unit for unit in pool if unit.province_code in wanted]
    if text.isdigit():
        return [unit for unit in pool if unit.code == text]
    return _named(pool, text)


def former_codes(data: UnitData, current_code: str) -> set[str]:
    """Codes of the former wards and districts whose land is (partly) in a current unit today."""
    return {old for old, news in data.successors.items() if current_code in news}


TAG_FIELDS = tuple(Tag.__dataclass_fields__)


def site_tags(session: Session) -> list[dict[str, str | None]]:
    """Every site of the archive with its unit as named and its official tags."""
    names = ("slug", "unit_name", "province", *TAG_FIELDS)
    rows = session.execute(text(f"SELECT {', '.join(names)} FROM sites ORDER BY slug")).all()
    return [dict(zip(names, row, strict=True)) for row in rows]
