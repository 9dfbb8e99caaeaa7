"""The details panel beside a map: plain text and tables, never HTML from the data."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from township_atlas.maps.selection import details
from township_atlas.model.bundle import Bundle
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.text.numbers import number
from township_atlas.ui.app_paths import app_dir
from township_atlas.ui.text import md_escape

STATUS_ICON = {"green": "🟢", "amber": "🟡", "red": "🔴", "none": "⚪"}


def _num(value: float) -> str:
    # Large or whole values without decimals, others with one.
    return number(value, 0 if abs(value) >= 1000 or float(value).is_integer() else 1)


def _village_page_exists() -> bool:
    return (app_dir() / "pages" / "village.py").exists()


def show_details(bundle: Bundle, sel: str | None, lang: str) -> None:
    """Details of the selection, or a hint how to select something."""
    st.subheader(tr("map_details", lang))
    if not sel:
        st.caption(tr("map_click_hint", lang))
        return
    d = details(bundle, sel, lang)
    if d is None:
        st.warning(tr("map_selection_gone", lang))
        return
    # st.text never interprets markup, whatever a name contains.
    st.markdown(f"#### {md_escape(d.title)}")
    st.caption(md_escape(d.subtitle))
    st.markdown("  \n".join(f"**{tr(k, lang)}**:{md_escape(v)}" for k, v in d.facts))
    if d.figures:
        rows = []
        for f in d.figures:
            unit = f[pick(lang, "unit_zh", "unit_en")]
            rows.append(
                {
                    "": f"{f[pick(lang, 'label_zh', 'label_en')]}({f['year']})",
                    " ": f"{_num(f['value'])} {unit}".strip(),
                    tr("target", lang): "—" if f["target"] is None else _num(f["target"]),
                    "  ": STATUS_ICON[f["status"]] + " " + tr(f"status_{f['status']}", lang),
                }
            )
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    for key, items in d.lists:
        st.markdown(f"**{tr(key, lang)}**")
        for item in items:
            st.text("· " + item)
    if d.village_code and _village_page_exists():
        st.page_link(
            "pages/village.py",
            label=tr("map_open_village", lang),
            icon=":material/arrow_forward:",
            query_params={"village": d.village_code},
        )
