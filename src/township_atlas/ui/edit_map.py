"""The editing map: one layer's features to click, the chosen one editable with the draw
tools, new points and areas drawn, and problems from the checks marked where they are.

Data reaches the page as JSON inside a literal script (never through a folium template,
which would compile data text as Jinja, nor through innerHTML: labels are set with
``textContent``). What comes back from the browser: the last clicked feature
(``last_active_drawing``) and the drawn/edited shapes (``all_drawings``).
"""

from __future__ import annotations

import re
from typing import Any

import folium
from folium.template import Template
from shapely.geometry import mapping
from streamlit_folium import st_folium

from township_atlas.geo.measure import bounds_of
from township_atlas.maps.build import LiteralMacro, data_json
from township_atlas.maps.display import display_frame
from township_atlas.maps.draw_plugin import add_draw
from township_atlas.maps.offline_assets import make_map
from township_atlas.model.bundle import Bundle, Finding
from township_atlas.model.schema import LAYERS_BY_NAME
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.text.numbers import TOOLTIP_CHARS, shorten
from township_atlas.views.edit_forms import DRAW_KIND

_JS = """
(function (map, editable, data) {
  function tip(layer, text) {
    var el = document.createElement('div');
    el.textContent = text;
    layer.bindTooltip(el, {sticky: true});
  }
  var ctx = L.geoJSON(data.context, {interactive: false,
    style: function () { return {color: '#8D6E63', weight: 1, fill: true,
      fillColor: '#FFF8E1', fillOpacity: 0.6}; }});
  ctx.addTo(map);
  var main = L.geoJSON(data.features, {
    style: function () { return {color: '#1565C0', weight: 2, fillOpacity: 0.15}; },
    pointToLayer: function (f, ll) {
      return L.circleMarker(ll, {radius: 7, color: '#fff', weight: 2,
        fillColor: '#1565C0', fillOpacity: 0.95});
    },
    onEachFeature: function (f, layer) { tip(layer, f.properties.label); }
  });
  main.addTo(map);
  if (data.selected) {
    var sel = L.geoJSON(data.selected, {
      style: function () { return {color: '#C8161D', weight: 3, fillOpacity: 0.1}; },
      pointToLayer: function (f, ll) { return L.marker(ll); }
    });
    sel.eachLayer(function (l) {
      l.feature = data.selected;
      tip(l, data.selected.properties.label);
      editable.addLayer(l);
    });
  }
  (data.problems || []).forEach(function (p) {
    var m = L.circleMarker([p.lat, p.lon], {radius: 11, color: '#C8161D', weight: 3,
      fill: false, dashArray: '3 3', interactive: true});
    tip(m, p.text);
    m.addTo(map);
  });
  L.control.scale({imperial: false}).addTo(map);
  if (data.bounds) { map.fitBounds(data.bounds, {padding: [20, 20]}); }
})({{ this._parent.get_name() }}, {{ this.editable.get_name() }}, {{ this.data_json }});
"""


# Leaflet.draw's own texts in Chinese; it reads L.drawLocal when its control is made.
_DRAW_ZH = """
(function (d) {
  if (!d) { return; }
  var b = d.draw.toolbar;
  b.buttons.polygon = '画面(多边形)'; b.buttons.marker = '放置点';
  b.actions.title = '取消绘制'; b.actions.text = '取消';
  b.finish.title = '完成绘制'; b.finish.text = '完成';
  b.undo.title = '删除最后画的一个点'; b.undo.text = '删除最后一点';
  var h = d.draw.handlers;
  h.marker.tooltip.start = '点击地图放置点';
  h.polygon.tooltip.start = '点击开始画面';
  h.polygon.tooltip.cont = '点击继续画';
  h.polygon.tooltip.end = '点击第一个点闭合';
  h.polyline.error = '<strong>错误:</strong>边线不能交叉!';
  var e = d.edit.toolbar;
  e.actions.save.title = '保存图形修改'; e.actions.save.text = '完成';
  e.actions.cancel.title = '放弃图形修改'; e.actions.cancel.text = '取消';
  e.buttons.edit = '移动或修改所选要素'; e.buttons.editDisabled = '请先选择一个要素';
  d.edit.handlers.edit.tooltip.text = '拖动节点或标记进行修改';
  d.edit.handlers.edit.tooltip.subtext = '点击“取消”放弃修改';
})(L.drawLocal);
"""


class _DrawLocal(LiteralMacro):
    _template = Template("{% macro script(this, kwargs) %}" + _DRAW_ZH + "{% endmacro %}")

    def __init__(self) -> None:
        super().__init__()
        self._name = "DrawLocal"


class _EditLayers(LiteralMacro):
    _template = Template("{% macro script(this, kwargs) %}" + _JS + "{% endmacro %}")

    def __init__(self, editable: folium.FeatureGroup, data: dict[str, Any]) -> None:
        super().__init__()
        self._name = "EditLayers"
        self.editable = editable
        self.data_json = data_json(data)


def _label(props: dict[str, Any], spec_name: str) -> str:
    spec = LAYERS_BY_NAME[spec_name]
    name = props.get("name_zh") or ""
    return shorten(f"{props.get(spec.id_field, '')} {name}".strip(), TOOLTIP_CHARS)


def _features(bundle: Bundle, layer: str, skip: str | None) -> list[dict[str, Any]]:
    spec = LAYERS_BY_NAME[layer]
    # The features not being edited are only shown: their display copy (simplified,
    # capped in vertices); the one being edited (``skip``) is drawn from the data.
    frame = display_frame(bundle.layer(layer), layer)
    out = []
    for row in frame.itertuples(index=False):
        fid = str(getattr(row, spec.id_field))
        if fid == skip or row.geometry is None or row.geometry.is_empty:
            continue
        props = {"fid": fid, "label": _label(row._asdict(), layer)}
        out.append({"type": "Feature", "properties": props, "geometry": mapping(row.geometry)})
    return out


def edit_map(
    bundle: Bundle,
    lang: str,
    *,
    layer: str,
    key: str,
    selected: dict[str, Any] | None = None,
    problems: list[Finding] | None = None,
    draw: bool = True,
    height: int = 520,
    on_click=None,
) -> dict[str, Any]:
    """Show the editing map and return st_folium's state for it (clicks and drawings).

    ``selected`` is the feature being edited (GeoJSON with ``properties.fid``); it is put
    into the draw tools' editable group so it can be moved or reshaped.
    """
    fid = (selected or {}).get("properties", {}).get("fid")
    context = [] if layer == "villages" else _features(bundle, "villages", None)
    features = _features(bundle, layer, fid)
    bounds = bounds_of(bundle.township.geometry) if not bundle.township.empty else None
    if selected and selected.get("geometry"):
        from shapely.geometry import shape

        b = shape(selected["geometry"]).bounds
        pad = 0.004
        bounds = (b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad)
    data = {
        "context": {"type": "FeatureCollection", "features": context},
        "features": {"type": "FeatureCollection", "features": features},
        "selected": selected,
        "problems": [
            {"lon": f.location[0], "lat": f.location[1], "text": f.message(lang)}
            for f in problems or []
            if f.location
        ],
        "bounds": [[bounds[1], bounds[0]], [bounds[3], bounds[2]]] if bounds else None,
    }
    m = make_map(location=[0, 0], zoom_start=13, max_zoom=19)
    editable = folium.FeatureGroup(name=tr("edit_editable", lang), control=False)
    editable.add_to(m)
    if draw:
        # Leaflet.draw speaks English; on the Chinese page its tooltips are translated.
        if pick(lang, True, False):
            _DrawLocal().add_to(m)
        kind = DRAW_KIND.get(layer, "any")
        draw_options = {
            "polyline": False,
            "rectangle": False,
            "circle": False,
            "circlemarker": False,
            # showArea off: Leaflet.draw 1.0.4's area readout throws under Leaflet 1.9.
            "polygon": {"showArea": False, "allowIntersection": False}
            if kind in ("polygon", "any")
            else False,
            "marker": {} if kind in ("point", "any") else False,
        }
        add_draw(
            m,
            feature_group=editable,
            show_geometry_on_click=False,
            draw_options=draw_options,
            edit_options={"poly": {"allowIntersection": False}, "remove": False},
        )
    _EditLayers(editable, data).add_to(m)
    return (
        st_folium(
            m,
            key=key,
            height=height,
            use_container_width=True,
            returned_objects=["last_active_drawing", "all_drawings"],
            on_change=on_click,
        )
        or {}
    )


_DIFF_JS = """
(function (map, data) {
  L.geoJSON(data.context, {interactive: false, style: function () {
    return {color: '#8D6E63', weight: 1, fillColor: '#FFF8E1', fillOpacity: 0.6}; }}).addTo(map);
  function add(fc, colour, dash) {
    return L.geoJSON(fc, {
      style: function () { return {color: colour, weight: 3, dashArray: dash, fillOpacity: 0.1}; },
      pointToLayer: function (f, ll) { return L.circleMarker(ll, {radius: 8, color: colour,
        weight: 3, dashArray: dash, fillOpacity: 0.3}); }
    }).addTo(map);
  }
  add(data.before, '#757575', '6 4');
  add(data.after, '#C8161D', null);
  L.control.scale({imperial: false}).addTo(map);
  if (data.bounds) { map.fitBounds(data.bounds, {padding: [30, 30], maxZoom: 16}); }
})({{ this._parent.get_name() }}, {{ this.data_json }});
"""


class _DiffLayers(LiteralMacro):
    _template = Template("{% macro script(this, kwargs) %}" + _DIFF_JS + "{% endmacro %}")

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self._name = "DiffLayers"
        self.data_json = data_json(data)


def diff_map(
    bundle: Bundle,
    before: list[dict[str, Any]],
    after: list[dict[str, Any]],
    *,
    key: str,
    height: int = 360,
) -> None:
    """Before (grey, dashed) and after (red) of changed features, on the villages."""
    from shapely.geometry import shape

    def collection(records: list[dict[str, Any]]) -> dict[str, Any]:
        feats = [
            {"type": "Feature", "properties": {}, "geometry": r["geometry"]}
            for r in records
            if r.get("geometry")
        ]
        return {"type": "FeatureCollection", "features": feats}

    geoms = [shape(r["geometry"]) for r in [*before, *after] if r.get("geometry")]
    bounds = bounds_of(geoms) if geoms else None
    data = {
        "context": {"type": "FeatureCollection", "features": _features(bundle, "villages", None)},
        "before": collection(before),
        "after": collection(after),
        "bounds": [[bounds[1], bounds[0]], [bounds[3], bounds[2]]] if bounds else None,
    }
    m = make_map(location=[0, 0], zoom_start=13, max_zoom=19)
    _DiffLayers(data).add_to(m)
    st_folium(m, key=key, height=height, use_container_width=True, returned_objects=[])


_CANDIDATES_JS = """
(function (map, data) {
  L.geoJSON(data.context, {interactive: false, style: function () {
    return {color: '#8D6E63', weight: 1, fillColor: '#FFF8E1', fillOpacity: 0.6}; }}).addTo(map);
  L.geoJSON(data.township, {interactive: false, style: function () {
    return {color: '#5D4037', weight: 3, fill: false}; }}).addTo(map);
  data.layers.forEach(function (layer) {
    L.geoJSON(layer.features, {
      style: function () { return {color: layer.colour, weight: 2, fillOpacity: 0.15}; },
      pointToLayer: function (f, ll) { return L.circleMarker(ll, {radius: 6,
        color: '#fff', weight: 1, fillColor: layer.colour, fillOpacity: 0.95}); },
      onEachFeature: function (f, l) {
        var el = document.createElement('div');
        el.textContent = layer.label;
        l.bindTooltip(el, {sticky: true});
      }
    }).addTo(map);
  });
  var legend = L.control({position: 'bottomleft'});
  legend.onAdd = function () {
    var box = document.createElement('div');
    box.className = 'atlas-candidates-legend';
    box.style.cssText = 'background:#fff;padding:6px 8px;border-radius:4px;font:12px sans-serif;'
      + 'box-shadow:0 1px 4px rgba(0,0,0,.3)';
    var title = document.createElement('div');
    title.textContent = data.title;
    title.style.fontWeight = 'bold';
    box.appendChild(title);
    data.layers.forEach(function (layer) {
      var row = document.createElement('div');
      var swatch = document.createElement('span');
      swatch.style.cssText = 'display:inline-block;width:12px;height:12px;margin-right:6px;'
        + 'vertical-align:middle;border-radius:6px';
      swatch.style.background = layer.colour;
      row.appendChild(swatch);
      row.appendChild(document.createTextNode(layer.label));
      box.appendChild(row);
    });
    return box;
  };
  legend.addTo(map);
  L.control.scale({imperial: false}).addTo(map);
  if (data.bounds) { map.fitBounds(data.bounds, {padding: [30, 30], maxZoom: 16}); }
})({{ this._parent.get_name() }}, {{ this.data_json }});
"""


class _CandidateLayers(LiteralMacro):
    _template = Template("{% macro script(this, kwargs) %}" + _CANDIDATES_JS + "{% endmacro %}")

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self._name = "CandidateLayers"
        self.data_json = data_json(data)


_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def candidates_map(
    bundle: Bundle,
    layers: list[tuple[str, str, list[dict[str, Any]]]],
    *,
    title: str,
    key: str,
    height: int = 420,
) -> None:
    """The file's features under each candidate coordinate system, one colour each with a
    legend (``layers``: label, colour, GeoJSON geometries), over the township and its
    villages. Labels are set with ``textContent``; a colour that is not ``#rrggbb`` is
    drawn grey."""
    township = [
        {"type": "Feature", "properties": {}, "geometry": mapping(g)}
        for g in bundle.township.geometry
        if g is not None and not g.is_empty
    ]
    shown = []
    for label, colour, geometries in layers:
        feats = [{"type": "Feature", "properties": {}, "geometry": g} for g in geometries if g]
        shown.append(
            {
                "label": label,
                "colour": colour if _COLOUR.match(colour or "") else "#757575",
                "features": {"type": "FeatureCollection", "features": feats},
            }
        )
    bounds = bounds_of(bundle.township.geometry) if not bundle.township.empty else None
    if bounds is None:  # no township yet: frame the candidates themselves
        from shapely.geometry import shape

        drawn = [shape(g) for _, _, geometries in layers for g in geometries if g]
        bounds = bounds_of(drawn) if drawn else None
    data = {
        "context": {"type": "FeatureCollection", "features": _features(bundle, "villages", None)},
        "township": {"type": "FeatureCollection", "features": township},
        "layers": shown,
        "title": title,
        "bounds": [[bounds[1], bounds[0]], [bounds[3], bounds[2]]] if bounds else None,
    }
    m = make_map(location=[0, 0], zoom_start=13, max_zoom=19)
    _CandidateLayers(data).add_to(m)
    st_folium(m, key=key, height=height, use_container_width=True, returned_objects=[])
