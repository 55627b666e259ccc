"""GeoJSON for the maps: boundaries snapped and cached once per process, display copies of
geometries, and the move from GCJ-02 (the boundary data's datum) to WGS-84 for web tiles.

Snapped boundary geometries (static data) are kept once per process in ``cache.GEOMETRY``.
"""

from __future__ import annotations

import json
from functools import partial

import geopandas as gpd
import numpy as np
import shapely

from .. import geo
from ..cache import GEOMETRY


def feature_collection(
    gdf: gpd.GeoDataFrame, precision: int = 3, cache: tuple[str, str | None] | None = None
) -> dict:
    """GeoJSON with coordinates snapped to 10^-precision degrees (0.001° ≈ 100 m: finer than a
    screen pixel at national and province zoom), which shrinks what the browser downloads.

    ``cache=(layer, key column or None for the index)``: the boundaries are static, so each one's
    snapped GeoJSON is made once per process and reused (``layer`` names one source of
    geometries, the key is unique in it). Shapely
    writes the GeoJSON in C; the properties are the frame's other columns."""
    geoms = gdf.geometry.values
    ids = (gdf.index if cache[1] is None else gdf[cache[1]]).tolist() if cache else []
    keys = [(cache[0], precision, k) for k in ids] if cache else None
    todo = [i for i, k in enumerate(keys) if k not in GEOMETRY] if keys else list(range(len(gdf)))

    def snap(rows: list[int]) -> list[dict]:
        if not rows:
            return []
        snapped = shapely.set_precision(np.asarray(geoms[rows], dtype=object), 10**-precision)
        return json.loads("[" + ",".join(shapely.to_geojson(snapped)) + "]")

    made = snap(todo)
    if keys:
        fresh = {keys[i]: g for i, g in zip(todo, made)}

        def one(i: int, k: tuple) -> dict:  # a named function: mypy infers no default-arg lambda
            return fresh[k] if k in fresh else snap([i])[0]

        shapes = [GEOMETRY.get(k, partial(one, i, k)) for i, k in enumerate(keys)]
    else:
        shapes = made
    props = [c for c in gdf.columns if c != gdf.geometry.name]
    frame = gdf[props].astype(object)
    records = frame.where(frame.notna(), None).to_dict("records")  # NaN is not JSON: null
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()},
                "geometry": g,
            }
            for r, g in zip(records, shapes)
        ],
    }


def geometry_json(geoms, precision: int = 3) -> list[dict]:
    """GeoJSON geometry dicts of shapely geometries, coordinates rounded to ``precision``
    decimals (a display copy: rounding is ~20× faster than a topology-safe snap, and a sliver
    below 0.001° is invisible at the zooms the explorer allows)."""
    arr = shapely.transform(np.asarray(geoms, dtype=object), lambda c: np.round(c, precision))
    return json.loads("[" + ",".join(shapely.to_geojson(arr)) + "]") if len(arr) else []


def to_wgs84_frame(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Geometries moved from GCJ-02 (AMap) to WGS-84, for standard web tiles."""

    def move(coords: np.ndarray) -> np.ndarray:
        return np.array([geo.to_wgs84(float(x), float(y)) for x, y in coords]).reshape(coords.shape)

    out = gdf.copy()
    out["geometry"] = shapely.transform(np.asarray(gdf.geometry.values), move)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=gdf.crs)


def to_wgs84_points(lats, lons) -> tuple[list[float], list[float]]:
    """Points (latitudes, longitudes) moved from GCJ-02 to WGS-84."""
    moved = [geo.to_wgs84(float(lo), float(la)) for la, lo in zip(lats, lons)]
    return [m[1] for m in moved], [m[0] for m in moved]
