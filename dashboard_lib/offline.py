"""Make the app's own copy of Leaflet, served by Streamlit at /app/static/leaflet/.

The copy comes from the pinned PyPI package ``django-js-lib-leaflet`` (Leaflet 1.9.4, BSD-2),
so nothing is vendored into git and nothing is fetched at run time.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import js_lib_leaflet

from .settings import STATIC_DIR

FILES = ("leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png",
         "images/marker-icon.png", "images/marker-icon-2x.png", "images/marker-shadow.png")


def ensure_static(static_dir: Path = STATIC_DIR) -> Path:
    src = Path(js_lib_leaflet.__file__).parent / "static" / "js_lib_leaflet"
    dst = static_dir / "leaflet"
    for name in FILES:
        target = dst / name
        if not target.exists() or target.stat().st_size != (src / name).stat().st_size:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / name, target)
    return dst


if __name__ == "__main__":
    print(ensure_static())
