"""Interface strings, one module per feature; each defines ``STRINGS`` and ``LABELS`` dicts of
key -> (Chinese, English). ``dashboard_lib.i18n`` merges them and refuses a key defined twice."""
