"""Class breaks and THE classifier of every choropleth: the national map, the explorer's map and
the presenter's still map put a value into a class here, and give a class its colour here.

The one no-data rule (:func:`classify`): missing (None, NaN, NA), not finite, or no breaks at all
is no data. Zero and below are no data too unless ``zero_is_data`` — counts (projects, people,
visits …) where zero means "nothing reported" use the default; the explorer classifies shares,
where 0 % is a real value, so it passes ``zero_is_data=True`` (its counts reach the classifier
only when above zero, see ``explorer.has_data``). A value belongs to the first class whose upper
bound it does not exceed (within 1e-12, float noise); above the last bound it is in the last class.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from ..i18n import t

# Sequential classes (light → dark) and the no-data colour.
PALETTE = ("#fde0c5", "#facba6", "#f59e72", "#e8684a", "#c73e3a")
NO_DATA = "#ffffff"
TOLERANCE = 1e-12  # a value this close above a bound is on it (float noise of the quantiles)


def quantile_breaks(values, k: int = 5) -> list[float]:
    """Upper bounds of up to ``k`` quantile classes over the positive values (no-data excluded)."""
    return quantile_bounds(
        np.asarray([x for x in values if x is not None and np.isfinite(x) and x > 0], dtype=float),
        k,
    )


def quantile_bounds(v: np.ndarray, k: int) -> list[float]:
    """Upper bounds of up to ``k`` quantile classes of the clean values ``v`` (linear
    interpolation; rounded up to whole numbers when every value is whole), duplicates dropped."""
    if v.size == 0:
        return []
    qs = np.quantile(v, np.linspace(0, 1, k + 1)[1:])
    if np.all(v == np.round(v)):  # counts: whole-number class bounds
        qs = np.ceil(qs)
    return [float(q) for q in np.unique(qs)]


def is_no_data(value, zero_is_data: bool = False) -> bool:
    """Whether ``value`` is no data under the one rule (see the module's docstring)."""
    if value is None or pd.isna(value) or not np.isfinite(value):
        return True
    return not zero_is_data and value <= 0


def classify(value, breaks: list[float], *, zero_is_data: bool = False) -> int | None:
    """Class index of ``value`` against the upper bounds ``breaks`` (None: no data — missing,
    not finite, no breaks, or zero and below unless ``zero_is_data``)."""
    if not breaks or is_no_data(value, zero_is_data):
        return None
    for i, b in enumerate(breaks):
        if value <= b + TOLERANCE:
            return i
    return len(breaks) - 1


def class_colour(idx: int | float | None, n_classes: int) -> str:
    """Colour of class ``idx``; None or NaN (a frame's empty cell) is the no-data class."""
    if idx is None or (isinstance(idx, float) and np.isnan(idx)):
        return NO_DATA
    idx = int(idx)
    # spread the classes present over the palette so 2 classes still contrast
    pos = 0 if n_classes <= 1 else round(idx * (len(PALETTE) - 1) / (n_classes - 1))
    return PALETTE[pos]


def all_equal(values: Iterable, *, zero_is_data: bool = False) -> float | None:
    """The one value every data value has (no-data values left out by the one rule), or None
    when they differ or there is none."""
    v = {float(x) for x in values if not is_no_data(x, zero_is_data)}
    return v.pop() if len(v) == 1 else None


def class_labels(
    breaks: list[float],
    values: Iterable,
    text: Callable[[float], str],
    lang: str = "zh",
    *,
    zero_is_data: bool = False,
) -> list[tuple[int, str]]:
    """The legend's rows of classes: (class index, plain label) — "≤ b" for the first class,
    "a – b" for the others, each value through ``text``. When every data value is the same the
    one row says so ("全部相同：3 个") instead of a class "≤ 3" that reads like a range."""
    same = all_equal(values, zero_is_data=zero_is_data) if breaks else None
    if same is not None:
        return [(0, t("legend_all_equal", lang, value=text(same)))]
    return [
        (i, f"≤ {text(b)}" if i == 0 else f"{text(breaks[i - 1])} – {text(b)}")
        for i, b in enumerate(breaks)
    ]
