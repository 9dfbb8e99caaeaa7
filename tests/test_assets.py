"""Offline map assets: copying from XStatic packages and maps that load only local files."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import branca.colormap
import folium
import pytest
from folium.plugins import Fullscreen, MarkerCluster

from township_atlas.maps import offline_assets as A

POLYGON = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "村"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[120.0, 30.0], [120.1, 30.0], [120.1, 30.1], [120.0, 30.0]]],
            },
        }
    ],
}
EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


class _Links(HTMLParser):
    """Collects <script src> and <link href> of a rendered page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        url = a.get("src") if tag == "script" else a.get("href") if tag == "link" else None
        if url:
            self.urls.append(url)


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.urls


def _files(root: Path) -> dict[Path, bytes]:
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _full_map() -> folium.Map:
    m = A.make_map(location=[30.05, 120.05], zoom_start=12, control_scale=True)
    cluster = MarkerCluster().add_to(m)
    folium.Marker([30.05, 120.05], popup="点").add_to(cluster)
    folium.GeoJson(POLYGON, tooltip=folium.GeoJsonTooltip(["name"])).add_to(m)
    A.FullscreenControl().add_to(m)
    return m


def test_install_copies_files(tmp_path: Path) -> None:
    report = A.install_assets(tmp_path / "static")
    assert report.ok, report
    assert {a.spec.name for a in report.assets} == {s.name for s in A.ASSETS}
    assert all(a.copied > 0 and a.version for a in report.assets)
    vendor = tmp_path / "static" / "vendor"
    leaflet = next(a for a in report.assets if a.spec.name == "leaflet")
    folder = vendor / f"leaflet-{leaflet.version}"
    for name in ("leaflet.js", "leaflet.css", "images/marker-icon.png", "images/layers.png"):
        assert (folder / name).stat().st_size > 0
    assert not list(vendor.rglob("*.tmp"))


def test_install_is_idempotent_and_repairs(tmp_path: Path) -> None:
    A.install_assets(tmp_path)
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    again = A.install_assets(tmp_path)
    assert again.ok and all(a.copied == 0 for a in again.assets)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()} == before
    # A truncated copy (e.g. a disk that filled up) is noticed by its size and replaced.
    js = next(tmp_path.rglob("leaflet.js"))
    good = js.read_bytes()
    js.write_bytes(good[:100])
    assert sum(a.copied for a in A.install_assets(tmp_path).assets) == 1
    assert js.read_bytes() == good


def test_install_concurrently(tmp_path: Path) -> None:
    reference = tmp_path / "ref"
    A.install_assets(reference)
    with ThreadPoolExecutor(max_workers=6) as pool:
        reports = list(pool.map(A.install_assets, [tmp_path / "shared"] * 6))
    assert all(r.ok for r in reports)
    assert _files(tmp_path / "shared") == _files(reference)


def test_localized_map_loads_only_installed_local_files(tmp_path: Path) -> None:
    A.install_assets(tmp_path)
    m = _full_map()
    html = m.get_root().render()
    urls = _links(html)
    assert urls, "expected script and stylesheet links"
    assert [u for u in urls if EXTERNAL.match(u)] == []
    for url in urls:
        path = A.local_path(url, tmp_path)
        assert path is not None and path.is_file(), url
    # Leaflet first: the plugins extend L when they load.
    scripts = [u for u in urls if u.endswith(".js")]
    assert scripts[0].endswith("/leaflet.js")
    assert not re.search(r"bootstrap|awesome|fontawesome|glyphicons", html, re.IGNORECASE)
    # streamlit-folium reads default_js/default_css itself instead of the page header.
    assert A.external_urls(m) == []
    image_path = re.search(r'L\.Icon\.Default\.imagePath = "([^"]+)"', html)
    assert image_path and A.local_path(image_path[1] + "marker-icon.png", tmp_path).is_file()
    assert html.index("L.Icon.Default.imagePath") < html.index("L.marker(")
    assert "requestFullscreen" in html and "L.control.scale()" in html
    assert "tile_layer" not in html
    # folium's own class-level lists are left alone for other maps.
    assert folium.Map.default_js[0][1].startswith("https://")


def test_localize_plain_folium_map() -> None:
    m = folium.Map(tiles=None)
    MarkerCluster().add_to(m)
    assert A.external_urls(m)
    assert A.localize_map(A.localize_map(m)) is m
    assert A.external_urls(m) == []
    assert m.options["max_zoom"] == 18  # MarkerCluster throws on a map without maxZoom
    setups = [c for c in m._children.values() if isinstance(c, A._LocalLeafletSetup)]
    assert len(setups) == 1 and next(iter(m._children.values())) is setups[0]


def test_remote_tiles_need_permission() -> None:
    with pytest.raises(ValueError, match="openstreetmap"):
        A.localize_map(folium.Map())
    m = A.localize_map(folium.Map(), allow_remote_tiles=True)
    assert "max_zoom" not in m.options
    assert A.make_map(tiles="OpenStreetMap", allow_remote_tiles=True).get_root().render()


@pytest.mark.parametrize(
    ("add", "match"),
    [
        (lambda m: Fullscreen().add_to(m), "fullscreen"),
        (lambda m: folium.Marker([30, 120], icon=folium.Icon()).add_to(m), "awesome-markers"),
        (lambda m: branca.colormap.LinearColormap(["red", "blue"]).add_to(m), "d3"),
    ],
    ids=["cdn-fullscreen", "awesome-icon", "colormap-d3"],
)
def test_remote_plugins_are_refused(add, match: str) -> None:
    m = A.make_map()
    add(m)  # added after make_map: the map still checks itself when rendered
    with pytest.raises(ValueError, match=match):
        m.get_root().render()


def test_custom_and_div_icons_are_fine(tmp_path: Path) -> None:
    svg = tmp_path / "village.svg"  # CustomIcon embeds a local file as a data: URL
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    m = A.make_map()
    folium.Marker([30, 120], icon=folium.CustomIcon(str(svg))).add_to(m)
    folium.Marker([30, 120], icon=folium.DivIcon(html="<svg></svg>")).add_to(m)
    assert "L.icon(" in m.get_root().render()


def test_message_for_missing_package(tmp_path: Path) -> None:
    ghost = A.AssetSpec("ghost", "XStatic-Ghost", ("g.js",))  # xstatic.pkg.ghost: not there
    report = A.install_assets(tmp_path, (*A.ASSETS, ghost))
    assert not report.ok
    assert [(a.spec.name, a.reason) for a in report.missing] == [("ghost", "not_installed")]
    zh = A.missing_assets_message(report, "zh")
    en = A.missing_assets_message(report, "en")
    assert "XStatic-Ghost" in zh and "README" in zh and "地图" in zh
    assert "XStatic-Ghost" in en and "README" in en and "pip install" in en
    assert "leaflet" not in en.lower()
    assert A.missing_assets_message(A.install_assets(tmp_path), "zh") == ""


def test_message_for_unwritable_folder(tmp_path: Path) -> None:
    (tmp_path / "vendor").write_text("not a folder")
    report = A.install_assets(tmp_path)
    assert {a.reason for a in report.missing} == {"copy_failed"}
    assert "writable" in A.missing_assets_message(report, "en")
    assert "可写" in A.missing_assets_message(report, "zh")


def test_missing_package_at_map_time(monkeypatch: pytest.MonkeyPatch) -> None:
    def gone(spec: A.AssetSpec) -> None:
        raise ImportError(spec.module)

    monkeypatch.setattr(A, "_package", gone)
    with pytest.raises(A.AssetsMissingError) as info:
        A.localize_map(folium.Map(tiles=None))
    assert "XStatic-Leaflet" in info.value.message("zh")
