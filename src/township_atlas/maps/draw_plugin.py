"""The map drawing tools (Leaflet.draw), fetched once from the npm registry and served locally.

Leaflet.draw is what folium's ``plugins.Draw`` and streamlit-folium's drawing support use,
but it is packaged only on npm. We never commit it: the first start (or
``python -m township_atlas.maps.draw_plugin``) downloads the exact pinned tarball, checks its
npm integrity hash (sha512), and extracts only ``dist/`` into ``static/vendor/``. A tarball
brought on a USB stick works the same way (``--from FILE``). When neither happened, the
editing page says so and still offers everything but drawing.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import os
import sys
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import folium
from folium.plugins import Draw

from township_atlas.errors import AtlasError
from township_atlas.text.bilingual import Messaged

NAME = "leaflet-draw"
VERSION = "1.0.4"
INTEGRITY = "sha512-rsQ6saQO5ST5Aj6XRFylr5zvarWgzWnrg46zQ1MEOEIHsppdC/8hnN8qMoFvACsPvTioAuysya/TVtog15tyAQ=="
TARBALL = f"{NAME}/-/{NAME}-{VERSION}.tgz"
DEFAULT_REGISTRY = "https://registry.npmjs.org"
# What we take from the tarball (paths inside it), nothing else.
FILES = (
    "package/dist/leaflet.draw.js",
    "package/dist/leaflet.draw.css",
    "package/dist/images/spritesheet.png",
    "package/dist/images/spritesheet-2x.png",
    "package/dist/images/spritesheet.svg",
)
MAX_TARBALL_BYTES = 5_000_000
URL_PREFIX = "../../app/static/vendor"


class DrawAssetsError(AtlasError):
    """The drawing tools could not be installed."""


@dataclass(frozen=True)
class DrawStatus(Messaged):
    ready: bool
    folder: Path
    message_zh: str = ""
    message_en: str = ""


def folder(static_dir: Path) -> Path:
    return Path(static_dir) / "vendor" / f"{NAME}-{VERSION}"


def installed(static_dir: Path) -> bool:
    target = folder(static_dir)
    return all((target / f.removeprefix("package/dist/")).is_file() for f in FILES)


def check_integrity(data: bytes) -> None:
    algo, _, expected = INTEGRITY.partition("-")
    digest = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if digest != expected:
        raise DrawAssetsError(
            f"下载的 {NAME}-{VERSION} 与登记的完整性校验值不符,已拒绝使用(可能被篡改或下载不完整)。",
            f"The downloaded {NAME}-{VERSION} does not match its pinned integrity hash; "
            "refused (tampered with or incomplete).",
        )


def _registry() -> str:
    from township_atlas import settings

    return (settings.get("npm_registry") or DEFAULT_REGISTRY).rstrip("/")


def download(timeout: float = 15.0) -> bytes:
    url = f"{_registry()}/{TARBALL}"
    if not url.startswith(("https://", "http://")):
        raise DrawAssetsError("npm 镜像地址必须以 https:// 开头。", "The npm mirror must be a URL.")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            data = resp.read(MAX_TARBALL_BYTES + 1)
    except OSError as exc:
        raise DrawAssetsError(
            f"无法从 {url} 下载绘图工具({exc})。请在联网时运行 "
            "python -m township_atlas.maps.draw_plugin,或用 --from 指定已下载的文件。",
            f"Could not download the drawing tools from {url} ({exc}). Run "
            "python -m township_atlas.maps.draw_plugin while online, or give a downloaded "
            "file with --from.",
        ) from exc
    if len(data) > MAX_TARBALL_BYTES:
        raise DrawAssetsError("下载的文件过大,已拒绝。", "The download is too large; refused.")
    return data


def install_from_bytes(data: bytes, static_dir: Path) -> Path:
    """Check ``data`` (the npm tarball) against the pinned hash and extract our files."""
    check_integrity(data)
    target = folder(static_dir)
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for name in FILES:
            member = tar.getmember(name)
            if not member.isfile():
                raise DrawAssetsError(f"{name} 不是普通文件。", f"{name} is not a regular file.")
            content = tar.extractfile(member).read()
            dest = target / name.removeprefix("package/dist/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as out:
                out.write(content)
            os.chmod(tmp, 0o644)
            os.replace(tmp, dest)
    return target


def ensure(static_dir: Path, *, fetch: bool = True) -> DrawStatus:
    """Install the drawing tools if they are not yet; never raises."""
    target = folder(static_dir)
    if installed(static_dir):
        return DrawStatus(True, target)
    if not fetch:
        return DrawStatus(False, target, *_missing_texts("not fetched"))
    try:
        install_from_bytes(download(), static_dir)
    except (DrawAssetsError, tarfile.TarError, KeyError, OSError) as exc:
        detail = exc.message("en") if isinstance(exc, AtlasError) else str(exc)
        return DrawStatus(False, target, *_missing_texts(detail))
    return DrawStatus(True, target)


def _missing_texts(detail: str) -> tuple[str, str]:
    return (
        "地图绘图工具(Leaflet.draw)尚未安装,因此暂时不能在地图上画点和面;"
        "其他编辑(表单、坐标输入、表格、导入)照常可用。请在联网时运行 "
        "`python -m township_atlas.maps.draw_plugin` 一次(或用 --from 指定离线文件)。"
        f"原因:{detail}",
        "The map drawing tools (Leaflet.draw) are not installed, so points and areas "
        "cannot be drawn on the map for now; forms, coordinates, tables and import work. "
        "Run `python -m township_atlas.maps.draw_plugin` once while online (or --from a "
        f"downloaded file). Reason: {detail}",
    )


class LocalDraw(Draw):
    """folium's Draw control with Leaflet.draw served by the app, not a CDN."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        base = f"{URL_PREFIX}/{NAME}-{VERSION}"
        self.default_js = [("leaflet_draw_js", f"{base}/leaflet.draw.js")]
        self.default_css = [("leaflet_draw_css", f"{base}/leaflet.draw.css")]


def add_draw(m: folium.Map, **kwargs) -> LocalDraw:
    draw = LocalDraw(**kwargs)
    draw.add_to(m)
    return draw


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m township_atlas.maps.draw_plugin",
        description=f"Install {NAME} {VERSION} (map drawing tools) into static/vendor.",
    )
    parser.add_argument("--static", default="static", help="the app's static folder")
    parser.add_argument("--from", dest="source", help="a downloaded npm tarball (.tgz)")
    args = parser.parse_args(argv)
    try:
        if args.source:
            data = Path(args.source).read_bytes()
        elif installed(Path(args.static)):
            print(f"{NAME} {VERSION} already installed in {folder(Path(args.static))}")
            return 0
        else:
            data = download()
        print(f"installed {NAME} {VERSION} into {install_from_bytes(data, Path(args.static))}")
    except (DrawAssetsError, OSError, tarfile.TarError, KeyError) as exc:
        print(exc.message("en") if isinstance(exc, AtlasError) else exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
