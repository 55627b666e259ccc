"""Interface strings of the explorer feature: key -> (Chinese, English)."""

STRINGS: dict[str, tuple[str, str]] = {}
LABELS: dict[str, tuple[str, str]] = {}
