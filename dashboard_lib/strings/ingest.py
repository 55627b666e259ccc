"""Interface strings of the ingest feature: key -> (Chinese, English)."""

STRINGS: dict[str, tuple[str, str]] = {}
LABELS: dict[str, tuple[str, str]] = {}
