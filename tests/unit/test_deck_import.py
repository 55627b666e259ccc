"""Kaleido's import in the warm-up thread: a miss caused by Streamlit's ``sys.path`` shuffle is
tried again, and a lasting miss is said as the export's own refusal, not a thread traceback."""

from __future__ import annotations

import builtins
import sys

import pytest

from dashboard_lib import deck_export
from dashboard_lib.deck_export import ExportUnavailable


def _failing_import(monkeypatch, misses: int) -> list[str]:
    real = builtins.__import__
    calls: list[str] = []

    def fake(name, globals=None, *args, **kwargs):
        if name == "kaleido" and (globals or {}).get("__name__") == deck_export.__name__:
            calls.append(name)
            if len(calls) <= misses:
                raise ModuleNotFoundError("No module named 'logistro'", name="logistro")
        return real(name, globals, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    monkeypatch.setattr(deck_export.time, "sleep", lambda s: None)
    return calls


def test_a_passing_miss_is_tried_again(monkeypatch):
    calls = _failing_import(monkeypatch, misses=1)
    module = deck_export._import_kaleido()
    assert module is sys.modules["kaleido"]
    assert len(calls) == 2


def test_a_lasting_miss_is_the_exports_refusal(monkeypatch):
    calls = _failing_import(monkeypatch, misses=99)
    with pytest.raises(ExportUnavailable) as caught:
        deck_export._import_kaleido()
    assert len(calls) == 3
    assert caught.value.key == "deck_export_chart_failed"
    assert caught.value.values["error"] == "ModuleNotFoundError"
    assert "ModuleNotFoundError" in caught.value.message("zh")
