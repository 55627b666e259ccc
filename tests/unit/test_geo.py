"""Tests of the geographic reference data (data/geo, data/reference) and dashboard_lib.geo.

Expected values are real-world facts (GB/T 2260 codes, official counts of
county-level units), not copies of the build script's output.
"""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from dashboard_lib import geo  # noqa: E402

PROGRAMME = {
    "central": {140000, 340000, 360000, 410000, 420000, 430000},
    "western": {
        150000,
        450000,
        500000,
        510000,
        520000,
        530000,
        540000,
        610000,
        620000,
        630000,
        640000,
        650000,
    },
    "northeast": {210000, 220000, 230000},
    "hebei_hainan": {130000, 460000},
    "corps": {660000},
}
CORPS_CITIES = {  # GB/T 2260 codes of the Corps cities
    659001: "石河子市",
    659002: "阿拉尔市",
    659003: "图木舒克市",
    659004: "五家渠市",
    659005: "北屯市",
    659006: "铁门关市",
    659007: "双河市",
    659008: "可克达拉市",
    659009: "昆玉市",
    659010: "胡杨河市",
    659011: "新星市",
    659012: "白杨市",
}


@pytest.fixture(scope="module")
def provinces_csv() -> pd.DataFrame:
    return pd.read_csv(geo.data_dir() / "reference" / "provinces.csv", keep_default_na=False)


@pytest.fixture(scope="module")
def county_ref() -> pd.DataFrame:
    return geo.load_county_reference()


def test_province_table(provinces_csv):
    assert len(provinces_csv) == 35
    assert provinces_csv["adcode"].is_unique
    prog = provinces_csv[provinces_csv["in_programme"]]
    assert len(prog) == 24
    for region, codes in PROGRAMME.items():
        assert set(prog.loc[prog["region"] == region, "adcode"]) == codes, region
    assert set(provinces_csv.loc[~provinces_csv["in_programme"], "region"]) == {""}
    corps = provinces_csv.set_index("adcode").loc[660000]
    assert corps["name_zh"] == "新疆生产建设兵团" and corps["short_zh"] == "兵团"
    # the 34 provincial-level units of China are all present (incl. Taiwan, HK, Macao)
    for code in (110000, 310000, 440000, 710000, 810000, 820000):
        assert code in set(provinces_csv["adcode"])


def test_province_geometries():
    prov = geo.load_provinces()
    assert len(prov) == 35 and set(prov["adcode"]) >= {650000, 660000, 710000}
    assert prov.geometry.is_valid.all()
    geoms = prov.loc[prov["adcode"] != 660000].geometry.values
    assert shapely.coverage_is_valid(geoms)
    xj = prov.set_index("adcode").geometry
    # Xinjiang stays whole: the Corps lies (almost) entirely inside it
    corps, xinjiang = xj.loc[660000], xj.loc[650000]
    assert corps.area > 0.5  # ten cities, ~1.3 square degrees in total
    assert corps.difference(xinjiang).area < 0.01 * corps.area


def test_every_programme_province_has_counties(county_ref):
    counts = county_ref.groupby("province_adcode").size()
    for codes in PROGRAMME.values():
        for code in codes:
            assert counts.get(code, 0) >= 1, code
    # official numbers of county-level units
    assert counts[140000] == 117  # Shanxi
    assert counts[500000] == 38  # Chongqing: 26 districts + 12 counties
    assert counts[640000] == 22  # Ningxia
    assert county_ref["adcode"].is_unique
    assert set(county_ref["province_adcode"]) == set().union(*PROGRAMME.values())


def test_corps_counties(county_ref):
    corps = county_ref[county_ref["province_adcode"] == 660000]
    assert dict(zip(corps["adcode"], corps["name_zh"])) == CORPS_CITIES
    assert (
        not county_ref.loc[county_ref["adcode"] // 100 == 6590, "province_adcode"].eq(650000).any()
    )
    polys = geo.load_counties([660000])
    assert set(polys["adcode"]) == set(CORPS_CITIES) - {659011, 659012}
    xj = geo.load_counties([650000])
    assert not (xj["adcode"] // 100 == 6590).any()
    nat = geo.load_national_districts().set_index("adcode")
    assert nat.loc[659001, "province_zh"] == "新疆生产建设兵团"


def test_load_counties_filters():
    gansu = geo.load_counties([620000])
    assert set(gansu["province_adcode"]) == {620000}
    assert 620102 in set(gansu["adcode"])  # 城关区, Lanzhou
    assert len(geo.load_counties([])) == 0
    everything = geo.load_counties()
    assert len(everything) > len(gansu) and everything["adcode"].is_unique


def test_gansu_coverage():
    counties = geo.load_counties([620000])
    g = counties.geometry.values
    assert shapely.is_valid(g).all()
    assert shapely.coverage_is_valid(g)
    province = geo.load_provinces().set_index("adcode").geometry.loc[620000]
    tree = shapely.STRtree(g)
    left, right = tree.query(g, predicate="intersects")
    overlap = sum(shapely.intersection(g[a], g[b]).area for a, b in zip(left, right) if a < b)
    assert overlap < 1e-6 * province.area
    union = shapely.union_all(g)
    assert union.area == pytest.approx(province.area, rel=0.01)
    assert shapely.symmetric_difference(union, province).area < 0.01 * province.area


def test_outline():
    out = geo.load_outline()
    assert list(out["layer"]) == ["land", "maritime"]
    land = out.geometry.iloc[0]
    assert land.is_valid
    # includes Taiwan (Taipei) and the Nansha islands (Zengmu Ansha area, ~4 N)
    assert land.contains(shapely.Point(121.0, 23.5))
    assert land.bounds[1] < 4.5
    mar = out.geometry.iloc[1]
    assert mar.geom_type == "MultiLineString" and len(mar.geoms) >= 9


def test_crosswalk(county_ref):
    cw = geo.load_crosswalk()
    assert geo.current_adcode(431121) == 431181  # 祁阳
    assert geo.current_adcode(654223) == 654203  # 沙湾
    assert geo.current_adcode(140827) == 140827  # unchanged
    assert not set(cw["old_adcode"]) & set(county_ref["adcode"])
    assert set(cw["new_adcode"]) <= set(county_ref["adcode"])
    assert county_ref.set_index("adcode").loc[540481, "name_zh"] == "米林市"


def test_no_boundary_units(county_ref):
    ref = county_ref.set_index("adcode")
    for code in (659011, 659012, 653228, 653229):
        row = ref.loc[code]
        assert not row["has_boundary"]
        assert 73 < row["lon"] < 97 and 34 < row["lat"] < 50  # inside Xinjiang's extent
        assert row["note"]
    assert ref.loc[653228, "prefecture_zh"] == "和田地区"
    assert ref.loc[659011, "province_adcode"] == 660000
    assert ref["has_boundary"].sum() == len(geo.load_counties())


def test_county_points_inside_polygons(county_ref):
    polys = geo.load_counties([140000]).set_index("adcode").geometry
    ref = county_ref[county_ref["province_adcode"] == 140000].set_index("adcode")
    inside = sum(
        polys.loc[a].buffer(0.01).contains(shapely.Point(r.lon, r.lat)) for a, r in ref.iterrows()
    )
    assert inside == len(ref)
    yuanqu = ref.loc[140827]  # 垣曲县, around 111.7E 35.3N
    assert abs(yuanqu["lon"] - 111.7) < 0.4 and abs(yuanqu["lat"] - 35.3) < 0.3


def test_resolve_county():
    assert geo.resolve_county("垣曲", 140000) == [140827]
    assert geo.resolve_county("垣曲县", 140000) == [140827]
    assert geo.resolve_county("长阳", 420000) == [420528]  # 长阳土家族自治县
    assert geo.resolve_county("巴里坤", 650000) == [650521]  # 巴里坤哈萨克自治县
    assert geo.resolve_county("石河子", 660000) == [659001]
    assert geo.resolve_county("石河子", 650000) == []
    assert geo.resolve_county("垣曲", 130000) == []
    assert geo.resolve_county("城区", 140000) == [140302, 140502]  # 阳泉 and 晋城


def test_gcj02_round_trip():
    lon, lat = 116.391248, 39.907501  # Tiananmen, WGS-84
    glon, glat = geo.to_gcj02(lon, lat)
    # GCJ-02 shifts Beijing by roughly 600 m east and 150 m north
    assert 0.004 < glon - lon < 0.008 and 0.0005 < glat - lat < 0.003
    for plon, plat in [(lon, lat), (87.6, 43.8), (110.3, 20.0), (126.6, 45.7)]:
        back = geo.to_wgs84(*geo.to_gcj02(plon, plat))
        assert abs(back[0] - plon) < 1e-5 and abs(back[1] - plat) < 1e-5
    assert geo.to_gcj02(2.35, 48.85) == (2.35, 48.85)  # Paris: outside China, unchanged


def test_corrupt_parquet_raises(tmp_path, monkeypatch):
    (tmp_path / "geo").mkdir()
    (tmp_path / "geo" / "provinces.parquet").write_bytes(b"PAR1 this is not parquet")
    monkeypatch.setattr(geo, "data_dir", lambda: tmp_path)
    with pytest.raises(geo.GeoDataError):
        geo.load_provinces()
    with pytest.raises(geo.GeoDataError) as missing:
        geo.load_counties()
    assert "missing" in missing.value.message("en") and "不存在" in missing.value.message("zh")
    with pytest.raises(geo.GeoDataError):
        geo.load_county_reference()
