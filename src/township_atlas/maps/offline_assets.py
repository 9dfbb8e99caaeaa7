"""Offline map assets: copy Leaflet & co. from pip packages and point folium at the copies.

folium loads Leaflet, jQuery, Bootstrap, Font Awesome and plugins from public CDNs, and
streamlit-folium stops at the first script that fails, so offline the map is an empty box.
Third-party files are never committed: :func:`install_assets` copies them at start-up from the
XStatic packages into ``static/vendor/<name>-<version>/`` and :func:`localize_map` points maps
at those copies.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
from branca.colormap import ColorMap
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from folium.template import Template

from township_atlas.errors import AtlasError
from township_atlas.text.bilingual import pick

# Relative, not "/app/static/...": the map runs in the component iframe at
# <base>/component/streamlit_folium.st_folium/index.html, so "../../" reaches the app root
# and keeps working when server.baseUrlPath serves the app below a prefix.
LOCAL_ASSET_URL_PREFIX = "../../app/static/vendor"


@dataclass(frozen=True)
class AssetSpec:
    """One XStatic package and the files (or folders) we take from its ``BASE_DIR``."""

    name: str
    pip_name: str
    files: tuple[str, ...]

    @property
    def module(self) -> str:
        return "xstatic.pkg." + self.name.replace("-", "_")


# jQuery stays: folium.Popup builds its content with $(...), GeoJson(embed=False) uses $.ajax.
ASSETS: tuple[AssetSpec, ...] = (
    AssetSpec("leaflet", "XStatic-Leaflet", ("leaflet.js", "leaflet.css", "images")),
    AssetSpec("jquery", "XStatic-jQuery", ("jquery.min.js",)),
    AssetSpec(
        "leaflet-markercluster",
        "XStatic-Leaflet-MarkerCluster",
        ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"),
    ),
)
# folium's link names -> (asset, file); any other external link makes localize_map refuse.
_LOCAL_LINKS = {
    "leaflet": ("leaflet", "leaflet.js"),
    "leaflet_css": ("leaflet", "leaflet.css"),
    "jquery": ("jquery", "jquery.min.js"),
    "markerclusterjs": ("leaflet-markercluster", "leaflet.markercluster.js"),
    "markerclustercss": ("leaflet-markercluster", "MarkerCluster.css"),
    "markerclusterdefaultcss": ("leaflet-markercluster", "MarkerCluster.Default.css"),
}
# Our symbols are SVG/DivIcon/CircleMarker, so folium's Bootstrap, glyphicons, Font Awesome
# and awesome-markers links ("bootstrap_css", "awesome_markers_font_css", ...) all go.
_DROPPED_LINK = re.compile(r"^(bootstrap|glyphicons|awesome)")
_EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


@dataclass(frozen=True)
class AssetStatus:
    """One asset after installing; ``reason`` is None when present (see ``_REASONS``)."""

    spec: AssetSpec
    version: str | None
    reason: str | None = None  # "not_installed" | "broken_package" | "copy_failed"
    detail: str = ""
    copied: int = 0  # files written this time; 0 when the copy was already up to date

    @property
    def present(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class AssetReport:
    """Result of :func:`install_assets`: one :class:`AssetStatus` per asset."""

    static_dir: Path
    assets: tuple[AssetStatus, ...]

    @property
    def ok(self) -> bool:
        return all(a.present for a in self.assets)

    @property
    def missing(self) -> tuple[AssetStatus, ...]:
        return tuple(a for a in self.assets if not a.present)


class AssetsMissingError(AtlasError):
    """An XStatic package the map needs is not installed."""


def _package(spec: AssetSpec) -> Any:
    return importlib.import_module(spec.module)


def _copy_atomic(src: Path, dest: Path) -> None:
    # Temp file in the same folder, then os.replace: another process or a browser request
    # never sees a half-written file, and concurrent writers all write the same bytes.
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out, src.open("rb") as inp:
            shutil.copyfileobj(inp, out)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; these are public web files
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _install_one(spec: AssetSpec, vendor: Path) -> AssetStatus:
    try:
        pkg = _package(spec)
    except ImportError as exc:
        return AssetStatus(spec, None, "not_installed", str(exc))
    version, base = str(pkg.VERSION), Path(pkg.BASE_DIR)
    sources: list[Path] = []
    for rel in spec.files:
        if not (src := base / rel).exists():
            return AssetStatus(spec, version, "broken_package", str(src))
        sources += sorted(p for p in src.rglob("*") if p.is_file()) if src.is_dir() else [src]
    target, copied = vendor / f"{spec.name}-{version}", 0
    try:
        for src in sources:
            dest = target / src.relative_to(base)
            # The version is in the folder name, so an equal size means the same file.
            if not dest.is_file() or dest.stat().st_size != src.stat().st_size:
                dest.parent.mkdir(parents=True, exist_ok=True)
                _copy_atomic(src, dest)
                copied += 1
    except OSError as exc:
        return AssetStatus(spec, version, "copy_failed", f"{target} ({exc.strerror or exc})")
    return AssetStatus(spec, version, copied=copied)


def install_assets(static_dir: Path, specs: tuple[AssetSpec, ...] = ASSETS) -> AssetReport:
    """Copy the map's third-party files into ``static_dir/vendor/<name>-<version>/``.

    Parameters
    ----------
    static_dir : Path
        The ``static/`` folder next to the main script (``server.enableStaticServing``).
    specs : tuple of AssetSpec, optional
        What to install; by default everything the map needs.

    Returns
    -------
    AssetReport
        Present/missing per asset. Never raises for a missing package or unwritable folder.
        Cheap when the copies are already there; safe to run from several processes at once.
    """
    vendor = Path(static_dir) / "vendor"
    return AssetReport(Path(static_dir), tuple(_install_one(s, vendor) for s in specs))


def asset_url(name: str, file: str) -> str:
    """Local URL of ``file`` of asset ``name``; raises AssetsMissingError if not installed."""
    spec = next(s for s in ASSETS if s.name == name)
    try:
        version = _package(spec).VERSION
    except ImportError:
        raise AssetsMissingError(
            f"缺少 Python 包 {spec.pip_name},地图无法显示。",
            f"The Python package {spec.pip_name} is missing; the map cannot be shown.",
        ) from None
    return f"{LOCAL_ASSET_URL_PREFIX}/{spec.name}-{version}/{file}"


def local_path(url: str, static_dir: Path) -> Path | None:
    """The file under ``static_dir`` a local asset URL points at, or None if it is not ours."""
    if not url.startswith(LOCAL_ASSET_URL_PREFIX + "/"):
        return None
    return Path(static_dir) / "vendor" / url[len(LOCAL_ASSET_URL_PREFIX) + 1 :]


def _walk(el: Element) -> Iterator[Element]:
    yield el
    for child in list(el._children.values()):
        yield from _walk(child)


def external_urls(m: folium.Map) -> list[str]:
    """Script, stylesheet and tile URLs of ``m`` (and its layers) on another host."""
    found: list[str] = []
    for el in _walk(m):
        links = [u for _, u in [*getattr(el, "default_js", []), *getattr(el, "default_css", [])]]
        if isinstance(el, ColorMap):  # streamlit-folium adds d3 from CDNs for these
            links.append("https://d3js.org/d3.v4.min.js")
        if isinstance(el, folium.TileLayer):
            links.append(el.tiles)
        found += [u for u in links if _EXTERNAL.match(u) and u not in found]
    return found


class _LocalLeafletSetup(MacroElement):
    # Leaflet guesses the marker-image folder from leaflet.css, which streamlit-folium adds
    # right before the map script runs, often before it has loaded; so state it up front.
    _template = Template(
        "{% macro script(this, kwargs) %}"
        "L.Icon.Default.imagePath = {{ this.image_path|tojson }};{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "LocalLeafletSetup"
        self.image_path = asset_url("leaflet", "images/")


class FullscreenControl(MacroElement):
    """Fullscreen button on the browser Fullscreen API (folium's plugin comes from a CDN).

    Not shown where fullscreen is not allowed; Streamlit's component iframe allows it.
    """

    _template = Template("""{% macro header(this, kwargs) %}<style>
.atlas-fullscreen a{display:flex;align-items:center;justify-content:center}
.leaflet-container:fullscreen{width:100%!important;height:100%!important}</style>{% endmacro %}
{% macro script(this, kwargs) %}(function (map) {
  var d = document, el = map.getContainer();
  if (!d.fullscreenEnabled) { return; }
  var titles = [{{ this.title|tojson }}, {{ this.title_cancel|tojson }}];
  var Ctl = L.Control.extend({ onAdd: function () {
    var bar = L.DomUtil.create("div", "leaflet-bar leaflet-control atlas-fullscreen");
    var a = L.DomUtil.create("a", "", bar);
    a.href = "#"; a.setAttribute("role", "button");
    a.innerHTML = '<svg width="16" height="16" viewBox="0 0 16 16" fill="none" stroke=' +
      '"currentColor" stroke-width="2"><path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5"/></svg>';
    var sync = function () {
      a.title = titles[d.fullscreenElement === el ? 1 : 0];
      a.setAttribute("aria-label", a.title);
      map.invalidateSize();
    };
    sync();
    L.DomEvent.disableClickPropagation(bar);
    L.DomEvent.on(a, "click", function (e) {
      L.DomEvent.preventDefault(e);
      if (d.fullscreenElement === el) { d.exitFullscreen(); } else { el.requestFullscreen(); }
    });
    L.DomEvent.on(d, "fullscreenchange", sync);
    return bar;
  }});
  new Ctl({ position: {{ this.position|tojson }} }).addTo(map);
})({{ this._parent.get_name() }});{% endmacro %}""")

    def __init__(
        self, position: str = "topleft", title: str = "全屏", title_cancel: str = "退出全屏"
    ) -> None:
        super().__init__()
        self._name = "FullscreenControl"
        self.position, self.title, self.title_cancel = position, title, title_cancel


def localize_map(m: folium.Map, *, allow_remote_tiles: bool = False) -> folium.Map:
    """Make ``m`` and everything on it load only local assets; idempotent, returns ``m``.

    Call it after the last layer or plugin is added (a :func:`make_map` map does this itself
    on every render). Raises ValueError if anything would still come from another host (e.g.
    folium.plugins.Fullscreen, folium.Icon, a branca colormap, remote tiles unless allowed),
    and AssetsMissingError if an XStatic package is not installed.
    """
    for el in _walk(m):
        if type(el) is folium.Icon:  # its subclass CustomIcon is a plain L.icon, that's fine
            raise ValueError("folium.Icon needs awesome-markers from a CDN; use a DivIcon.")
        for attr in ("default_js", "default_css"):
            if links := getattr(el, attr, None):  # a list of our own: folium's class list is shared
                kept = [(n, u) for n, u in links if not _DROPPED_LINK.match(n)]
                setattr(el, attr, [(n, _local(n) or u) for n, u in kept])
    tiles = {el.tiles for el in _walk(m) if isinstance(el, folium.TileLayer)}
    if remote := [u for u in external_urls(m) if not (allow_remote_tiles and u in tiles)]:
        raise ValueError(f"map would load from other hosts: {remote}")
    root = m.get_root()
    if isinstance(root, Figure):  # drop CDN links an earlier render left in the page header
        for name, el in list(root.header._children.items()):
            if isinstance(el, (JavascriptLink, CssLink)) and _EXTERNAL.match(el.url):
                del root.header._children[name]
    if not tiles:  # a map without tile layers has no maxZoom, and MarkerCluster throws then
        m.options.setdefault("max_zoom", 18)
    if not any(isinstance(c, _LocalLeafletSetup) for c in m._children.values()):
        m.add_child(_LocalLeafletSetup(), index=0)
    return m


def _local(link_name: str) -> str | None:
    return asset_url(*_LOCAL_LINKS[link_name]) if link_name in _LOCAL_LINKS else None


class _LocalMap(folium.Map):
    # streamlit-folium renders the map before it reads the links, so localizing here also
    # covers plugins added after make_map().
    allow_remote_tiles = False

    def render(self, **kwargs: Any) -> None:
        localize_map(self, allow_remote_tiles=self.allow_remote_tiles)
        super().render(**kwargs)


def make_map(*, allow_remote_tiles: bool = False, **kwargs: Any) -> folium.Map:
    """A ``folium.Map`` (``tiles=None`` unless given) that localizes itself on every render.

    Keyword arguments go to ``folium.Map``; layers and plugins may be added afterwards.
    """
    m = _LocalMap(**{"tiles": None, **kwargs})
    m.allow_remote_tiles = allow_remote_tiles
    return m


_REASONS = {  # reason code -> (zh, en)
    "not_installed": ("未安装 Python 包 {pip}", "Python package {pip} is not installed"),
    "broken_package": ("Python 包 {pip} 缺少文件", "Python package {pip} is missing files"),
    "copy_failed": ("无法复制到 {detail}", "could not copy into {detail}"),
}


def missing_assets_message(report: AssetReport, lang: str = "zh") -> str:
    """A plain message naming the missing map assets and what to do; "" if none is missing.

    Parameters
    ----------
    report : AssetReport
        From :func:`install_assets`.
    lang : str
        "zh" or "en".
    """
    if report.ok:
        return ""
    k = pick(lang, 0, 1)
    what = "; ".join(
        a.spec.name + ": " + _REASONS[a.reason][k].format(pip=a.spec.pip_name, detail=a.detail)
        for a in report.missing
        if a.reason
    )
    pips = " ".join(sorted({a.spec.pip_name for a in report.missing if a.reason != "copy_failed"}))
    todo: list[tuple[str, str]] = []
    if pips:
        cmd = f"python -m pip install --force-reinstall {pips}"
        todo.append(
            (f"按 README 重新安装(或运行 {cmd})", f"reinstall as the README says (or run {cmd})")
        )
    if any(a.reason == "copy_failed" for a in report.missing):
        todo.append(
            (
                f"确认 {report.static_dir / 'vendor'} 可写",
                f"make sure {report.static_dir / 'vendor'} is writable",
            )
        )
    if k == 0:
        return (
            f"地图组件缺失,地图无法显示({what})。请{',并'.join(t[0] for t in todo)},然后重启应用。"
        )
    return (
        f"Map components are missing, so the map can't be shown ({what}). "
        f"Please {', and '.join(t[1] for t in todo)}, then restart the app."
    )
