"""The drawing tools are taken from npm only when they match the pinned integrity hash."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile

import pytest

from township_atlas.maps import draw_plugin as draw_assets
from township_atlas.maps.draw_plugin import DrawAssetsError, ensure, install_from_bytes


def _tarball(symlink: bool = False) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name in draw_assets.FILES:
            info = tarfile.TarInfo(name)
            if symlink and name.endswith(".js"):
                info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
                tar.addfile(info)
                continue
            data = f"/* {name} */".encode()
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _pin(monkeypatch, data: bytes) -> None:
    digest = base64.b64encode(hashlib.sha512(data).digest()).decode()
    monkeypatch.setattr(draw_assets, "INTEGRITY", f"sha512-{digest}")


def test_a_tarball_matching_the_pin_is_installed(tmp_path, monkeypatch):
    data = _tarball()
    _pin(monkeypatch, data)
    target = install_from_bytes(data, tmp_path)
    assert (target / "leaflet.draw.js").read_text() == "/* package/dist/leaflet.draw.js */"
    assert draw_assets.installed(tmp_path)
    assert ensure(tmp_path, fetch=False).ready


def test_a_tampered_tarball_is_refused_and_nothing_written(tmp_path):
    with pytest.raises(DrawAssetsError) as err:
        install_from_bytes(_tarball(), tmp_path)
    assert "完整性" in err.value.message("zh")
    assert not (tmp_path / "vendor").exists()


def test_a_symlink_member_is_refused(tmp_path, monkeypatch):
    data = _tarball(symlink=True)
    _pin(monkeypatch, data)
    with pytest.raises(DrawAssetsError):
        install_from_bytes(data, tmp_path)


def test_without_network_the_page_gets_a_plain_message(tmp_path, monkeypatch):
    def offline(timeout: float = 15.0) -> bytes:
        raise DrawAssetsError("无法下载", "could not download")

    monkeypatch.setattr(draw_assets, "download", offline)
    status = ensure(tmp_path)
    assert not status.ready
    assert "python -m township_atlas.maps.draw_plugin" in status.message("zh")
    assert "could not download" in status.message("en")


def test_the_command_installs_from_a_file(tmp_path, monkeypatch, capsys):
    data = _tarball()
    _pin(monkeypatch, data)
    (tmp_path / "ld.tgz").write_bytes(data)
    assert (
        draw_assets.main(["--static", str(tmp_path / "s"), "--from", str(tmp_path / "ld.tgz")]) == 0
    )
    assert draw_assets.installed(tmp_path / "s")
    assert draw_assets.main(["--static", str(tmp_path / "t"), "--from", str(tmp_path / "x")]) == 1
