"""The explorer's project cards as HTML: the same escaped text in the map's popup and on the
page, only http(s) sources as links."""

from __future__ import annotations

from branca.element import MacroElement, Template

from ..i18n import t
from .leaflet import esc, script_json


class CardPopup(MacroElement):
    """The cards as the parent marker's popup, opened once the layer is on the map. (folium's
    Popup builds its content with jQuery, which the offline app does not load.) ``body`` must be
    escaped HTML (``cards_html``)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup({{ this.body_json }}, {maxWidth: 360, autoPan: true});
        setTimeout(function(){ try { {{ this._parent.get_name() }}.openPopup(); } catch (e) {} }, 80);
        {% endmacro %}
    """)

    def __init__(self, body: str):
        super().__init__()
        self._name = "CardPopup"
        self.body_json = script_json(body)


def _safe_url(url) -> str | None:
    """Only http(s) links become links (an imported ``javascript:`` URL stays text)."""
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None


# the card a search found: outlined in the map's orange, on a light ground
FOCUS = ";border-left:4px solid #f28e2b;background:#fff8ef;padding-left:8px"


def cards_html(cards: list[dict], lang: str = "zh") -> str:
    """Project cards as escaped HTML (the popup and the page use the same text)."""
    parts = []
    for c in cards:
        src = _safe_url(c["source_url"])
        prov = esc(c["provenance_label"])
        # the figures' approval state (已批准 / 暂定 / 部分已批准), after the headline
        state = c.get("approval")
        approval = (
            "" if not state else (f" ({esc(state)})" if lang == "en" else f"（{esc(state)}）")
        )
        if src:
            prov += f' · <a href="{esc(src)}" target="_blank" rel="noopener">{esc(t("explorer_source", lang))}</a>'
        parts.append(
            f"<div class='{'xz-card xz-focus' if c.get('focus') else 'xz-card'}' style='margin-bottom:6px{FOCUS if c.get('focus') else ''}'><b>{esc(c['school'])}</b><br>"
            f"{esc(c['county'])} · {esc(c.get('host_label') or t('explorer_card_university', lang))}：{esc(c['university'])}<br>"
            f"{esc(t('explorer_card_affiliated', lang))}：{esc(c['affiliated'])}<br>"
            f"{esc(t('explorer_card_signed', lang))}：{esc(c['signed'])} · "
            f"{esc(t('explorer_card_cycle', lang))}：{esc(c['cycle'])}<br>"
            f"{esc(c['headline'])}{approval}<br>"
            f"{esc(t('explorer_card_provenance', lang))}：{prov}<br>"
            f'<a href="{esc(c["dossier"])}" target="_top">{esc(t("explorer_dossier", lang))}</a></div>'
        )
    return "".join(parts)
