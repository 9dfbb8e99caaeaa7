/* Township Atlas map layers. Our own code, inlined into the map script by maps/build.py.
 *
 * Safety: data arrives as JSON (escaped by Jinja's tojson); every text from the data is put
 * into the page with textContent or as a DOM node, never as an HTML string, so a name with
 * markup or a template-string placeholder shows literally and runs nothing.
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

  function icon(svg, size, cls) {
    var wrap = el("div", "atlas-sym " + (cls || ""));
    wrap.appendChild(svg);
    return L.divIcon({ html: wrap, className: "atlas-icon", iconSize: [size, size],
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

  // The static layers: everything except the village fill and the selection.
  function build(map, D) {
    var T = D.text, S = D.style;
    var container = map.getContainer();
    container.style.background = S.background;
    ["atlasVillages", "atlasFootprints", "atlasChains", "atlasLinks", "atlasSites",
     "atlasOrgs", "atlasLabels", "atlasSelection"].forEach(function (name, i) {
      var pane = map.createPane(name);
      pane.style.zIndex = 400 + i * 10;
      if (name === "atlasLabels") { pane.style.pointerEvents = "none"; }
    });

    var bases = {}, first = null;
    D.basemaps.forEach(function (b) {
      var layers = b.layers.map(function (t) {
        return L.tileLayer(t.url, { attribution: t.attribution, subdomains: t.subdomains || "abc",
                                    maxZoom: t.max_zoom || 18, maxNativeZoom: t.max_native_zoom || 18 });
      });
      var group = L.layerGroup(layers);
      bases[b.label] = group;
      if (b.active) { first = group; }
    });
    if (first) { first.addTo(map); }

    var overlays = {};
    var township = L.geoJSON(D.township, {
      pane: "atlasVillages", interactive: false,
      style: function () { return { color: S.township_line, weight: 3.5, fill: false }; }
    }).addTo(map);
    overlays[T.township] = township;

    var labels = L.layerGroup(D.village_labels.features.map(function (f) {
      var c = f.geometry.coordinates;
      var tag = el("div", "atlas-village-label", f.properties.name);
      return L.marker([c[1], c[0]], { icon: L.divIcon({ html: tag, className: "atlas-label-icon",
                                      iconSize: null }), interactive: false, pane: "atlasLabels",
                                      keyboard: false });
    })).addTo(map);
    overlays[T.village_labels] = labels;

    var footprints = L.geoJSON(D.footprints, {
      pane: "atlasFootprints",
      style: function (f) {
        var c = (S.sites[f.properties.kind] || ["circle", "#777777"])[1];
        return { color: colour(c, "#777777"), weight: 1.5, fillOpacity: 0.18 };
      },
      onEachFeature: function (f, layer) { layer.bindTooltip(tip(f.properties, T), { sticky: true }); }
    });
    var sitePoints = L.geoJSON(D.sites, {
      pointToLayer: function (f, latlng) {
        var sym = S.sites[f.properties.kind] || ["circle", "#777777"];
        return L.marker(latlng, { icon: icon(symbol(sym[0], sym[1], 20), 20), pane: "atlasSites",
                                  riseOnHover: true, keyboard: false });
      },
      onEachFeature: function (f, layer) { layer.bindTooltip(tip(f.properties, T), { direction: "top", offset: [0, -8] }); }
    });
    var sites;
    if (D.cluster && L.markerClusterGroup) {
      sites = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false,
                                     maxClusterRadius: 45, disableClusteringAtZoom: 16 });
      sites.addLayers(sitePoints.getLayers());
    } else {
      sites = sitePoints;
    }
    var siteGroup = L.featureGroup([footprints, sites]).addTo(map);
    overlays[T.sites] = siteGroup;

    var chains = L.geoJSON(D.chains, {
      pane: "atlasChains",
      style: function () { return { color: S.chain, weight: 5, opacity: 0.55, lineCap: "round" }; },
      onEachFeature: function (f, layer) { layer.bindTooltip(tip(f.properties, T), { sticky: true }); }
    }).addTo(map);
    overlays[T.chains] = chains;

    var links = L.geoJSON(D.links, {
      pane: "atlasLinks", interactive: false,
      style: function (f) {
        return f.properties.kind === "branch_chain"
          ? { color: S.party, weight: 2, dashArray: "2 6", opacity: 0.9 }
          : { color: S.party, weight: 2, dashArray: "6 4", opacity: 0.9 };
      }
    }).addTo(map);
    overlays[T.links] = links;

    var orgs = L.geoJSON(D.orgs, {
      pointToLayer: function (f, latlng) {
        var o = S.orgs[f.properties.level] || ["", "", 18];
        return L.marker(latlng, { icon: icon(symbol("disc", S.party, o[2], D.lang === "zh" ? o[0] : o[1].charAt(0)), o[2], "atlas-org"),
                                  pane: "atlasOrgs", riseOnHover: true, keyboard: false });
      },
      onEachFeature: function (f, layer) { layer.bindTooltip(tip(f.properties, T), { direction: "top", offset: [0, -10] }); }
    }).addTo(map);
    overlays[T.orgs] = orgs;

    if (D.findings && D.findings.features.length) {
      var problems = L.geoJSON(D.findings, {
        pointToLayer: function (f, latlng) {
          var fill = f.properties.severity === "error" ? "#C62828" : "#F9A825";
          return L.marker(latlng, { icon: icon(symbol("triangle", fill, 26, "!"), 26), pane: "atlasLabels",
                                    interactive: true, keyboard: false });
        },
        onEachFeature: function (f, layer) { layer.bindTooltip(tip({ name: f.properties.name }, T)); }
      }).addTo(map);
      overlays[T.findings] = problems;
    }

    L.control.layers(bases, overlays, { collapsed: true, position: "topright" }).addTo(map);
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);

    var rows = [];
    Object.keys(S.sites).forEach(function (k) {
      rows.push({ node: symbol(S.sites[k][0], S.sites[k][1], 16), label: T.kinds[k] });
    });
    Object.keys(S.orgs).forEach(function (k) {
      rows.push({ node: symbol("disc", S.party, 16, D.lang === "zh" ? S.orgs[k][0] : S.orgs[k][1].charAt(0)), label: T.levels[k] });
    });
    rows.push({ node: swatch(null, S.party, "6 4"), label: T.group_site });
    rows.push({ node: swatch(null, S.party, "2 6"), label: T.branch_chain });
    rows.push({ node: swatch(null, S.chain), label: T.chains });
    control("bottomright", legendBox(T.legend, rows, narrow(map))).addTo(map);

    if (D.bounds) { map.fitBounds(D.bounds, { padding: [12, 12] }); }
    window.atlasReady = true;
    container.setAttribute("data-atlas-ready", "1");
  }

  // The village fill (choropleth), its legend and the selection: replaced on every change
  // through st_folium's feature_group_to_add, without reloading the map.
  function dynamic(group, map, D) {
    var T = D.text;
    var villages = L.geoJSON(D.villages, {
      pane: "atlasVillages",
      style: function (f) {
        return { color: D.style.village_line, weight: 1.5, fillColor: colour(f.properties.fill, "#FBF7EF"),
                 fillOpacity: f.properties.fill ? 0.72 : 0.55 };
      },
      onEachFeature: function (f, layer) { layer.bindTooltip(tip(f.properties, T), { sticky: true }); }
    });
    group.addLayer(villages);
    if (D.selection) {
      var sel = L.geoJSON(D.selection, {
        pane: "atlasSelection", interactive: false,
        style: function () { return { color: "#0D47A1", weight: 4, fill: false, dashArray: null }; },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 16, color: "#0D47A1", weight: 4, fill: false,
                                          pane: "atlasSelection", interactive: false });
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
    if (D.fly) { map.flyToBounds(D.fly, { padding: [40, 40], maxZoom: 16, duration: 0.6 }); }
  }

  return { build: build, dynamic: dynamic, el: el, symbol: symbol };
})();
