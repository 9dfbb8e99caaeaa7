"""Build the township map: a static folium map (layers, legend, controls) and a dynamic
feature group (village colours, selection) that st_folium swaps without a reload."""

from __future__ import annotations

import json
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

import folium
import numpy as np
from branca.element import Element
from folium.template import Template
from jinja2.utils import htmlsafe_json_dumps

from township_atlas.geo.china_shifts import wgs84_to_gcj02
from township_atlas.maps import payload
from township_atlas.maps.basemaps import Basemap
from township_atlas.maps.choropleth import Choropleth
from township_atlas.maps.datafile import prefetch_url
from township_atlas.maps.display import display_bundle
from township_atlas.maps.offline_assets import FullscreenControl, make_map
from township_atlas.maps.style import (
    BACKGROUND,
    CHAIN_COLOUR,
    ORG_SYMBOLS,
    PARTY_RED,
    SITE_SYMBOLS,
    TOWNSHIP_LINE,
    VILLAGE_LINE,
)
from township_atlas.model.bundle import Bundle, Finding
from township_atlas.model.schema import ORG_LEVEL_LABELS, SITE_KIND_LABELS, code_label
from township_atlas.text.labels import tr

# Above this many sites the markers are clustered and the vector layers drawn on one
# canvas (a county has thousands of sites).
CLUSTER_THRESHOLD = 300
# With more villages than this (a county), their outlines are simplified for display.
SIMPLIFY_ABOVE_VILLAGES = 50
SIMPLIFY_M = 15.0
# What the map script carries; the layers travel in a file (or inline, see static_map).
CONFIG_KEYS = ("lang", "text", "style", "basemaps", "cluster", "canvas", "bounds")
LAYER_KEYS = (
    "township",
    "villages",
    "village_labels",
    "sites",
    "footprints",
    "chains",
    "links",
    "orgs",
    "findings",
)

CSS = """<style>
.atlas-icon{background:none;border:none}
.atlas-sym svg{display:block;filter:drop-shadow(0 1px 1px rgba(0,0,0,.35))}
.atlas-compact .atlas-sym svg{transform:scale(.7)}
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
.marker-cluster{background-clip:padding-box;border-radius:20px}
.marker-cluster div{width:30px;height:30px;margin-left:5px;margin-top:5px;text-align:center;
 border-radius:15px;font:12px "Helvetica Neue",Arial,Helvetica,sans-serif}
.marker-cluster span{line-height:30px}
.marker-cluster-small{background-color:rgba(181,226,140,.6)}
.marker-cluster-small div{background-color:rgba(110,204,57,.6)}
.marker-cluster-medium{background-color:rgba(241,211,87,.6)}
.marker-cluster-medium div{background-color:rgba(240,194,12,.6)}
.marker-cluster-large{background-color:rgba(253,156,115,.6)}
.marker-cluster-large div{background-color:rgba(241,128,23,.6)}
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


class LiteralMacro(folium.MacroElement):
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


class _AtlasStatic(LiteralMacro):
    _template = Template(
        "{% macro header(this, kwargs) %}" + CSS + "{% endmacro %}"
        "{% macro script(this, kwargs) %}{{ this.js }}\n"
        "Atlas.build({{ this._parent.get_name() }}, {{ this.config_json }}"
        "{% if this.layers_json %}, {{ this.layers_json }}{% endif %});{% endmacro %}"
    )

    def __init__(self, config_json: str, layers_json: str | None) -> None:
        super().__init__()
        self._name = "AtlasStatic"
        self.config_json = config_json
        self.layers_json = layers_json
        self.js = _atlas_js()


def data_json(data: dict[str, Any]) -> str:
    """JSON safe to put inside a <script> (``<``, ``>``, ``&``, ``'`` escaped, as Jinja's
    tojson does). Serialising a county takes a while: cache it with the data."""
    return str(htmlsafe_json_dumps(data))


def layers_file(data: dict[str, Any]) -> bytes:
    """The layers of ``data`` (from :func:`static_data`) as the bytes of a JSON file that
    the browser fetches: UTF-8, no HTML escaping (it is parsed with JSON.parse, never put
    into a page)."""
    layers = {k: data[k] for k in LAYER_KEYS}
    return json.dumps(layers, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def layers_inline(data: dict[str, Any]) -> str:
    """The layers of ``data`` as JSON safe to put inside the map's <script>."""
    return data_json({k: data[k] for k in LAYER_KEYS})


class _AtlasDynamic(LiteralMacro):
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
        "data_failed": tr("map_data_failed", lang),
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
    """Everything the static map draws, as JSON-ready data (the expensive part: cache it):
    the settings in ``CONFIG_KEYS`` and the layers in ``LAYER_KEYS``. ``findings`` with a
    location are drawn as warning marks, so data problems show where they are. Sites and
    organisations are columns (see :func:`payload.point_columns`); with many villages their
    outlines are simplified to ``SIMPLIFY_M`` for display. Drawn from the display copy of
    ``bundle`` (:func:`township_atlas.maps.display.display_bundle`): every outline
    simplified and capped in vertices, names shortened; ``bundle`` itself is untouched."""
    shift = display_shift(basemap)
    bundle = display_bundle(bundle)
    sites, footprints = payload.site_layers(bundle, lang, shift)
    chains, links = payload.chain_layers(bundle, lang, shift)
    large = len(bundle.sites) > CLUSTER_THRESHOLD
    simplify = SIMPLIFY_M if len(bundle.villages) > SIMPLIFY_ABOVE_VILLAGES else 0.0
    kinds = list(SITE_SYMBOLS)
    site_columns = payload.point_columns(sites, ("sel", "name", "group", "kind"))
    site_columns["kinds"] = kinds
    site_columns["kind"] = [kinds.index(k) if k in kinds else -1 for k in site_columns["kind"]]
    return {
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
        "cluster": large,
        "canvas": large,
        "bounds": payload.bounds(bundle, shift),
        "township": payload.township_layer(bundle, lang, shift),
        "villages": payload.feature_collection(
            payload.village_features(bundle, lang, shift, simplify)
        ),
        "village_labels": payload.village_labels(bundle, lang, shift),
        "sites": site_columns,
        "footprints": footprints,
        "chains": chains,
        "links": links,
        "orgs": payload.point_columns(
            payload.org_layer(bundle, lang, shift), ("sel", "level", "name", "sub", "members")
        ),
        "findings": payload.finding_layer(findings or [], lang, shift),
    }


def static_map(
    data: dict[str, Any],
    lang: str,
    basemap: Basemap,
    serialised: str | None = None,
    *,
    data_url: str | None = None,
) -> folium.Map:
    """The map with every layer; its content changes only with the data, language or
    basemap, so panning and selecting never remount it. Cheap: a new Map each run, because
    st_folium adds the dynamic group to the map it is given.

    With ``data_url`` the script carries only the settings and the browser fetches the
    layers from that URL (a file written by :mod:`township_atlas.maps.datafile`), so the
    page's message stays small and a click does not send the layers again. Without it the
    layers are inside the script: ``serialised`` (from :func:`layers_inline`, cached by
    the caller) or serialised here.
    """
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
    # Nothing on our map uses jQuery (folium's popups do): one script less to load. With a
    # data file, its download starts first (st_folium loads these scripts in order).
    m.default_js = [(name, url) for name, url in m.default_js if name != "jquery"]
    if data_url:
        m.default_js.insert(0, ("atlas_prefetch", prefetch_url(data_url)))
    config = {k: data[k] for k in CONFIG_KEYS}
    config["findings"] = len(data["findings"]["features"])
    config["data_url"] = data_url
    layers = None if data_url else (serialised or layers_inline(data))
    m.add_child(_AtlasStatic(data_json(config), layers))
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
    data_url: str | None = None,
) -> folium.FeatureGroup:
    """Village colours and value texts from ``choro``, the highlighted selection, and where
    to fly: small, so a click's rerun sends little. The village outlines are static."""
    legend = None
    if choro is not None:
        legend = {
            "title": choro.title,
            "rows": [{"colour": c, "label": label} for c, label in choro.rows],
        }
    data = {
        "fills": dict(choro.fills) if choro is not None else {},
        "values": dict(choro.texts) if choro is not None else {},
        "legend": legend,
        "selection": selection,
        "fly": fly_to,
        # The current layers' file: when it is newer than the one the map was built with,
        # the map fetches it and redraws in place (no remount, the view is kept).
        "data_url": data_url,
    }
    group = folium.FeatureGroup(name="atlas-dynamic", control=False)
    group.add_child(_AtlasDynamic(data))
    return group
