"""The map frame: the data projected to metres, a round scale 1:N, and page positions.

The data (WGS84 lon/lat) is projected to a transverse Mercator centred on the area shown
(CGCS2000's ellipsoid, scale factor 1), so distances in the frame are true at the stated
scale to better than 0.1 % across a township. The scale is the smallest of
:data:`ROUND_SCALES` at which the area (with a margin) fits the frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer

from township_atlas.wallmap.layout import Box

#: Scales a county GIS office prints at (the denominators).
ROUND_SCALES: tuple[int, ...] = (
    1_000,
    2_000,
    2_500,
    5_000,
    7_500,
    10_000,
    12_500,
    15_000,
    20_000,
    25_000,
    30_000,
    40_000,
    50_000,
    75_000,
    100_000,
    150_000,
    200_000,
    250_000,
    300_000,
    400_000,
    500_000,
    750_000,
    1_000_000,
    2_000_000,
    5_000_000,
)
#: Scale-bar lengths in metres (the longest up to a fifth of the frame is used).
BAR_STEPS_M: tuple[float, ...] = (
    50,
    100,
    200,
    250,
    500,
    1_000,
    2_000,
    2_500,
    5_000,
    10_000,
    20_000,
    25_000,
    50_000,
    100_000,
    200_000,
    500_000,
)
#: Graticule steps in degrees.
GRID_STEPS_DEG: tuple[float, ...] = (
    1 / 120,
    1 / 60,
    1 / 30,
    1 / 20,
    1 / 12,
    1 / 6,
    0.25,
    0.5,
    1.0,
    2.0,
    5.0,
)


def transverse_mercator(lon0: float, lat0: float) -> str:
    """A proj string: transverse Mercator on CGCS2000's ellipsoid centred at ``lon0``."""
    return (
        f"+proj=tmerc +lat_0={lat0:.6f} +lon_0={lon0:.6f} +k=1 +x_0=0 +y_0=0 "
        "+ellps=GRS80 +units=m +no_defs"
    )


def choose_scale(span_w_m: float, span_h_m: float, frame_w_mm: float, frame_h_mm: float) -> int:
    """The smallest round scale at which ``span`` (metres) fits a frame (millimetres)."""
    need = max(span_w_m * 1000 / frame_w_mm, span_h_m * 1000 / frame_h_mm)
    return next((s for s in ROUND_SCALES if s >= need), ROUND_SCALES[-1])


@dataclass(frozen=True)
class MapFrame:
    """Projected data placed in a box on the sheet at scale 1:``scale``.

    ``cx``, ``cy`` is the projected centre (metres) drawn at the box's centre.
    """

    box: Box
    scale: int
    lon0: float
    lat0: float
    cx: float
    cy: float

    @property
    def proj(self) -> str:
        return transverse_mercator(self.lon0, self.lat0)

    @property
    def mm_per_m(self) -> float:
        return 1000.0 / self.scale

    def transformer(self, inverse: bool = False) -> Transformer:
        a, b = "EPSG:4326", self.proj
        return (
            Transformer.from_crs(b, a, always_xy=True)
            if inverse
            else Transformer.from_crs(a, b, always_xy=True)
        )

    def to_page_xy(self, x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Projected metres → sheet millimetres (y down)."""
        k = self.mm_per_m
        px = self.box.x + self.box.w / 2 + (np.asarray(x_m) - self.cx) * k
        py = self.box.y + self.box.h / 2 - (np.asarray(y_m) - self.cy) * k
        return px, py

    def project(self, geoms) -> np.ndarray:
        """Shapely geometries in lon/lat → the same shapes in sheet millimetres."""
        fwd = self.transformer()
        k = self.mm_per_m
        ox, oy = self.box.x + self.box.w / 2, self.box.y + self.box.h / 2

        def move(coords: np.ndarray) -> np.ndarray:
            x, y = fwd.transform(coords[:, 0], coords[:, 1])
            return np.column_stack(
                [ox + (np.asarray(x) - self.cx) * k, oy - (np.asarray(y) - self.cy) * k]
            )

        return shapely.transform(np.asarray(geoms, dtype=object), move)

    def page_to_lonlat(self, px: np.ndarray, py: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sheet millimetres → lon/lat (for the graticule and a tile underlay)."""
        k = self.mm_per_m
        x = self.cx + (np.asarray(px) - self.box.x - self.box.w / 2) / k
        y = self.cy - (np.asarray(py) - self.box.y - self.box.h / 2) / k
        lon, lat = self.transformer(inverse=True).transform(x, y)
        return np.asarray(lon), np.asarray(lat)

    def lonlat_to_page(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        x, y = self.transformer().transform(np.asarray(lon, float), np.asarray(lat, float))
        return self.to_page_xy(x, y)

    @property
    def ground_w_m(self) -> float:
        return self.box.w / self.mm_per_m


def fit_frame(box: Box, bounds: tuple[float, float, float, float], pad: float = 0.04) -> MapFrame:
    """A frame in ``box`` showing lon/lat ``bounds`` (with ``pad`` of its size around)."""
    minx, miny, maxx, maxy = bounds
    lon0, lat0 = (minx + maxx) / 2, (miny + maxy) / 2
    fwd = Transformer.from_crs("EPSG:4326", transverse_mercator(lon0, lat0), always_xy=True)
    lons = np.array([minx, maxx, minx, maxx, lon0, lon0])
    lats = np.array([miny, miny, maxy, maxy, miny, maxy])
    xs, ys = fwd.transform(lons, lats)
    w = (max(xs) - min(xs)) * (1 + 2 * pad) or 100.0
    h = (max(ys) - min(ys)) * (1 + 2 * pad) or 100.0
    scale = choose_scale(w, h, box.w, box.h)
    return MapFrame(box, scale, lon0, lat0, (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)


def scale_bar_m(frame: MapFrame) -> float:
    """The scale bar's length on the ground: the longest round step up to 1/5 of the frame."""
    limit = frame.ground_w_m / 5
    return max((s for s in BAR_STEPS_M if s <= limit), default=BAR_STEPS_M[0])


def grid_step(frame: MapFrame) -> float:
    """A graticule step (degrees) giving about 3–8 lines across the frame."""
    lon, _lat = frame.page_to_lonlat(
        np.array([frame.box.x, frame.box.right]), np.array([frame.box.y + frame.box.h / 2] * 2)
    )
    span = abs(float(lon[1] - lon[0]))
    return next((s for s in GRID_STEPS_DEG if span / s <= 8), GRID_STEPS_DEG[-1])


def dms(value: float, positive: str, negative: str) -> str:
    """105.5 → "105°30′E" (seconds only when the step needs them)."""
    hemi = positive if value >= 0 else negative
    total = round(abs(value) * 3600)
    d, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{d}°{m:02d}′{s:02d}″{hemi}" if s else f"{d}°{m:02d}′{hemi}"


def scale_text(scale: int) -> str:
    """50000 → "50 000" (thin groups, as printed maps write it)."""
    return f"{scale:,}".replace(",", " ")


def metres_text(metres: float) -> tuple[float, bool]:
    """(value, in_km) for a length to write under a scale bar."""
    return (metres / 1000, True) if metres >= 1000 else (metres, False)


def round_to(value: float, step: float) -> float:
    return math.floor(value / step) * step
