"""Runtime loader for the dashboard's geographic reference data.

Reads the files written by ``scripts/build_geo.py`` (see data/reference/SOURCES.md).
All coordinates are GCJ-02 (AMap) although the GeoParquet files carry an
EPSG:4326 label; use :func:`to_wgs84` / :func:`to_gcj02` to convert points.

No Streamlit and no cnmaps import here: this module only needs pandas,
geopandas and pyarrow.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .cache import static
from .errors import UserError

CORPS_ADCODE = 660000  # project-internal code for the Xinjiang Production and Construction Corps

# Suffixes stripped when matching county names, longest first.
_SUFFIXES = ("自治县", "自治旗", "林区", "特区", "县", "市", "区", "旗")
# Ethnic-group names that precede 自治县/自治旗 (e.g. 长阳土家族自治县 -> 长阳).
_ETHNIC = (
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
    "各",
)
# Multi-character names may omit 族 (巴里坤哈萨克自治县); single-character ones need it.
_ETHNIC_RE = re.compile(
    "(?:"
    + "|".join(
        sorted((e + ("族?" if len(e) > 1 else "族") for e in _ETHNIC), key=len, reverse=True)
    )
    + ")+自治[县旗]$"
)


class GeoDataError(UserError, RuntimeError):
    """A geographic data file is missing or cannot be read (a strings key and its values)."""


# --------------------------------------------------------------------------- paths / IO


def data_dir() -> Path:
    """The repository's ``data/`` directory."""
    return Path(__file__).resolve().parents[1] / "data"


def _path(*parts: str) -> Path:
    p = data_dir().joinpath(*parts)
    if not p.is_file():
        raise GeoDataError("geo_err_missing", path=p)
    return p


def _read_parquet(name: str, filters: list | None = None) -> gpd.GeoDataFrame:
    """Read a GeoParquet file, cached per (path, modification time, filter): the app reruns
    its pages on every interaction and the boundaries do not change between reruns.
    Callers must not modify the frame they get."""
    p = _path("geo", name)
    key = tuple((c, op, tuple(v) if isinstance(v, list) else v) for c, op, v in (filters or []))
    return _cached_parquet(str(p), p.stat().st_mtime_ns, key)


@static
def _cached_parquet(path: str, _mtime: int, filters: tuple) -> gpd.GeoDataFrame:
    try:
        return gpd.read_parquet(
            path,
            filters=[(c, op, list(v) if isinstance(v, tuple) else v) for c, op, v in filters]
            or None,
        )
    except Exception as exc:  # pyarrow / geopandas raise a variety of types
        raise GeoDataError("geo_err_unreadable", path=path, error=type(exc).__name__) from exc


def _read_csv(name: str) -> pd.DataFrame:
    p = _path("reference", name)
    try:
        return pd.read_csv(p, keep_default_na=False)
    except Exception as exc:
        raise GeoDataError(
            "geo_err_reference_unreadable", path=p, error=type(exc).__name__
        ) from exc


# --------------------------------------------------------------------------- loaders


def load_provinces() -> gpd.GeoDataFrame:
    """34 provincial units + the Corps (660000): adcode, name_zh, geometry (GCJ-02)."""
    return _read_parquet("provinces.parquet")


def load_counties(province_adcodes: list[int] | None = None) -> gpd.GeoDataFrame:
    """County polygons of the programme provinces + Corps: adcode, province_adcode, geometry.

    With ``province_adcodes`` only those provinces' rows are read (pyarrow filter).
    """
    if province_adcodes is None:
        return _read_parquet("counties.parquet")
    codes = sorted({int(c) for c in province_adcodes})
    if not codes:
        return _read_parquet("counties.parquet", filters=[("province_adcode", "=", -1)])
    return _read_parquet("counties.parquet", filters=[("province_adcode", "in", codes)])


def load_outline() -> gpd.GeoDataFrame:
    """National outline: rows with layer 'land' (polygons) and 'maritime' (dashed line)."""
    return _read_parquet("national_outline.parquet")


def load_county_reference() -> pd.DataFrame:
    """data/reference/counties.csv as a DataFrame."""
    return _read_csv("counties.csv")


def load_national_districts() -> pd.DataFrame:
    """data/reference/districts_national.csv (every county-level unit) as a DataFrame."""
    return _read_csv("districts_national.csv")


def load_crosswalk() -> pd.DataFrame:
    """data/reference/adcode_crosswalk.csv: old_adcode, new_adcode, name_zh, note."""
    return _read_csv("adcode_crosswalk.csv")


@static
def _crosswalk_map() -> dict[int, int]:
    cw = load_crosswalk()
    return {int(o): int(n) for o, n in zip(cw["old_adcode"], cw["new_adcode"])}


def current_adcode(code: int) -> int:
    """Map a stale adcode to its current one; other codes are returned unchanged."""
    code = int(code)
    return _crosswalk_map().get(code, code)


# --------------------------------------------------------------------------- names


def _name_keys(name: str) -> set[str]:
    """Match keys of a county name: itself, without its suffix, without ethnic + 自治县/旗."""
    name = name.strip()
    keys = {name}
    m = _ETHNIC_RE.search(name)
    if m and m.start() > 0:
        keys.add(name[: m.start()])
    for suf in _SUFFIXES:
        if name.endswith(suf) and len(name) > len(suf):
            stem = name[: -len(suf)]
            keys.add(stem)
            if stem.endswith("族") and len(stem) > 2:  # 鄂温克族自治旗 -> 鄂温克
                keys.add(stem[:-1])
            break
    return keys


def _province_of(adcode: int) -> int:
    if adcode // 100 == 6590:
        return CORPS_ADCODE
    return adcode // 10000 * 10000


@static
def _district_index() -> tuple[tuple[int, int, str], ...]:
    df = load_national_districts()
    return tuple(
        (int(a), _province_of(int(a)), str(n)) for a, n in zip(df["adcode"], df["name_zh"])
    )


def resolve_county(name: str, province_adcode: int) -> list[int]:
    """Candidate current adcodes for a county name within a province.

    Tries the exact name first, then the name with/without its suffix
    (县/市/区/旗/自治县/自治旗, also an ethnic 自治县 designation), e.g.
    '垣曲' -> [140827].  Returns [] if nothing matches.
    """
    name = (name or "").strip()
    if not name:
        return []
    province_adcode = int(province_adcode)
    units = [(a, n) for a, p, n in _district_index() if p == province_adcode]
    exact = sorted(a for a, n in units if n == name)
    if exact:
        return exact
    qkeys = _name_keys(name)
    return sorted(a for a, n in units if _name_keys(n) & qkeys)


# --------------------------------------------------------------------------- GCJ-02

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # eccentricity squared


def _out_of_china(lon: float, lat: float) -> bool:
    return not (73.66 < lon < 135.05 and 3.86 < lat < 53.55)


def _transform_lat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _transform_lon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def _offset(lon: float, lat: float) -> tuple[float, float]:
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return dlon, dlat


def to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """WGS-84 -> GCJ-02 (identity outside China's bounding box)."""
    if _out_of_china(lon, lat):
        return lon, lat
    dlon, dlat = _offset(lon, lat)
    return lon + dlon, lat + dlat


def to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 -> WGS-84 by fixed-point iteration (error well below 1e-7 degrees)."""
    if _out_of_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(30):
        glon, glat = to_gcj02(wlon, wlat)
        ex, ey = glon - lon, glat - lat
        wlon, wlat = wlon - ex, wlat - ey
        if abs(ex) < 1e-10 and abs(ey) < 1e-10:
            break
    return wlon, wlat
