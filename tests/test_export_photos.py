"""The whole-dataset export and the photo volume: the page's export leaves the pictures
out above the setting ``export_photo_max_mb`` (the zip is held in the server's memory),
says so and lists them in README.txt; the command ``python -m township_atlas.transfer
export`` writes the zip with every picture to disk. Pictures here are random bytes under
their content names (the export never decodes them), so the tests stay fast."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from township_atlas import settings
from township_atlas.errors import SettingError
from township_atlas.model.schema import PHOTOS
from township_atlas.storage.files.store import Store
from township_atlas.storage.formats import csv_text
from township_atlas.storage.photo_files import is_photo_name, write_photo_files
from township_atlas.transfer import Upload, export_dataset
from township_atlas.transfer.__main__ import main as transfer_main

KB = 1024


def fill_photos(folder: Path, count: int, size: int, *, index_bytes: int | None = None) -> list:
    """``count`` photos of ``size`` random bytes (thumbnails of 1 kB) on the sample's first
    sites, written under their content names with their rows in ``photos.csv``; returns
    the file names. ``index_bytes``: the ``bytes`` the index gives each row (default: the
    truth)."""
    rows, names = [], []
    for k in range(count):
        image, thumb = os.urandom(size), os.urandom(KB)
        file, thumb_name = write_photo_files(folder, image, thumb)
        names += [file, thumb_name]
        rows.append(
            {
                "photo_id": f"PH{k:04d}",
                "layer": "sites",
                "feature_id": f"S{k % 9 + 1:03d}",
                "seq": k // 9 + 1,
                "caption_zh": None,
                "taken": None,
                "file": file,
                "thumb": thumb_name,
                "width": 2048,
                "height": 1536,
                "bytes": size + KB if index_bytes is None else index_bytes,
            }
        )
    frame = pd.DataFrame(rows, columns=PHOTOS.field_names())
    (folder / PHOTOS.filename).write_text(csv_text(frame, PHOTOS), encoding="utf-8")
    return names


def _export(folder: Path, **kw) -> tuple[zipfile.ZipFile, list]:
    store = Store(folder)
    notes: list = []
    _, data = export_dataset(
        store.load().bundle,
        "geojson",
        today=date(2025, 6, 1),
        photo_bytes=kw.pop("photo_bytes", store.photo_file),
        notes=notes,
        **kw,
    )
    return zipfile.ZipFile(io.BytesIO(data)), notes


def _photo_members(zf: zipfile.ZipFile) -> set[str]:
    return {n for n in zf.namelist() if is_photo_name(n)}


def test_under_the_limit_every_picture_is_in_the_export(sample_dir):
    names = fill_photos(sample_dir, 4, 20 * KB)
    zf, notes = _export(sample_dir, photo_limit_bytes=4 * 21 * KB)  # exactly the volume
    assert _photo_members(zf) == set(names)
    readme = zf.read("README.txt").decode("utf-8")
    assert notes == [] and "(8 files)" in readme and "limit" not in readme


def test_above_the_limit_the_pictures_are_left_out_with_a_message_and_the_rest_exported(
    sample_dir,
):
    names = fill_photos(sample_dir, 4, 20 * KB)
    asked: list[str] = []
    store = Store(sample_dir)

    def reader(name: str) -> bytes:
        asked.append(name)
        return store.photo_file(name)

    zf, notes = _export(sample_dir, photo_bytes=reader, photo_limit_bytes=4 * 21 * KB - 1)
    assert asked == []  # decided from the index: no picture is even read
    assert _photo_members(zf) == set()
    assert {"photos.csv", "sites.geojson", "villages.geojson", "plans.yaml"} <= set(zf.namelist())
    assert zf.read("photos.csv") == b"\xef\xbb\xbf" + (sample_dir / "photos.csv").read_bytes()
    readme = zf.read("README.txt").decode("utf-8")
    assert all(name in readme for name in names)
    assert "python -m township_atlas.transfer export" in readme and "copy-out" in readme
    assert "8 photo files are not in this export" in readme and "不含 8 个照片文件" in readme
    assert readme.count(names[0]) == 1  # listed once, after both languages
    assert "photos/ and thumbs/ hold" not in readme  # nothing claims pictures are there
    (note,) = notes
    assert note.key == "xfer_export_photos_over_limit"
    for message in (note.message_zh, note.message_en):
        assert "TOWNSHIP_ATLAS_EXPORT_PHOTO_MAX_MB" in message and "README.txt" in message
        assert "python -m township_atlas.transfer export" in message
    assert "too large to download through the browser" in note.message_en
    assert "无法通过浏览器下载" in note.message_zh


def test_an_index_that_understates_the_sizes_still_cannot_pass_the_limit(sample_dir):
    names = fill_photos(sample_dir, 6, 20 * KB, index_bytes=1)
    zf, notes = _export(sample_dir, photo_limit_bytes=50 * KB)
    written = _photo_members(zf)
    assert 0 < len(written) < len(names)
    assert sum(zf.getinfo(n).file_size for n in written) <= 50 * KB
    readme = zf.read("README.txt").decode("utf-8")
    assert all(name in readme for name in set(names) - written)
    assert [n.key for n in notes] == ["xfer_export_photos_over_limit"]


def test_a_limit_of_zero_exports_no_pictures_and_no_limit_exports_them_all(sample_dir):
    names = fill_photos(sample_dir, 2, 4 * KB)
    zf, notes = _export(sample_dir, photo_limit_bytes=0)
    assert _photo_members(zf) == set() and notes[0].key == "xfer_export_photos_over_limit"
    zf, notes = _export(sample_dir)
    assert _photo_members(zf) == set(names) and notes == []


def test_the_export_photo_setting_default_and_values_out_of_range(monkeypatch):
    monkeypatch.delenv("TOWNSHIP_ATLAS_EXPORT_PHOTO_MAX_MB", raising=False)
    assert settings.export_photo_max_mb() == 300
    for good, value in (("0", 0), (" 4096 ", 4096)):
        monkeypatch.setenv("TOWNSHIP_ATLAS_EXPORT_PHOTO_MAX_MB", good)
        assert settings.export_photo_max_mb() == value
    for bad in ("-1", "4097", "1.5", "300MB", ""):
        monkeypatch.setenv("TOWNSHIP_ATLAS_EXPORT_PHOTO_MAX_MB", bad)
        with pytest.raises(SettingError) as err:
            settings.export_photo_max_mb()
        assert "TOWNSHIP_ATLAS_EXPORT_PHOTO_MAX_MB" in err.value.message_en
        assert "0 到 4096" in err.value.message_zh and "0 to 4096" in err.value.message_en


def test_the_command_writes_every_picture_to_disk_whatever_the_setting(
    sample_dir, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("TOWNSHIP_ATLAS_EXPORT_PHOTO_MAX_MB", "0")
    names = fill_photos(sample_dir, 3, 8 * KB)
    out = tmp_path / "out"
    out.mkdir()
    assert transfer_main(["export", str(sample_dir), "--out", str(out)]) == 0
    (written,) = out.iterdir()  # no temporary file left beside it
    assert written.name.endswith(f"_geojson_{date.today().isoformat()}.zip")
    with zipfile.ZipFile(written) as zf:
        assert _photo_members(zf) == set(names)
        zf.extractall(tmp_path / "unpacked")
    said = capsys.readouterr().out
    assert "6 photo files" in said and "照片文件 6 个" in said
    unpacked = Store(tmp_path / "unpacked")
    assert unpacked.load().ok
    assert all(unpacked.photo_file(n) == (sample_dir / n).read_bytes() for n in names)


def test_the_command_never_replaces_an_existing_file(sample_dir, tmp_path, capsys):
    target = tmp_path / "mine.zip"
    target.write_bytes(b"keep me")
    assert transfer_main(["export", str(sample_dir), "--out", str(target)]) == 1
    assert target.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["geodata", "mine.zip"]
    err = capsys.readouterr().err
    assert "exists already" in err and "已存在" in err


def test_an_export_under_the_limit_can_be_read_back_by_the_import_page(sample_dir):
    """The import page reads a dataset zip as a source of layers (the photos and the
    tables are not layers to import) as long as it is within the archive limits."""
    fill_photos(sample_dir, 3, 8 * KB)
    store = Store(sample_dir)
    name, data = export_dataset(store.load().bundle, "geojson", photo_bytes=store.photo_file)
    with Upload(name, data) as upload:
        members = {layer.name.rsplit(" › ", 1)[-1] for layer in upload.layers}
    assert {"sites.geojson", "villages.geojson", "party_orgs.geojson"} <= members
    assert not any(m.endswith((".jpg", ".csv")) for m in members)


# --- the page ---------------------------------------------------------------------------


@pytest.fixture
def accounts(data_env, tmp_path, monkeypatch) -> Path:
    from .accounts_helpers import install_accounts

    monkeypatch.setenv("TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS", "0")
    return install_accounts(tmp_path, monkeypatch)


def _export_tab():
    import time

    from .apptest import open_page

    at = open_page("pages/edit.py", login_as="pia", last_seen=time.time())
    return at.segmented_control[0].set_value("export").run()


@pytest.mark.parametrize("limit_mb", ["1", "0"])
def test_the_page_says_before_and_after_that_the_photos_are_too_large(
    accounts, data_env, monkeypatch, limit_mb
):
    fill_photos(data_env, 2, 600 * KB)
    monkeypatch.setenv("TOWNSHIP_ATLAS_EXPORT_PHOTO_MAX_MB", limit_mb)
    at = _export_tab()
    assert not at.exception
    (warning,) = [w.value for w in at.warning if "TOWNSHIP_ATLAS_EXPORT_PHOTO_MAX_MB" in w.value]
    assert "无法通过浏览器下载" in warning and "python -m township_atlas.transfer export" in warning
    next(b for b in at.button if b.label.startswith("生成文件")).click().run()
    assert not at.exception and at.get("download_button")
    assert sum("TOWNSHIP_ATLAS_EXPORT_PHOTO_MAX_MB" in w.value for w in at.warning) == 1


def test_the_page_shows_a_bad_export_setting_as_the_settings_error(accounts, data_env, monkeypatch):
    monkeypatch.setenv("TOWNSHIP_ATLAS_EXPORT_PHOTO_MAX_MB", "lots")
    at = _export_tab()
    assert not at.exception
    assert any("TOWNSHIP_ATLAS_EXPORT_PHOTO_MAX_MB" in e.value for e in at.error)
    assert not any(b.label.startswith("生成文件") for b in at.button)
