"""Build the township map: a static folium map (layers, legend, controls) and a dynamic
feature group (village colours, selection) that st_folium swaps without a reload."""

from __future__ import annotations

from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

import folium
import numpy as np
from branca.element import Element
from folium.template import Template
from jinja2.utils import htmlsafe_json_dumps

from township_atlas.assets import FullscreenControl, make_map
from township_atlas.basemaps import Basemap
from township_atlas.bundle import Bundle, Finding
from township_atlas.crs import wgs84_to_gcj02
from township_atlas.labels import tr
from township_atlas.maps import payload
from township_atlas.maps.choropleth import Choropleth
from township_atlas.maps.style import (
    BACKGROUND,
    CHAIN_COLOUR,
    ORG_SYMBOLS,
    PARTY_RED,
    SITE_SYMBOLS,
    TOWNSHIP_LINE,
    VILLAGE_LINE,
)
from township_atlas.schema import ORG_LEVEL_LABELS, SITE_KIND_LABELS, code_label

# Above this many sites the markers are clustered (a county has thousands).
CLUSTER_THRESHOLD = 300

CSS = """<style>
.atlas-icon{background:none;border:none}
.atlas-sym svg{display:block;filter:drop-shadow(0 1px 1px rgba(0,0,0,.35))}
.atlas-label-icon{background:none;border:none;width:auto!important;height:auto!important}
.atlas-village-label{transform:translate(-50%,-50%);white-space:nowrap;font:600 15px/1.2
 "Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;color:#3E2723;
 text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff}
.atlas-tip{font:13px/1.35 "Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:260px;
 white-space:normal}
.atlas-tip-party{color:#C8161D}
.atlas-tip-value{margin-top:2px;font-weight:600}
.atlas-legend{background:rgba(255,255,255,.94);padding:6px 10px;border-radius:6px;
 box-shadow:0 1px 4px rgba(0,0,0,.3);font:13px/1.5 "Noto Sans CJK SC","Microsoft YaHei",
 sans-serif;max-width:260px}
.atlas-legend summary{font-weight:700;cursor:pointer}
.atlas-legend-row{display:flex;align-items:center;gap:6px;margin-top:2px}
.atlas-legend-sym{display:inline-flex;width:22px;justify-content:center}
</style>"""


@cache
def _atlas_js() -> str:
    return (Path(__file__).with_name("atlas.js")).read_text(encoding="utf-8")


class _Literal(Element):
    """Text put into the page as it is. branca's MacroElement.render wraps each macro's
    output in Element(output), which compiles that output as a Jinja template: data text
    such as ``{{ ... }}`` would then run on the server and ``{#`` would crash the page."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class _LiteralMacro(folium.MacroElement):
    """A MacroElement whose rendered header and script are never re-read as templates."""

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        module = self._template.module.__dict__
        if "header" in module:
            figure.header.add_child(_Literal(module["header"](self, kwargs)), name=self.get_name())
        if "script" in module:
            figure.script.add_child(_Literal(module["script"](self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class _AtlasStatic(_LiteralMacro):
    _template = Template(
        "{% macro header(this, kwargs) %}" + CSS + "{% endmacro %}"
        "{% macro script(this, kwargs) %}{{ this.js }}\n"
        "Atlas.build({{ this._parent.get_name() }}, {{ this.data_json }});{% endmacro %}"
    )

    def __init__(self, data_json: str) -> None:
        super().__init__()
        self._name = "AtlasStatic"
        self.data_json = data_json
        self.js = _atlas_js()


def data_json(data: dict[str, Any]) -> str:
    """JSON safe to put inside a <script> (``<``, ``>``, ``&``, ``'`` escaped, as Jinja's
    tojson does). Serialising a county takes most of a second: cache it with the data."""
    return str(htmlsafe_json_dumps(data))


class _AtlasDynamic(_LiteralMacro):
    # Runs inside st_folium's feature group string, where the map is called map_div.
    _template = Template(
        "{% macro script(this, kwargs) %}"
        "Atlas.dynamic({{ this._parent.get_name() }}, {{ this._parent._parent.get_name() }}, "
        "{{ this.data|tojson }});{% endmacro %}"
    )

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self._name = "AtlasDynamic"
        self.data = data


def display_shift(basemap: Basemap):
    """The coordinate shift for the basemap's CRS (None for WGS84 tiles)."""
    if basemap.display_crs == "gcj02":
        return lambda xy: np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1]))
    return None


def _text(lang: str) -> dict[str, Any]:
    return {
        "township": tr("map_township", lang),
        "village_labels": tr("map_village_labels", lang),
        "sites": tr("sites", lang),
        "chains": tr("map_chains", lang),
        "links": tr("map_links", lang),
        "orgs": tr("map_orgs", lang),
        "legend": tr("map_legend", lang),
        "group": tr("groups", lang),
        "members": tr("members", lang),
        "group_site": tr("map_group_site", lang),
        "branch_chain": tr("map_branch_chain", lang),
        "findings": tr("map_findings", lang),
        "kinds": {k: code_label(SITE_KIND_LABELS, k, lang) for k in SITE_SYMBOLS},
        "levels": {k: code_label(ORG_LEVEL_LABELS, k, lang) for k in ORG_SYMBOLS},
    }


STYLE = {
    "background": BACKGROUND,
    "township_line": TOWNSHIP_LINE,
    "village_line": VILLAGE_LINE,
    "party": PARTY_RED,
    "chain": CHAIN_COLOUR,
    "sites": {k: list(v) for k, v in SITE_SYMBOLS.items()},
    "orgs": {k: list(v) for k, v in ORG_SYMBOLS.items()},
}


def static_data(
    bundle: Bundle, lang: str, basemap: Basemap, findings: list[Finding] | None = None
) -> dict[str, Any]:
    """Everything the static map draws, as JSON-ready data (the expensive part: cache it).
    ``findings`` with a location are drawn as warning marks, so data problems show where
    they are."""
    shift = display_shift(basemap)
    sites, footprints = payload.site_layers(bundle, lang, shift)
    chains, links = payload.chain_layers(bundle, lang, shift)
    data = {
        "lang": lang,
        "text": _text(lang),
        "style": STYLE,
        "basemaps": [
            {
                "label": basemap.label(lang),
                "active": True,
                "layers": [asdict(t) for t in basemap.tiles],
            }
        ]
        if basemap.tiles
        else [],
        "township": payload.township_layer(bundle, lang, shift),
        "village_labels": payload.village_labels(bundle, lang, shift),
        "sites": sites,
        "footprints": footprints,
        "chains": chains,
        "links": links,
        "orgs": payload.org_layer(bundle, lang, shift),
        "cluster": len(bundle.sites) > CLUSTER_THRESHOLD,
        "bounds": payload.bounds(bundle, shift),
        "findings": payload.finding_layer(findings or [], lang, shift),
    }
    return data


def static_map(
    data: dict[str, Any], lang: str, basemap: Basemap, serialised: str | None = None
) -> folium.Map:
    """The map with every layer but the village fill; its content changes only with the
    data, language or basemap, so panning and selecting never remount it. Cheap: a new
    Map each run, because st_folium adds the dynamic group to the map it is given."""
    bounds = data["bounds"] or [[35.9, 105.7], [36.0, 105.8]]
    center = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    m = make_map(
        location=center,
        zoom_start=13,
        allow_remote_tiles=basemap.needs_network,
        control_scale=False,
        prefer_canvas=False,
        max_zoom=18,
        min_zoom=5,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    if data["cluster"]:
        # Loads leaflet.markercluster (served locally) without adding anything visible.
        from folium.plugins import MarkerCluster

        MarkerCluster(name="_cluster_assets", control=False).add_to(m)
    m.add_child(_AtlasStatic(serialised if serialised is not None else data_json(data)))
    FullscreenControl(
        title=tr("map_fullscreen", lang), title_cancel=tr("map_fullscreen_exit", lang)
    ).add_to(m)
    return m


def dynamic_layer(
    bundle: Bundle,
    lang: str,
    basemap: Basemap,
    *,
    choro: Choropleth | None = None,
    selection: dict[str, Any] | None = None,
    fly_to: list[list[float]] | None = None,
) -> folium.FeatureGroup:
    """Village polygons coloured by ``choro``, the highlighted selection, and where to fly."""
    shift = display_shift(basemap)
    simplify = 15.0 if len(bundle.villages) > 50 else 0.0
    villages = payload.village_features(bundle, lang, shift, simplify)
    for feat in villages:
        code = feat["properties"]["code"]
        if choro is not None:
            feat["properties"]["fill"] = choro.fills.get(code)
            feat["properties"]["value_text"] = choro.texts.get(code, "")
    legend = None
    if choro is not None:
        legend = {
            "title": choro.title,
            "rows": [{"colour": c, "label": label} for c, label in choro.rows],
        }
    data = {
        "text": _text(lang),
        "style": STYLE,
        "villages": payload._fc(villages),
        "legend": legend,
        "selection": selection,
        "fly": fly_to,
    }
    group = folium.FeatureGroup(name="atlas-dynamic", control=False)
    group.add_child(_AtlasDynamic(data))
    return group
