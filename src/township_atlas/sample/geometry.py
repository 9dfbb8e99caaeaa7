"""The sample's geometry: a wavy township outline, villages as relaxed Voronoi cells that
tile it exactly, and placing points and small polygons inside a village (metres).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.affinity import rotate
from shapely.geometry import MultiPoint, Point, Polygon, box

from township_atlas.geo.measure import geodesic_area_m2
from township_atlas.storage.formats import COORD_DECIMALS


@dataclass
class Geometry:
    """The generated geometry, in WGS84 lon/lat."""

    township: Polygon
    villages: list[Polygon]
    seeds: list[Point]
    to_wgs84: Any
    to_metric: Any


def _outline(rng: np.random.Generator, radius: float) -> Polygon:
    angles = np.linspace(0, 2 * math.pi, 240, endpoint=False)
    r = np.ones_like(angles)
    for k in range(2, 7):
        r += rng.uniform(0.03, 0.12) / k * 2 * np.sin(k * angles + rng.uniform(0, 2 * math.pi))
    r *= radius
    # Slightly elongated east-west, as valley townships often are.
    return Polygon(np.c_[1.25 * r * np.cos(angles), 0.85 * r * np.sin(angles)])


def _lloyd_seeds(rng: np.random.Generator, outline: Polygon, n: int) -> np.ndarray:
    minx, miny, maxx, maxy = outline.bounds
    pts: list[tuple[float, float]] = []
    while len(pts) < n:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if outline.contains(Point(x, y)):
            pts.append((x, y))
    seeds = np.array(pts)
    for _ in range(12):
        cells = _cells(outline, seeds)
        seeds = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    return seeds


def _cells(outline: Polygon, seeds: np.ndarray) -> list[Polygon]:
    regions = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=outline.buffer(1000))
    cells = []
    for seed in seeds:
        p = Point(seed)
        cell = next(g for g in regions.geoms if g.contains(p))
        clipped = cell.intersection(outline)
        if clipped.geom_type != "Polygon":  # keep the piece holding the seed
            clipped = next(g for g in clipped.geoms if g.contains(p))
        cells.append(clipped)
    return cells


def _warp(rng: np.random.Generator, amplitude: float, wavelength: float):
    """A smooth displacement field with |gradient| < 1, so it keeps polygons valid."""
    phases = rng.uniform(0, 2 * math.pi, 4)

    def apply(xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0], xy[:, 1]
        dx = amplitude * np.sin(x / wavelength + phases[0]) * np.cos(y / wavelength + phases[1])
        dy = amplitude * np.cos(x / wavelength + phases[2]) * np.sin(y / wavelength + phases[3])
        return np.c_[x + dx, y + dy]

    return apply


def make_geometry(
    seed: int, n_villages: int, area_km2: float, center: tuple[float, float]
) -> Geometry:
    """Township and village polygons in WGS84 with the exact geodesic area."""
    lon0, lat0 = center
    laea = f"+proj=laea +lat_0={lat0} +lon_0={lon0} +ellps=WGS84 +units=m"
    to_wgs84 = Transformer.from_crs(laea, "EPSG:4326", always_xy=True)
    to_metric = Transformer.from_crs("EPSG:4326", laea, always_xy=True)
    rng = np.random.default_rng(seed)
    outline = _outline(rng, 1000.0)
    seeds = _lloyd_seeds(rng, outline, n_villages)
    cells = _cells(outline, seeds)
    warp = _warp(rng, amplitude=45.0, wavelength=220.0)
    cells = [shapely.transform(shapely.segmentize(c, 40.0), warp) for c in cells]
    seeds = warp(seeds)
    scale = 1.0
    for _ in range(4):

        def project(xy: np.ndarray, s: float = scale) -> np.ndarray:
            lon, lat = to_wgs84.transform(xy[:, 0] * s, xy[:, 1] * s)
            return np.round(np.c_[lon, lat], COORD_DECIMALS)

        villages = [shapely.transform(c, project) for c in cells]
        township = shapely.union_all(villages)
        area = geodesic_area_m2(township) / 1e6
        if abs(area / area_km2 - 1) < 2e-5:
            break
        scale *= math.sqrt(area_km2 / area)
    seed_pts = [Point(*project(np.array([s]))[0]) for s in seeds]
    return Geometry(township, villages, seed_pts, to_wgs84, to_metric)


def in_metres(geom, geometry: Geometry):
    """``geom`` (WGS84 lon/lat) in the local equal-area projection, metres."""
    return shapely.transform(geom, lambda xy: np.c_[geometry.to_metric.transform(*xy.T)])


def in_wgs84(geom, geometry: Geometry):
    """``geom`` (local metres) back in WGS84 lon/lat, rounded like the data files."""
    return shapely.transform(
        geom, lambda xy: np.round(np.c_[geometry.to_wgs84.transform(*xy.T)], COORD_DECIMALS)
    )


class Placer:
    """Places points and small polygons inside a village, apart from each other."""

    def __init__(self, rng: np.random.Generator, village_m: Polygon, margin: float) -> None:
        self.rng = rng
        self.inner = village_m.buffer(-margin)
        if self.inner.is_empty:
            self.inner = village_m.buffer(-margin / 4)
        self.taken: list[Point] = []

    def point(self, spacing: float = 260.0) -> Point:
        minx, miny, maxx, maxy = self.inner.bounds
        best = None
        for attempt in range(400):
            p = Point(self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy))
            if not self.inner.contains(p):
                continue
            gap = min((p.distance(t) for t in self.taken), default=1e9)
            if gap >= spacing or attempt > 300:
                best = p
                break
        best = best or self.inner.representative_point()
        self.taken.append(best)
        return best

    def rectangle(self, area_m2: float) -> Polygon:
        for _ in range(50):
            c = self.point(spacing=320.0)
            ratio = self.rng.uniform(1.2, 2.2)
            w = math.sqrt(area_m2 * ratio)
            h = area_m2 / w
            rect = rotate(
                box(c.x - w / 2, c.y - h / 2, c.x + w / 2, c.y + h / 2), self.rng.uniform(0, 180)
            )
            if self.inner.contains(rect):
                return rect
            self.taken.pop()
        # The village is too small for this base: fall back to a point.
        return self.point()
