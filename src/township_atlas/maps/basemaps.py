"""Basemap providers. The default draws no tiles at all, so the map works offline.

Tile URLs come from xyzservices where it has the provider (OpenStreetMap, AMap/Gaode);
Tianditu needs a token (setting ``TOWNSHIP_ATLAS_TIANDITU_TOKEN``). AMap tiles are in
GCJ-02, so our WGS84 overlays are shifted for display when it is chosen (see geo/china_shifts.py).
A local folder of XYZ tiles under ``static/tiles`` is served by the app itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import xyzservices.providers as xyz

from township_atlas.text.bilingual import Labelled

LOCAL_TILES_URL = "../../app/static/tiles/{z}/{x}/{y}.png"


@dataclass(frozen=True)
class TileSpec:
    url: str
    attribution: str
    subdomains: str = "abc"
    max_zoom: int = 18
    max_native_zoom: int = 18


@dataclass(frozen=True)
class Basemap(Labelled):
    """A choice of background: zero or more tile layers and the CRS they are drawn in."""

    key: str
    label_zh: str
    label_en: str
    tiles: tuple[TileSpec, ...] = field(default_factory=tuple)
    display_crs: str = "wgs84"  # "gcj02" for Chinese commercial maps
    needs_network: bool = False
    needs_token: bool = False


def _tianditu(layer: str, token: str) -> TileSpec:
    # Web-Mercator ("_w") WMTS tiles; t0–t7 are equivalent hosts.
    url = (
        f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
        f"&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
        f"&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={token}"
    )
    return TileSpec(url, "&copy; 天地图 Tianditu", subdomains="01234567", max_zoom=18)


def _xyz(provider) -> TileSpec:
    # xyzservices lists AMap over http; its hosts serve https too, and a page served over
    # https may not load http tiles (mixed content).
    return TileSpec(
        provider.build_url().replace("http://", "https://", 1),
        provider.html_attribution,
        max_zoom=int(provider.get("max_zoom", 18)),
        max_native_zoom=int(provider.get("max_zoom", 18)),
    )


def available_basemaps(tianditu_token: str = "", local_tiles: Path | None = None) -> list[Basemap]:
    """Every basemap the user may choose, the offline one first."""
    osm = xyz.OpenStreetMap.Mapnik
    amap = xyz.Gaode.Normal
    amap_sat = xyz.Gaode.Satellite
    maps = [
        Basemap("none", "无底图(离线)", "No tiles (offline)"),
        Basemap("osm", "OpenStreetMap", "OpenStreetMap", (_xyz(osm),), needs_network=True),
        Basemap("amap", "高德地图", "AMap", (_xyz(amap),), display_crs="gcj02", needs_network=True),
        Basemap(
            "amap_sat",
            "高德影像",
            "AMap imagery",
            (_xyz(amap_sat),),
            display_crs="gcj02",
            needs_network=True,
        ),
        Basemap(
            "tianditu_vec",
            "天地图矢量",
            "Tianditu vector",
            (_tianditu("vec", tianditu_token), _tianditu("cva", tianditu_token)),
            needs_network=True,
            needs_token=True,
        ),
        Basemap(
            "tianditu_img",
            "天地图影像",
            "Tianditu imagery",
            (_tianditu("img", tianditu_token), _tianditu("cia", tianditu_token)),
            needs_network=True,
            needs_token=True,
        ),
    ]
    if local_tiles is not None and local_tiles.is_dir():
        maps.append(
            Basemap(
                "local",
                "本地瓦片",
                "Local tiles",
                (TileSpec(LOCAL_TILES_URL, "本地瓦片 / local tiles", subdomains=""),),
            )
        )
    return [m for m in maps if not (m.needs_token and not tianditu_token)]
