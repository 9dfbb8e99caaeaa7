/* Township Atlas map layers. Our own code, inlined into the map script by maps/build.py.
 *
 * Safety: data arrives as JSON (a fetched file, or inline escaped by Jinja's tojson);
 * every text from the data is put into the page with textContent or as a DOM node, never
 * as an HTML string, so a name with markup or a template-string placeholder shows
 * literally and runs nothing. The only HTML strings are the symbols, serialised from DOM
 * nodes built from our own style table.
 *
 * Speed (issue #3, a county of 10,000 sites): the layers' data is fetched from a static
 * file while the map's frame, controls and empty layer groups are set up; st_folium binds
 * its click handler to the groups that exist at start-up, and clicks on what is added to
 * them later propagate to them. One icon per symbol kind, tooltips built on hover, the
 * view fitted before markers are clustered, vector layers on one canvas for large data.
 */
window.Atlas = window.Atlas || (function () {
  "use strict";
  var COLOUR = /^#[0-9a-fA-F]{6}$/;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function colour(c, fallback) { return COLOUR.test(c || "") ? c : fallback; }

  // An inline SVG symbol; shape and colour come from our style table, checked anyway.
  function symbol(shape, fill, size, glyph) {
    fill = colour(fill, "#777777");
    var s = size, h = s / 2, ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", s); svg.setAttribute("height", s);
    svg.setAttribute("viewBox", "0 0 " + s + " " + s);
    var shapeEl;
    if (shape === "square") {
      shapeEl = document.createElementNS(ns, "rect");
      shapeEl.setAttribute("x", 2); shapeEl.setAttribute("y", 2);
      shapeEl.setAttribute("width", s - 4); shapeEl.setAttribute("height", s - 4);
      shapeEl.setAttribute("rx", 2);
    } else if (shape === "circle" || shape === "disc") {
      shapeEl = document.createElementNS(ns, "circle");
      shapeEl.setAttribute("cx", h); shapeEl.setAttribute("cy", h); shapeEl.setAttribute("r", h - 2);
    } else {
      var pts;
      if (shape === "diamond") { pts = [[h, 1], [s - 1, h], [h, s - 1], [1, h]]; }
      else if (shape === "triangle") { pts = [[h, 1], [s - 1, s - 2], [1, s - 2]]; }
      else { // star
        pts = [];
        for (var i = 0; i < 10; i++) {
          var r = i % 2 ? h * 0.45 : h - 1, a = Math.PI / 5 * i - Math.PI / 2;
          pts.push([h + r * Math.cos(a), h + r * Math.sin(a) + 1]);
        }
      }
      shapeEl = document.createElementNS(ns, "polygon");
      shapeEl.setAttribute("points", pts.map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join(" "));
    }
    shapeEl.setAttribute("fill", fill);
    shapeEl.setAttribute("stroke", "#ffffff");
    shapeEl.setAttribute("stroke-width", 1.5);
    svg.appendChild(shapeEl);
    if (glyph) {
      var t = document.createElementNS(ns, "text");
      t.setAttribute("x", h); t.setAttribute("y", h + s * 0.17);
      t.setAttribute("text-anchor", "middle");
      t.setAttribute("font-size", Math.round(s * 0.5));
      t.setAttribute("font-weight", "700");
      t.setAttribute("fill", "#ffffff");
      t.textContent = glyph;
      svg.appendChild(t);
    }
    return svg;
  }

  // One icon object per kind of symbol, shared by every marker of that kind: its HTML is
  // serialised once from the DOM node (so the glyph text is escaped by the browser).
  function icon(svg, size, cls) {
    var wrap = el("div", "atlas-sym " + (cls || ""));
    wrap.appendChild(svg);
    return L.divIcon({ html: wrap.outerHTML, className: "atlas-icon", iconSize: [size, size],
                       iconAnchor: [size / 2, size / 2] });
  }

  function tip(p, T) {
    var d = el("div", "atlas-tip");
    d.appendChild(el("b", null, p.name));
    if (p.sub) { d.appendChild(el("div", null, p.sub)); }
    if (p.group) { d.appendChild(el("div", "atlas-tip-party", T.group + ": " + p.group)); }
    if (p.members !== undefined && p.members !== "" && p.members !== null) {
      d.appendChild(el("div", null, T.members + ": " + p.members));
    }
    if (p.value_text) { d.appendChild(el("div", "atlas-tip-value", p.value_text)); }
    return d;
  }

  // One tooltip for a group of features, its content built when the pointer reaches one.
  // The group's members must be features (Leaflet 1.9.3 asks each for its element).
  function groupTip(group, props, T, options) {
    group.bindTooltip(function (layer) { return tip(props(layer), T); }, options);
    return group;
  }

  function featureProps(layer) { return (layer.feature && layer.feature.properties) || {}; }

  function legendBox(title, rows, collapsed) {
    var box = el("details", "atlas-legend");
    if (!collapsed) { box.open = true; }
    box.appendChild(el("summary", null, title));
    rows.forEach(function (row) {
      var line = el("div", "atlas-legend-row");
      var sw = el("span", "atlas-legend-sym");
      sw.appendChild(row.node);
      line.appendChild(sw);
      line.appendChild(el("span", null, row.label));
      box.appendChild(line);
    });
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  }

  function swatch(fill, line, dash) {
    var ns = "http://www.w3.org/2000/svg", svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", 22); svg.setAttribute("height", 14);
    var shape;
    if (line) {
      shape = document.createElementNS(ns, "line");
      shape.setAttribute("x1", 1); shape.setAttribute("y1", 7);
      shape.setAttribute("x2", 21); shape.setAttribute("y2", 7);
      shape.setAttribute("stroke", colour(line, "#777777"));
      shape.setAttribute("stroke-width", 3);
      if (dash) { shape.setAttribute("stroke-dasharray", dash); }
    } else {
      shape = document.createElementNS(ns, "rect");
      shape.setAttribute("x", 1); shape.setAttribute("y", 1);
      shape.setAttribute("width", 20); shape.setAttribute("height", 12);
      shape.setAttribute("fill", colour(fill, "#cccccc"));
      shape.setAttribute("stroke", "#6D4C41");
    }
    svg.appendChild(shape);
    return svg;
  }

  function control(position, node) {
    var C = L.Control.extend({ onAdd: function () { return node; } });
    return new C({ position: position });
  }

  function narrow(map) { return map.getSize().x < 560; }

  // Point layers arrive as columns (lon, lat, sel and the fields of the tooltip): a tenth
  // of the bytes of GeoJSON. Each marker keeps only its selection key as its feature, which
  // is what a click returns to Python (st_folium's last_active_drawing).
  function pointMarker(cols, i, icon, pane) {
    var m = L.marker([cols.lat[i], cols.lon[i]], { icon: icon, pane: pane, riseOnHover: true,
                                                  keyboard: false });
    m.feature = { type: "Feature", properties: { sel: cols.sel[i] } };
    m._atlasRow = i;
    return m;
  }

  // Sites clustered on a pixel grid, for the current zoom and only where the map looks
  // (plus a margin): a few milliseconds per move instead of clustering every zoom level of
  // every site up front, as leaflet.markercluster does (half a second for a county). A
  // cell with one site shows that site's own marker (kept once made); a cell with more, a
  // count that zooms in when clicked. Counts sit in a plain LayerGroup: their clicks do not
  // reach the feature groups st_folium listens to, so they never rerun the page.
  var CELL_PX = 50, UNCLUSTER_ZOOM = 16;

  function clusterIcon(count) {
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    var outer = el("div"), inner = el("div");
    inner.appendChild(el("span", null, count));
    outer.appendChild(inner);
    return L.divIcon({ html: outer, className: "marker-cluster marker-cluster-" + size,
                       iconSize: [40, 40] });
  }

  function gridCluster(map, cols, markerAt, points, counts) {
    var n = cols.sel.length, shown = {}, made = new Array(n);
    function refresh() {
      if (!map.hasLayer(points)) { return; }  // the sites are switched off
      var z = map.getZoom(), b = map.getBounds().pad(0.3), cells = {}, keys = [];
      var south = b.getSouth(), north = b.getNorth(), west = b.getWest(), east = b.getEast();
      for (var i = 0; i < n; i++) {
        var la = cols.lat[i], lo = cols.lon[i];
        if (la < south || la > north || lo < west || lo > east) { continue; }
        var key;
        if (z >= UNCLUSTER_ZOOM) { key = "p" + i; } else {
          var p = map.project([la, lo], z);
          key = Math.floor(p.x / CELL_PX) + ":" + Math.floor(p.y / CELL_PX);
        }
        var c = cells[key];
        if (!c) { c = cells[key] = { n: 0, first: i, lat: 0, lon: 0, bounds: L.latLngBounds([]) }; keys.push(key); }
        c.n++; c.lat += la; c.lon += lo; c.bounds.extend([la, lo]);
      }
      var next = {};
      keys.forEach(function (key) {
        var c = cells[key], id = c.n === 1 ? "p" + c.first : z + "/" + key, layer = shown[id];
        if (!layer) {
          if (c.n === 1) {
            layer = made[c.first] = made[c.first] || markerAt(c.first);
            points.addLayer(layer);
          } else {
            layer = L.marker([c.lat / c.n, c.lon / c.n], { icon: clusterIcon(c.n), pane: "atlasSites",
                                                          keyboard: false });
            layer.on("click", (function (bounds) {
              return function () { map.fitBounds(bounds, { padding: [40, 40], maxZoom: UNCLUSTER_ZOOM }); };
            })(c.bounds));
            counts.addLayer(layer);
          }
        }
        next[id] = layer;
      });
      Object.keys(shown).forEach(function (id) {
        if (!next[id]) { (id.charAt(0) === "p" ? points : counts).removeLayer(shown[id]); }
      });
      shown = next;
    }
    map.on("moveend", refresh);
    points.on("add", refresh);
    refresh();
    return function () { map.off("moveend", refresh); points.off("add", refresh); };
  }

  // Names and symbols never hide one another (issue 18.3), worked out on the screen at
  // each zoom: symbols closer than their sizes (a village seat's committee and branch
  // discs, a base and its project) are fanned out on a small circle around where they
  // are; then each village name takes the first place near its point — on it, above,
  // below, beside — that covers no symbol and no other name (else the least covered).
  // Only the icons' margins and the labels' offsets change; the markers stay where the
  // data puts them. Skipped for clustered (county-sized) data.
  var DECLUTTER_MAX = 600, GAP = 2, COMPACT = 0.7;
  function symbolItems(state, scale) {
    var items = [];
    [state.groups.orgs, state.groups.sitePoints].forEach(function (group) {
      group.eachLayer(function (m) {
        if (!m._icon || !m.options.icon) { return; }
        var size = m.options.icon.options.iconSize[0] * scale;
        items.push({ m: m, size: size, p: m._map.latLngToLayerPoint(m.getLatLng()), dx: 0, dy: 0 });
      });
    });
    return items;
  }

  function fanOut(items) {
    var n = items.length, parent = [];
    for (var i = 0; i < n; i++) { parent.push(i); }
    function root(i) { while (parent[i] !== i) { i = parent[i] = parent[parent[i]]; } return i; }
    for (var a = 0; a < n; a++) {
      for (var b = a + 1; b < n; b++) {
        var A = items[a], B = items[b], reach = (A.size + B.size) / 2 + GAP;
        if (Math.abs(A.p.x - B.p.x) < reach && Math.abs(A.p.y - B.p.y) < reach) {
          parent[root(a)] = root(b);
        }
      }
    }
    var groups = {};
    items.forEach(function (it, k) { (groups[root(k)] = groups[root(k)] || []).push(it); });
    Object.keys(groups).forEach(function (g) {
      var members = groups[g], k = members.length;
      if (k < 2) { return; }
      members.sort(function (x, y) { return y.size - x.size; });  // the largest on top
      var cx = 0, cy = 0, big = 0;
      members.forEach(function (it) { cx += it.p.x / k; cy += it.p.y / k; big = Math.max(big, it.size); });
      var radius = (big + GAP) / (2 * Math.sin(Math.PI / k));
      members.forEach(function (it, j) {
        var angle = -Math.PI / 2 + 2 * Math.PI * j / k;
        it.dx = cx + radius * Math.cos(angle) - it.p.x;
        it.dy = cy + radius * Math.sin(angle) - it.p.y;
      });
    });
    relax(items);
    items.forEach(function (it) {
      var half = it.size / 2;
      it.m._icon.style.marginLeft = (it.dx - half) + "px";
      it.m._icon.style.marginTop = (it.dy - half) + "px";
      it.box = { x0: it.p.x + it.dx - half, y0: it.p.y + it.dy - half,
                 x1: it.p.x + it.dx + half, y1: it.p.y + it.dy + half };
    });
  }

  // What the fan-out leaves (a fanned symbol now touching a neighbour): pairs still
  // closer than their sizes are pushed apart, each by half, along the shorter way out.
  function relax(items) {
    for (var round = 0; round < 60; round++) {
      var moved = false;
      for (var a = 0; a < items.length; a++) {
        for (var b = a + 1; b < items.length; b++) {
          var A = items[a], B = items[b], reach = (A.size + B.size) / 2 + GAP;
          var dx = (B.p.x + B.dx) - (A.p.x + A.dx), dy = (B.p.y + B.dy) - (A.p.y + A.dy);
          var needX = reach - Math.abs(dx), needY = reach - Math.abs(dy);
          if (needX <= 0 || needY <= 0) { continue; }
          moved = true;
          if (needX < needY) {
            var sx = (dx < 0 ? -1 : 1) * (needX / 2 + 0.1);
            A.dx -= sx; B.dx += sx;
          } else {
            var sy = (dy < 0 ? -1 : 1) * (needY / 2 + 0.1);
            A.dy -= sy; B.dy += sy;
          }
        }
      }
      if (!moved) { return; }
    }
  }

  function overlap(a, b) {
    var w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0), h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
    return w > 0 && h > 0 ? w * h : 0;
  }

  function placeLabels(map, state, symbols) {
    var taken = symbols.map(function (it) { return it.box; });
    // A name pushed out of the visible map would be lost: spots outside weigh heavily.
    var tl = map.containerPointToLayerPoint([0, 0]), box0 = map.getContainer();
    var view = { x0: tl.x, y0: tl.y, x1: tl.x + box0.clientWidth, y1: tl.y + box0.clientHeight };
    var sized = box0.clientWidth > 0 && box0.clientHeight > 0;
    // The map's own controls (legend, zoom, layers, scale) sit above everything: a name
    // under one would be hidden, so their boxes count as taken.
    var frameBox = box0.getBoundingClientRect();
    Array.prototype.forEach.call(box0.querySelectorAll(".leaflet-control"), function (c) {
      var r = c.getBoundingClientRect();
      if (!r.width || !r.height) { return; }
      var at = map.containerPointToLayerPoint([r.left - frameBox.left, r.top - frameBox.top]);
      taken.push({ x0: at.x, y0: at.y, x1: at.x + r.width, y1: at.y + r.height });
    });
    state.groups.labels.eachLayer(function (m) {
      var tag = m._icon && m._icon.firstChild;
      if (!tag) { return; }
      // As wide as its text (a block would take its wrapper's width, which varies).
      tag.style.display = "inline-block";
      tag.style.transform = "translate(-50%, -50%)";
      var r = tag.getBoundingClientRect(), w = r.width + 6, h = r.height + 6;  // 3 px clear all round
      var p = map.latLngToLayerPoint(m.getLatLng()), best = null;
      // On the point, then rings further out; on each ring above first, then below and the
      // sides (16 directions), so the nearest free spot wins.
      var candidates = [[0, 0]], order = [0, 8, 4, 12, 2, 14, 6, 10, 1, 15, 3, 13, 5, 11, 7, 9];
      [6, 12, 18, 26, 34, 44, 56, 70, 86, 104, 124].forEach(function (ring) {
        order.forEach(function (k) {
          var a = -Math.PI / 2 + k * Math.PI / 8, cos = Math.cos(a), sin = Math.sin(a);
          candidates.push([cos * (ring * 1.5 + w / 2 * Math.abs(cos)),
                           sin * (ring + h / 2 * Math.abs(sin))]);
        });
      });
      for (var c = 0; c < candidates.length; c++) {
        var dx = candidates[c][0], dy = candidates[c][1];
        var box = { x0: p.x + dx - w / 2, y0: p.y + dy - h / 2, x1: p.x + dx + w / 2, y1: p.y + dy + h / 2 };
        var cost = sized ? 100 * ((box.x1 - box.x0) * (box.y1 - box.y0) - overlap(box, view)) : 0;
        for (var t = 0; t < taken.length; t++) { cost += overlap(box, taken[t]); }
        if (!best || cost < best.cost) { best = { cost: cost, dx: dx, dy: dy, box: box }; }
        if (cost === 0) { break; }
      }
      tag.style.transform = "translate(calc(-50% + " + best.dx + "px), calc(-50% + " + best.dy + "px))";
      taken.push(best.box);
    });
  }

  function declutter(map, state) {
    if (state.C.cluster || !map._loaded) { return; }
    // A phone-wide map shows the whole township in ~350 px: symbols at 70 % leave the
    // names room (CSS .atlas-compact in maps/build.py).
    var compact = narrow(map), container = map.getContainer();
    container.classList.toggle("atlas-compact", compact);
    var items = symbolItems(state, compact ? COMPACT : 1);
    if (items.length > DECLUTTER_MAX) { return; }
    fanOut(items);
    placeLabels(map, state, items);
    map.getContainer().setAttribute("data-atlas-placed", String(map.getZoom()));
  }

  function villageStyle(state) {
    var S = state.C.style;
    return function (f) {
      var fill = state.fills[f.properties.code];
      return { color: S.village_line, weight: 1.5, fillColor: colour(fill, "#FBF7EF"),
               fillOpacity: fill ? 0.72 : 0.55 };
    };
  }

  // Timeline marks for bench/ (performance.getEntriesByType("mark") in the map's frame).
  function mark(name) { if (window.performance && performance.mark) { performance.mark(name); } }

  function markReady(map) {
    mark("atlas-ready");
    window.atlasReady = true;
    map.getContainer().setAttribute("data-atlas-ready", "1");
  }

  // The layers from the data: added to the groups that build() put on the map.
  function fill(map, state, D) {
    mark("atlas-data");
    var C = state.C, T = C.text, S = C.style, G = state.groups;
    // Large data: every vector layer on one canvas (one canvas, so none hides another's
    // clicks); draw order is the order added. Small data: SVG, one per pane.
    var canvas = C.canvas ? L.canvas({ pane: "atlasVillages", padding: 0.5 }) : null;
    function vec(options) { if (canvas) { options.renderer = canvas; } return options; }

    G.township.addLayer(L.geoJSON(D.township, vec({
      pane: "atlasVillages", interactive: false,
      style: function () { return { color: S.township_line, weight: 3.5, fill: false }; }
    })));
    state.villages = L.geoJSON(D.villages, vec({ pane: "atlasVillages", style: villageStyle(state) }));
    groupTip(state.villages, function (layer) {
      var p = featureProps(layer);
      return { name: p.name, sub: p.sub, value_text: state.values[p.code] };
    }, T, { sticky: true });
    G.villages.addLayer(state.villages);

    G.labels.clearLayers();
    D.village_labels.features.forEach(function (f) {
      var c = f.geometry.coordinates;
      var tag = el("div", "atlas-village-label", f.properties.name);
      G.labels.addLayer(L.marker([c[1], c[0]], { icon: L.divIcon({ html: tag, className: "atlas-label-icon",
                                 iconSize: null }), interactive: false, pane: "atlasLabels", keyboard: false }));
    });

    G.footprints.addLayer(groupTip(L.geoJSON(D.footprints, vec({
      pane: "atlasFootprints",
      style: function (f) {
        var c = (S.sites[f.properties.kind] || ["circle", "#777777"])[1];
        return { color: colour(c, "#777777"), weight: 1.5, fillOpacity: 0.18 };
      }
    })), featureProps, T, { sticky: true }));

    G.chains.addLayer(groupTip(L.geoJSON(D.chains, vec({
      pane: "atlasChains",
      style: function () { return { color: S.chain, weight: 5, opacity: 0.55, lineCap: "round" }; }
    })), featureProps, T, { sticky: true }));
    G.links.addLayer(L.geoJSON(D.links, vec({
      pane: "atlasLinks", interactive: false,
      style: function (f) {
        return f.properties.kind === "branch_chain"
          ? { color: S.party, weight: 2, dashArray: "2 6", opacity: 0.9 }
          : { color: S.party, weight: 2, dashArray: "6 4", opacity: 0.9 };
      }
    })));

    var orgs = D.orgs, orgIcons = {};
    Object.keys(S.orgs).forEach(function (k) {
      var o = S.orgs[k];
      orgIcons[k] = icon(symbol("disc", S.party, o[2], C.lang === "zh" ? o[0] : o[1].charAt(0)), o[2], "atlas-org");
    });
    var fallbackOrg = icon(symbol("disc", S.party, 18, ""), 18, "atlas-org");
    for (var i = 0; i < orgs.sel.length; i++) {
      G.orgs.addLayer(pointMarker(orgs, i, orgIcons[orgs.level[i]] || fallbackOrg, "atlasOrgs"));
    }

    if (D.findings && D.findings.features.length) {
      var warn = { error: icon(symbol("triangle", "#C62828", 26, "!"), 26),
                   warning: icon(symbol("triangle", "#F9A825", 26, "!"), 26) };
      G.findings.addLayer(groupTip(L.geoJSON(D.findings, {
        pointToLayer: function (f, latlng) {
          return L.marker(latlng, { icon: f.properties.severity === "error" ? warn.error : warn.warning,
                                    pane: "atlasLabels", interactive: true, keyboard: false });
        }
      }), function (layer) { return { name: featureProps(layer).name }; }, T));
    }

    var sites = D.sites, kinds = sites.kinds, siteIcons = kinds.map(function (k) {
      var sym = S.sites[k] || ["circle", "#777777"];
      return icon(symbol(sym[0], sym[1], 20), 20);
    });
    var otherSite = icon(symbol("circle", "#777777", 20), 20);  // a kind not in the table
    var siteAt = function (i) {
      return pointMarker(sites, i, siteIcons[sites.kind[i]] || otherSite, "atlasSites");
    };
    state.data = D;
    if (state.dyn) { apply(map, state); }
    if (C.cluster) {
      state.clusterOff = gridCluster(map, sites, siteAt, G.sitePoints, G.counts);
    } else {
      for (var k = 0; k < sites.sel.length; k++) { G.sitePoints.addLayer(siteAt(k)); }
    }
    declutter(map, state);
    // The first placement can come before Leaflet's style sheet (st_folium adds it late)
    // and the fonts, with names and controls measured unstyled: placed again whenever a
    // control changes size — styled, or the legend folded and unfolded — and when the
    // fonts are in.
    var again = function () { declutter(map, state); };
    if (window.ResizeObserver && !state.controlsSeen) {
      state.controlsSeen = new ResizeObserver(again);
      Array.prototype.forEach.call(map.getContainer().querySelectorAll(".leaflet-control"),
                                   function (c) { state.controlsSeen.observe(c); });
    }
    if (document.fonts && document.fonts.ready) { document.fonts.ready.then(again); }
    markReady(map);
  }

  // Fitting a view needs the map's size: the component's frame starts hidden (height 0)
  // and Leaflet would compute a NaN centre ("Invalid LatLng object"). Wait until sized.
  function whenSized(map, fit) {
    var size = map.getSize();
    if (size.x > 0 && size.y > 0) { fit(); return; }
    map.once("resize", function () { whenSized(map, fit); });
  }

  // Filling the window (the home map, ui/map_view.py): the page's CSS sizes our frame to
  // calc(100dvh - --atlas-fill-top); here that top is measured — where the frame starts in
  // the page, below the title and controls, at any window size — and the map is made as
  // tall as the frame. Leaflet follows the frame's later size changes itself (trackResize).
  // A frame that is not in a fill box (or not reachable) keeps st_folium's fixed height.
  var FILL_BOX = '[class*="st-key-atlas_fill"]';
  function fillFrame(map) {
    var frame = null;
    try { frame = window.frameElement; } catch (e) { frame = null; }
    if (!frame || !frame.closest || !frame.closest(FILL_BOX)) { return; }
    var measure = function () {
      var top = frame.getBoundingClientRect().top, node = frame.parentElement;
      for (; node; node = node.parentElement) { top += node.scrollTop || 0; }
      var root = frame.ownerDocument.documentElement;
      root.style.setProperty("--atlas-fill-top", Math.round(top + 12) + "px");
    };
    document.documentElement.style.height = "100%";
    document.body.style.margin = "0";
    document.body.style.overflow = "hidden";  // no scroll bar inside the frame
    // Only the map's own element: st_folium lays out two maps side by side ("double") as
    // soon as its second, unused div is given a size.
    map.getContainer().style.height = "100vh";
    measure();
    map.invalidateSize({ animate: false });
    var parentWindow = frame.ownerDocument.defaultView;
    parentWindow.addEventListener("resize", measure);
    // What is above the map (a notice, the search box) can change height after a rerun.
    if (parentWindow.ResizeObserver) {
      new parentWindow.ResizeObserver(measure).observe(frame.ownerDocument.body);
    }
    map.getContainer().setAttribute("data-atlas-fill", "1");
  }

  function failed(map, T) {
    var box = control("topright", el("div", "atlas-legend", T.data_failed)).addTo(map);
    map.getContainer().setAttribute("data-atlas-failed", "1");
    if (map._atlas) { map._atlas.failedBox = box; }
  }

  // A newer version of the data (saved in another session, or by QGIS): fetched and drawn
  // into the same groups, keeping the view; the map is not rebuilt (maps/build.py).
  function reload(map, state, url) {
    state.url = url;
    fetch(new URL(url, document.baseURI).href, { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error("map data: HTTP " + r.status); }
        return r.json();
      })
      .then(function (D) {
        if (state.url !== url) { return; }  // a still newer one is on its way
        if (state.clusterOff) { state.clusterOff(); state.clusterOff = null; }
        // A tooltip open on an old feature would stay on the screen (Leaflet closes a
        // group's tooltip when the group leaves the map, not when its members do): close
        // every pointer tooltip, whichever layer opened it.
        map.eachLayer(function (layer) {
          if (layer instanceof L.Tooltip && !layer.options.permanent) { map.removeLayer(layer); }
        });
        Object.keys(state.groups).forEach(function (k) { state.groups[k].clearLayers(); });
        if (state.failedBox) { map.removeControl(state.failedBox); state.failedBox = null; }
        map.getContainer().removeAttribute("data-atlas-failed");
        fill(map, state, D);
        map.getContainer().setAttribute("data-atlas-version", url);
      }, function (err) {
        if (!state.failedBox) { failed(map, state.C.text); }
        throw err;
      });
  }

  // The frame: panes, basemap, view, controls, legend and the (empty) layer groups, so
  // that st_folium finds them at start-up. ``inline``: the layers' data, when it is not
  // fetched from C.data_url (maps/build.py says when).
  function build(map, C, inline) {
    mark("atlas-build");
    var T = C.text, S = C.style;
    var load = null;
    if (!inline) {  // started already by the prefetch script (maps/datafile.py), if it ran
      var url = new URL(C.data_url, document.baseURI).href, pre = window.atlasPrefetch;
      load = pre && pre.url === url ? pre.response : fetch(url, { credentials: "same-origin" });
    }
    var container = map.getContainer();
    container.style.background = S.background;
    fillFrame(map);
    ["atlasVillages", "atlasFootprints", "atlasChains", "atlasLinks", "atlasSites",
     "atlasOrgs", "atlasLabels", "atlasSelection"].forEach(function (name, i) {
      var pane = map.createPane(name);
      pane.style.zIndex = 400 + i * 10;
      if (name === "atlasLabels") { pane.style.pointerEvents = "none"; }
    });
    if (C.bounds) { whenSized(map, function () { map.fitBounds(C.bounds, { padding: [12, 12], animate: false }); }); }

    var bases = {}, first = null;
    C.basemaps.forEach(function (b) {
      var layers = b.layers.map(function (t) {
        return L.tileLayer(t.url, { attribution: t.attribution, subdomains: t.subdomains || "abc",
                                    maxZoom: t.max_zoom || 18, maxNativeZoom: t.max_native_zoom || 18 });
      });
      var group = L.layerGroup(layers);
      bases[b.label] = group;
      if (b.active) { first = group; }
    });
    if (first) { first.addTo(map); }

    var G = {
      township: L.featureGroup(), villages: L.featureGroup(), labels: L.layerGroup(),
      footprints: L.featureGroup(), sitePoints: L.featureGroup(), counts: L.layerGroup(),
      chains: L.featureGroup(), links: L.featureGroup(), orgs: L.featureGroup(),
      findings: L.featureGroup()
    };
    var siteGroup = L.featureGroup([G.footprints, G.sitePoints, G.counts]);
    var sitesOf = function (layer) {
      var D = state.data, i = layer._atlasRow, s = D.sites;
      return { name: s.name[i], sub: T.kinds[s.kinds[s.kind[i]]], group: s.group[i] };
    };
    groupTip(G.sitePoints, sitesOf, T, { direction: "top", offset: [0, -8] });
    groupTip(G.orgs, function (layer) {
      var o = state.data.orgs, i = layer._atlasRow;
      return { name: o.name[i], sub: o.sub[i], members: o.members[i] };
    }, T, { direction: "top", offset: [0, -10] });

    var overlays = {};
    overlays[T.township] = G.township.addTo(map);
    G.villages.addTo(map);
    overlays[T.village_labels] = G.labels.addTo(map);
    overlays[T.sites] = siteGroup.addTo(map);
    overlays[T.chains] = G.chains.addTo(map);
    overlays[T.links] = G.links.addTo(map);
    overlays[T.orgs] = G.orgs.addTo(map);
    if (C.findings) { overlays[T.findings] = G.findings.addTo(map); }

    L.control.layers(bases, overlays, { collapsed: true, position: "topright" }).addTo(map);
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);

    var rows = [];
    Object.keys(S.sites).forEach(function (k) {
      rows.push({ node: symbol(S.sites[k][0], S.sites[k][1], 16), label: T.kinds[k] });
    });
    Object.keys(S.orgs).forEach(function (k) {
      rows.push({ node: symbol("disc", S.party, 16, C.lang === "zh" ? S.orgs[k][0] : S.orgs[k][1].charAt(0)), label: T.levels[k] });
    });
    rows.push({ node: swatch(null, S.party, "6 4"), label: T.group_site });
    rows.push({ node: swatch(null, S.party, "2 6"), label: T.branch_chain });
    rows.push({ node: swatch(null, S.chain), label: T.chains });
    control("bottomright", legendBox(T.legend, rows, narrow(map))).addTo(map);

    map.on("load resize moveend zoomend viewreset overlayadd overlayremove", function () { if (state.data) { declutter(map, state); } });
    var state = map._atlas = { C: C, groups: G, data: null, dyn: null, fills: {}, values: {},
                               villages: null, selectionRenderer: null, url: C.data_url || null,
                               clusterOff: null, failedBox: null };
    if (inline) {
      fill(map, state, inline);
    } else {
      load.then(function (r) {
        if (!r.ok) { throw new Error("map data: HTTP " + r.status); }
        return r.json();
      }).then(function (D) { fill(map, state, D); }, function (err) {
        failed(map, T);
        throw err;
      });
    }
  }

  // Colours and value texts of the villages: restyled in place when the data is there.
  function apply(map, state) {
    var D = state.dyn;
    state.fills = D.fills || {};
    state.values = D.values || {};
    if (state.villages) { state.villages.setStyle(villageStyle(state)); }
  }

  // The village colours (choropleth), their legend and the selection: replaced on every
  // change through st_folium's feature_group_to_add, without reloading the map.
  function dynamic(group, map, D) {
    var state = map._atlas;
    if (!state) { return; }
    state.dyn = D;
    apply(map, state);
    if (D.data_url && D.data_url !== state.url) { reload(map, state, D.data_url); }
    if (D.selection) {
      // Its own SVG above the markers; a few features, never clicked.
      state.selectionRenderer = state.selectionRenderer || L.svg({ pane: "atlasSelection" });
      var sel = L.geoJSON(D.selection, {
        pane: "atlasSelection", interactive: false, renderer: state.selectionRenderer,
        style: function () { return { color: "#0D47A1", weight: 4, fill: false, dashArray: null }; },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 16, color: "#0D47A1", weight: 4, fill: false,
                                          pane: "atlasSelection", interactive: false,
                                          renderer: state.selectionRenderer });
        }
      });
      group.addLayer(sel);
    }
    var legend = null;
    if (D.legend) {
      var rows = D.legend.rows.map(function (r) { return { node: swatch(r.colour), label: r.label }; });
      legend = control("bottomleft", legendBox(D.legend.title, rows, narrow(map)));
    }
    group.on("add", function () { if (legend) { legend.addTo(map); } });
    group.on("remove", function () { if (legend) { map.removeControl(legend); } });
    if (D.fly) { whenSized(map, function () { map.flyToBounds(D.fly, { padding: [40, 40], maxZoom: 16, duration: 0.6 }); }); }
  }

  return { build: build, dynamic: dynamic, el: el, symbol: symbol };
})();
