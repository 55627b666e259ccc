"""Make the app's own copies of Leaflet and plotly.js, served by Streamlit at /app/static/.

Leaflet comes from the pinned PyPI package ``django-js-lib-leaflet`` (Leaflet 1.9.4, BSD-2),
plotly.js from the pinned ``plotly`` package (MIT), so nothing is vendored into git and nothing
is fetched at run time.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import js_lib_leaflet
import plotly

from .settings import STATIC_DIR

FILES = (
    "leaflet.js",
    "leaflet.css",
    "images/layers.png",
    "images/layers-2x.png",
    "images/marker-icon.png",
    "images/marker-icon-2x.png",
    "images/marker-shadow.png",
)


def ensure_static(static_dir: Path = STATIC_DIR) -> Path:
    src = Path(js_lib_leaflet.__file__).parent / "static" / "js_lib_leaflet"
    dst = static_dir / "leaflet"
    for name in FILES:
        target = dst / name
        if not target.exists() or target.stat().st_size != (src / name).stat().st_size:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / name, target)
    plotly_src = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    plotly_dst = static_dir / "plotly" / "plotly.min.js"
    if not plotly_dst.exists() or plotly_dst.stat().st_size != plotly_src.stat().st_size:
        plotly_dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(plotly_src, plotly_dst)
    return dst


if __name__ == "__main__":
    print(ensure_static())
