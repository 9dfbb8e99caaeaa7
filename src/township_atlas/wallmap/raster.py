"""Pixels for the wall map: the 300 dpi PNG print shops ask for, and the optional
underlay of local XYZ tiles (the ``local`` basemap) warped into the map frame.

The PNG is the PDF rendered by poppler's ``pdftoppm`` (Debian: poppler-utils), so it is
the same sheet, pixel for pixel, as the vector file. The underlay reads tiles from a
folder ``{z}/{x}/{y}.png`` (Web Mercator, as served to the web map) at the zoom whose
pixels are closest to the underlay's, and resamples them into the frame's transverse
Mercator, so the tiles sit under the vector layers exactly.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from township_atlas.wallmap.errors import WallMapError
from township_atlas.wallmap.frame import MapFrame

PNG_DPI = 300
#: Resolution of a tile underlay (dpi) and its largest side in pixels.
UNDERLAY_DPI = 150
UNDERLAY_MAX_PX = 4_000
TILE = 256
_EARTH = 6378137.0


def png_from_pdf(pdf: bytes, dpi: int = PNG_DPI, timeout_s: float = 600.0) -> bytes:
    """The first page of ``pdf`` as a PNG at ``dpi``, rendered by ``pdftoppm``.

    Raises
    ------
    WallMapError
        pdftoppm is not installed, or it failed (its message is quoted).
    """
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise WallMapError("wall_err_poppler")
    with tempfile.TemporaryDirectory(prefix="wallmap-") as tmp:
        source = Path(tmp) / "sheet.pdf"
        source.write_bytes(pdf)
        out = Path(tmp) / "sheet"
        try:
            subprocess.run(
                [
                    tool,
                    "-png",
                    "-r",
                    str(dpi),
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(source),
                    str(out),
                ],
                check=True,
                capture_output=True,
                timeout=timeout_s,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            raise WallMapError(
                "wall_err_render", detail=detail.decode("utf-8", "replace")[:200] or str(exc)
            ) from exc
        return (Path(tmp) / "sheet.png").read_bytes()


def tile_zooms(folder: Path) -> list[int]:
    """The zoom levels a tile folder holds (sub-folders named by a number)."""
    if not folder.is_dir():
        return []
    return sorted(int(p.name) for p in folder.iterdir() if p.is_dir() and p.name.isdigit())


def _mercator_px(lon: np.ndarray, lat: np.ndarray, zoom: int) -> tuple[np.ndarray, np.ndarray]:
    """Global pixel coordinates of lon/lat at ``zoom`` (Web Mercator, 256 px tiles)."""
    n = TILE * 2**zoom
    x = (lon + 180.0) / 360.0 * n
    lat_r = np.radians(np.clip(lat, -85.0511, 85.0511))
    y = (1.0 - np.log(np.tan(lat_r) + 1.0 / np.cos(lat_r)) / math.pi) / 2.0 * n
    return x, y


def _bilinear(coarse: np.ndarray, height: int, width: int) -> np.ndarray:
    """Upsample a smooth coarse grid (gy × gx, corners on the full grid's corners)."""
    gy, gx = coarse.shape

    def weights(n_out: int, n_in: int) -> np.ndarray:
        pos = np.linspace(0, n_in - 1, n_out)
        i0 = np.clip(np.floor(pos).astype(int), 0, n_in - 2)
        frac = pos - i0
        w = np.zeros((n_out, n_in), dtype=np.float32)
        w[np.arange(n_out), i0] = 1 - frac
        w[np.arange(n_out), i0 + 1] = frac
        return w

    return weights(height, gy) @ coarse.astype(np.float32) @ weights(width, gx).T


def tile_underlay(folder: Path, frame: MapFrame) -> bytes:
    """The frame's area from the tiles in ``folder``, as PNG bytes covering the frame.

    Raises
    ------
    WallMapError
        The folder does not exist or holds no tiles.
    """
    from PIL import Image

    zooms = tile_zooms(folder)
    if not zooms:
        raise WallMapError("wall_err_tiles", path=str(folder))
    box = frame.box
    px_per_mm = min(UNDERLAY_DPI / 25.4, UNDERLAY_MAX_PX / max(box.w, box.h))
    width, height = max(2, round(box.w * px_per_mm)), max(2, round(box.h * px_per_mm))
    # The zoom whose ground pixel is nearest the underlay's (and no finer than held).
    ground_m_per_px = frame.scale / 1000 / px_per_mm
    lat = frame.lat0
    ideal = math.log2(2 * math.pi * _EARTH * math.cos(math.radians(lat)) / TILE / ground_m_per_px)
    zoom = min(zooms, key=lambda z: (abs(z - ideal), -z))
    # Lon/lat of a coarse grid of underlay pixels, upsampled (the warp is smooth).
    gy, gx = 33, 33
    cols = np.linspace(box.x, box.right, gx)
    rows = np.linspace(box.y, box.bottom, gy)
    px, py = np.meshgrid(cols, rows)
    lon, lat_g = frame.page_to_lonlat(px.ravel(), py.ravel())
    mx, my = _mercator_px(lon.reshape(gy, gx), lat_g.reshape(gy, gx), zoom)
    fx = _bilinear(mx, height, width)
    fy = _bilinear(my, height, width)
    tx, ty = np.floor(fx / TILE).astype(np.int64), np.floor(fy / TILE).astype(np.int64)
    out = np.zeros((height * width, 4), dtype=np.uint8)
    level = folder / str(zoom)
    # Group the pixels by the tile they fall in (one read per tile).
    tx0, ty0 = int(tx.min()), int(ty.min())
    span = int(ty.max()) - ty0 + 1
    flat = ((tx - tx0) * span + (ty - ty0)).ravel()
    order = np.argsort(flat, kind="stable")
    keys, starts = np.unique(flat[order], return_index=True)
    ends = np.append(starts[1:], flat.size)
    fx, fy = fx.ravel(), fy.ravel()
    found = 0
    for key, start, end in zip(keys, starts, ends, strict=True):
        x_tile, y_tile = tx0 + int(key) // span, ty0 + int(key) % span
        path = level / str(x_tile) / f"{y_tile}.png"
        if not path.is_file():
            continue
        try:
            with Image.open(path) as img:
                tile = np.asarray(img.convert("RGBA").resize((TILE, TILE)))
        except OSError:
            continue  # an unreadable tile is left blank, as the web map would
        found += 1
        idx = order[start:end]
        ix = np.clip((fx[idx] - x_tile * TILE).astype(int), 0, TILE - 1)
        iy = np.clip((fy[idx] - y_tile * TILE).astype(int), 0, TILE - 1)
        out[idx] = tile[iy, ix]
    out = out.reshape(height, width, 4)
    if not found:
        raise WallMapError("wall_err_tiles", path=str(folder))
    buffer = io.BytesIO()
    Image.fromarray(out, "RGBA").save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
