"""Interface strings of the programme feature: key -> (Chinese, English)."""

STRINGS: dict[str, tuple[str, str]] = {}
LABELS: dict[str, tuple[str, str]] = {}
