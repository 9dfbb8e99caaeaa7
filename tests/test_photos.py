"""Photos of sites and organisations (issue 20): processing in the upload worker (metadata
stripped, upright, resized, thumbnail), hostile images refused with nothing stored, the
distance warning, the index layer's add, undo and restore and the picture bytes on both
backends, copying in and out of PostGIS, and the dataset export with the pictures. Every
image is made by code (tests/photo_images.py)."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from PIL import Image

from tests.conftest import sample_township
from township_atlas.storage.files.store import Store
from township_atlas.storage.photo_files import PhotoFileError, content_name, read_photo_file
from township_atlas.transfer.errors import (
    PhotoLimitReached,
    UnreadableFile,
    UnsupportedFormat,
    UploadRefused,
)
from township_atlas.transfer.photo_add import (
    PhotoQuota,
    add_photos_change,
    feature_point,
    photo_edits_change,
    prepare_photo,
)
from township_atlas.transfer.photos import PhotoLimits, distance_m, heif_available, process_photo
from township_atlas.transfer.worker_jobs import process_photo_isolated
from township_atlas.transfer.worker_results import ProcessedPhoto, safe_loads
from township_atlas.views.photos import feature_photos

from .photo_images import (
    MAKER_NOTE,
    SERIAL,
    SOFTWARE,
    bomb_png,
    camera_jpeg,
    encoded,
    jpeg_with_zip,
)

SITE = "S001"


def _secrets_absent(data: bytes) -> None:
    for secret in (SERIAL.encode(), MAKER_NOTE, SOFTWARE.encode(), b"COMMENT-SECRET", b"ACME"):
        assert secret not in data
    assert b"Exif" not in data
    assert b"http://ns.adobe.com/xap" not in data  # XMP
    assert b"ICC_PROFILE" not in data


def _read_back(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


# --- processing -------------------------------------------------------------------------


def test_a_camera_photo_is_stored_without_any_metadata_but_with_its_date():
    original = camera_jpeg(105.68, 35.97)
    assert SERIAL.encode() in original and MAKER_NOTE in original  # the test can fail
    photo = process_photo("IMG_0001.JPG", original, feature_point=(105.68, 35.97))
    for data in (photo.image, photo.thumb):
        _secrets_absent(data)
        im = _read_back(data)
        assert im.format == "JPEG"
        assert len(im.getexif()) == 0
        assert im.getexif().get_ifd(0x8825) == {}
        assert "icc_profile" not in im.info and "exif" not in im.info
        assert "xmp" not in im.info and "comment" not in im.info
    assert photo.taken == "2025-04-30 09:15:00"
    assert photo.has_gps
    assert photo.distance_m is not None and photo.distance_m < 1.0


def test_orientation_is_applied_and_the_picture_resized_with_a_thumbnail():
    # Orientation 6: the camera held upright; the pixels are stored 90° turned.
    photo = process_photo("p.jpg", camera_jpeg(orientation=6, width=4000, height=3000))
    assert (photo.width, photo.height) == (1536, 2048)
    im = _read_back(photo.image)
    assert im.size == (1536, 2048)
    # The blue corner was top-left; after a 270° turn it is top-right.
    r, _g, b = im.getpixel((im.width - 20, 20))
    assert b > 150 and r < 80
    r, _g, b = im.getpixel((20, 20))
    assert r > 150 and b < 80
    thumb = _read_back(photo.thumb)
    assert max(thumb.size) == 320 and thumb.size == (240, 320)


def test_a_small_picture_is_not_enlarged():
    photo = process_photo("p.jpg", camera_jpeg(width=400, height=200))
    assert (photo.width, photo.height) == (400, 200)


@pytest.mark.parametrize(
    ("name", "fmt", "mode"),
    [("a.png", "PNG", "RGBA"), ("a.png", "PNG", "P"), ("a.webp", "WEBP", "RGB")],
)
def test_png_and_webp_are_re_encoded_as_jpeg(name, fmt, mode):
    photo = process_photo(name, encoded(fmt, mode=mode))
    im = _read_back(photo.image)
    assert im.format == "JPEG" and im.mode == "RGB" and im.size == (300, 300)
    assert photo.source_format == fmt
    assert photo.taken == "" and photo.distance_m is None


@pytest.mark.skipif(not heif_available(), reason="pillow-heif is not installed")
def test_heic_is_read_when_the_decoder_is_installed():
    import pillow_heif

    pillow_heif.register_heif_opener()
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 200, 10)).save(buf, "HEIF")
    photo = process_photo("IMG_0002.HEIC", buf.getvalue())
    assert photo.source_format == "HEIF" and (photo.width, photo.height) == (640, 480)
    assert _read_back(photo.image).format == "JPEG"


def test_heic_without_the_decoder_says_to_export_jpeg(monkeypatch):
    monkeypatch.setattr("township_atlas.transfer.photos.heif_available", lambda: False)
    data = b"\x00\x00\x00\x1cftypheic" + b"\x00" * 100
    with pytest.raises(UnsupportedFormat) as err:
        process_photo("IMG.HEIC", data)
    assert err.value.key == "xfer_photo_heic_unavailable"
    assert "JPEG" in err.value.message_zh and "JPEG" in err.value.message_en


def test_the_distance_is_measured_in_the_worker_and_the_gps_never_returned():
    site = (105.68, 35.97)
    far = camera_jpeg(105.68, 35.98)  # about 1.1 km north
    photo = process_photo_isolated("far.jpg", far, feature_point=site)
    assert isinstance(photo, ProcessedPhoto)
    assert photo.distance_m == pytest.approx(distance_m(site, (105.68, 35.98)), abs=2)
    assert 1000 < photo.distance_m < 1200
    assert not any(isinstance(v, tuple) for v in vars(photo).values())  # no position


def test_a_processed_photo_passes_the_servers_restricted_unpickler():
    import pickle

    photo = process_photo("a.png", encoded("PNG"))
    assert safe_loads(pickle.dumps(photo)) == photo


# --- hostile or wrong files: refused with a clear message ------------------------------

HOSTILE = [
    ("bomb.png", bomb_png(), UnreadableFile, "xfer_photo_pixels"),
    (
        "wide.png",
        encoded("PNG", width=30_000, height=1, mode="L"),
        UnreadableFile,
        "xfer_photo_pixels",
    ),
    ("cut.jpg", camera_jpeg(width=800, height=600)[:3000], UnreadableFile, "xfer_photo_unreadable"),
    ("junk.jpg", b"\xff\xd8\xff\xe0" + b"\x13\x37" * 500, UnreadableFile, "xfer_photo_unreadable"),
    (
        "page.jpg",
        b"<!DOCTYPE html><html><script>x()</script></html>",
        UnsupportedFormat,
        "xfer_photo_magic",
    ),
    ("renamed.jpg", encoded("PNG"), UnsupportedFormat, "xfer_photo_magic"),
    ("archive.png", b"PK\x03\x04" + b"\x00" * 200, UnsupportedFormat, "xfer_photo_magic"),
    ("doc.pdf", b"%PDF-1.4\n", UnsupportedFormat, "xfer_photo_format"),
    ("empty.jpg", b"", UploadRefused, "xfer_photo_empty"),
]


@pytest.mark.parametrize(("name", "data", "kind", "key"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_image_is_refused_with_a_clear_message(name, data, kind, key):
    with pytest.raises(kind) as err:
        process_photo(name, data)
    assert err.value.key == key
    assert name in err.value.message_zh and name in err.value.message_en


def test_a_file_over_the_size_limit_is_refused_before_the_worker():
    data = camera_jpeg()
    with pytest.raises(UploadRefused) as err:
        process_photo_isolated("big.jpg", data, limits=PhotoLimits(max_bytes=len(data) - 1))
    assert err.value.key == "xfer_photo_too_large"


def test_a_polyglot_is_defeated_by_re_encoding():
    data = jpeg_with_zip()
    assert b"POLYGLOT-PAYLOAD" in data and b"PK\x03\x04" in data
    photo = process_photo("both.jpg", data)
    assert b"POLYGLOT-PAYLOAD" not in photo.image and b"PK\x03\x04" not in photo.image
    _secrets_absent(photo.image)


# --- storage: files, the index layer, add and undo ----------------------------------------


def _quota(**kw) -> PhotoQuota:
    return PhotoQuota(**kw)


def _folder_state(folder) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".history" not in p.parts and not p.name.startswith(".")
    }


def test_add_two_photos_then_undo_on_the_files_backend(sample_dir):
    store = Store(sample_dir)
    bundle = store.load().bundle
    assert bundle.photos.empty and not (sample_dir / "photos.csv").exists()
    lon, lat = feature_point(bundle, "sites", SITE)
    prepared = [
        prepare_photo(
            store,
            bundle,
            "sites",
            SITE,
            f"p{n}.jpg",
            camera_jpeg(lon, lat),
            quota=_quota(),
            already=n,
        )
        for n in range(2)
    ]
    change = add_photos_change(
        store, bundle, "sites", SITE, prepared, captions=["牛舍", ""], user="li", quota=_quota()
    )
    result = store.save(change)
    loaded = store.load()
    assert loaded.ok
    rows = feature_photos(loaded.bundle, "sites", SITE)
    assert list(rows["seq"]) == [1, 2]
    assert list(rows["caption_zh"].fillna("")) == ["牛舍", ""]
    first = rows.iloc[0]
    assert first["taken"] == "2025-04-30 09:15:00"
    stored = read_photo_file(sample_dir, first["file"])
    assert (
        first["file"]
        == f"photos/{hashlib.sha256(stored).hexdigest()[:2]}/{hashlib.sha256(stored).hexdigest()}.jpg"
    )
    assert _read_back(stored).size == (int(first["width"]), int(first["height"]))
    assert int(first["bytes"]) == len(stored) + len(read_photo_file(sample_dir, first["thumb"]))
    _secrets_absent(stored)

    store.save(store.undo_change(result.seq, "li"))
    after = store.load().bundle
    assert feature_photos(after, "sites", SITE).empty
    assert (sample_dir / first["file"]).exists()  # the file may stay: an orphan is harmless


def test_captions_order_and_delete_are_one_change(sample_dir):
    store = Store(sample_dir)
    bundle = store.load().bundle
    prepared = [
        prepare_photo(
            store,
            bundle,
            "party_orgs",
            "B01",
            f"{n}.png",
            encoded("PNG", 50 + n, 40),
            quota=_quota(),
        )
        for n in range(3)
    ]
    store.save(
        add_photos_change(store, bundle, "party_orgs", "B01", prepared, user="li", quota=_quota())
    )
    rows = feature_photos(store.load().bundle, "party_orgs", "B01")
    ids = list(rows["photo_id"])
    edit = [{"photo_id": ids[2], "caption_zh": "活动室"}, {"photo_id": ids[0], "caption_zh": ""}]
    result = store.save(photo_edits_change(store, "party_orgs", "B01", edit, user="li"))
    rows = feature_photos(store.load().bundle, "party_orgs", "B01")
    assert list(rows["photo_id"]) == [ids[2], ids[0]]
    assert rows.iloc[0]["caption_zh"] == "活动室"
    store.save(store.undo_change(result.seq, "li"))
    assert list(feature_photos(store.load().bundle, "party_orgs", "B01")["photo_id"]) == ids


@pytest.mark.parametrize(("name", "data", "kind", "key"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_refused_photo_leaves_the_data_folder_unchanged(sample_dir, name, data, kind, key):
    store = Store(sample_dir)
    bundle = store.load().bundle
    before = _folder_state(sample_dir)
    with pytest.raises(kind) as err:
        prepare_photo(store, bundle, "sites", SITE, name, data, quota=_quota())
    assert err.value.key == key
    assert _folder_state(sample_dir) == before


def test_the_count_per_feature_limit_is_told_and_nothing_written(sample_dir):
    store = Store(sample_dir)
    bundle = store.load().bundle
    quota = _quota(max_per_feature=2)
    done = [prepare_photo(store, bundle, "sites", SITE, "a.png", encoded("PNG"), quota=quota)]
    done.append(
        prepare_photo(
            store, bundle, "sites", SITE, "b.png", encoded("PNG", 20, 20), quota=quota, already=1
        )
    )
    store.save(add_photos_change(store, bundle, "sites", SITE, done, user="li", quota=quota))
    bundle = store.load().bundle
    before = _folder_state(sample_dir)
    with pytest.raises(PhotoLimitReached) as err:
        prepare_photo(store, bundle, "sites", SITE, "c.png", encoded("PNG", 30, 30), quota=quota)
    assert err.value.key == "xfer_photo_limit_count"
    assert "2" in err.value.message_zh and "limit of 2" in err.value.message_en
    assert _folder_state(sample_dir) == before


def test_the_township_total_limit_is_told_at_the_change(sample_dir):
    store = Store(sample_dir)
    bundle = store.load().bundle
    done = [prepare_photo(store, bundle, "sites", SITE, "a.jpg", camera_jpeg(), quota=_quota())]
    small = _quota(max_township_bytes=done[0].size - 1)
    with pytest.raises(PhotoLimitReached) as err:
        add_photos_change(store, bundle, "sites", SITE, done, user="li", quota=small)
    assert err.value.key == "xfer_photo_limit_township"
    assert "TOWNSHIP_ATLAS_PHOTO_MAX_TOWNSHIP_MB" in err.value.message_en
    assert feature_photos(store.load().bundle, "sites", SITE).empty


def test_the_distance_warning_past_the_setting(sample_dir, monkeypatch):
    store = Store(sample_dir)
    bundle = store.load().bundle
    lon, lat = feature_point(bundle, "sites", SITE)
    near = prepare_photo(
        store, bundle, "sites", SITE, "near.jpg", camera_jpeg(lon, lat + 0.002), quota=_quota()
    )
    far = prepare_photo(
        store, bundle, "sites", SITE, "far.jpg", camera_jpeg(lon, lat + 0.004), quota=_quota()
    )
    none = prepare_photo(store, bundle, "sites", SITE, "nogps.png", encoded("PNG"), quota=_quota())
    assert 200 < near.distance_m < 300 and not near.far
    assert 400 < far.distance_m < 500 and far.far
    assert none.distance_m is None and not none.far
    monkeypatch.setenv("TOWNSHIP_ATLAS_PHOTO_DISTANCE_M", "150")
    again = prepare_photo(store, bundle, "sites", SITE, "near.jpg", camera_jpeg(lon, lat + 0.002))
    assert again.far


def test_a_photo_name_that_is_not_ours_is_never_read(sample_dir):
    (sample_dir / "secret.txt").write_text("x")
    for name in ("../secret.txt", "secret.txt", "photos/ab/../../secret.txt", "/etc/passwd"):
        with pytest.raises(PhotoFileError):
            read_photo_file(sample_dir, name)


def test_a_photos_file_written_by_hand_with_a_bad_row_is_reported(sample_dir):
    (sample_dir / "photos.csv").write_text(
        "photo_id,layer,feature_id,seq,caption_zh,taken,file,thumb,width,height,bytes\n"
        "PH1,roads,S001,x,,,a,b,1,1,1\n",
        encoding="utf-8",
    )
    result = Store(sample_dir).load()
    assert any(f.layer == "photos" for f in result.findings)


# --- both backends: the picture bytes, add, undo, restore, the township total --------------


def _add(store, feature=SITE, n=2, quota=None):
    """Add ``n`` photos to a site through the real pipeline; (save result, prepared)."""
    bundle = store.load().bundle
    quota = quota or _quota()
    prepared = [
        prepare_photo(
            store, bundle, "sites", feature, f"p{k}.png", encoded("PNG", 60 + k, 40), quota=quota
        )
        for k in range(n)
    ]
    change = add_photos_change(store, bundle, "sites", feature, prepared, user="li", quota=quota)
    return store.save(change), prepared


def test_photo_bytes_are_put_and_read_back_by_content_name_on_both_backends(store):
    image, thumb = camera_jpeg(), encoded("JPEG", 32, 16)
    names = store.put_photo_files(image, thumb)
    assert names == (content_name("photos", image), content_name("thumbs", thumb))
    assert store.put_photo_files(image, thumb) == names  # the same bytes: the same names
    assert store.photo_file(names[0]) == image and store.photo_file(names[1]) == thumb
    absent = content_name("photos", b"never stored")
    with pytest.raises(PhotoFileError) as err:
        store.photo_file(absent)
    assert absent in err.value.message_en and "backup" in err.value.message_en
    assert absent in err.value.message_zh
    bad_prefix = f"photos/00/{names[0].rsplit('/', 1)[1]}"  # "ab" must be the hash's start
    for name in ("../secret.txt", "photos.csv", "photos/ab/../../x.jpg", bad_prefix, "", None):
        with pytest.raises(PhotoFileError) as err:
            store.photo_file(name)
        assert "not a photo file name" in err.value.message_en


def test_add_undo_and_restore_a_photo_on_both_backends(store):
    added, prepared = _add(store)
    rows = feature_photos(store.load().bundle, "sites", SITE)
    assert list(rows["file"]) == [p.file for p in prepared]
    first = rows.iloc[0]
    assert _read_back(store.photo_file(first["file"])).size == (60, 40)
    assert int(first["bytes"]) == len(store.photo_file(first["file"])) + len(
        store.photo_file(first["thumb"])
    )
    store.save(store.undo_change(added.seq, "li"))
    assert feature_photos(store.load().bundle, "sites", SITE).empty
    store.save(store.restore_change("photos", added.seq, "li"))  # "redo": back to after it
    back = feature_photos(store.load().bundle, "sites", SITE)
    assert list(back["photo_id"]) == list(rows["photo_id"])
    assert store.photo_file(back.iloc[1]["file"]) == store.photo_file(prepared[1].file)
    assert [e.layer for e in store.entries()][-3:] == ["photos"] * 3


def test_the_township_total_limit_is_the_same_on_both_backends(store):
    _, prepared = _add(store, n=1)
    used = prepared[0].size
    bundle = store.load().bundle
    more = [prepare_photo(store, bundle, "sites", SITE, "b.jpg", camera_jpeg(), quota=_quota())]
    tight = _quota(max_township_bytes=used + more[0].size - 1)
    before = store.read_records("photos")
    with pytest.raises(PhotoLimitReached) as err:
        add_photos_change(store, bundle, "sites", SITE, more, user="li", quota=tight)
    assert err.value.key == "xfer_photo_limit_township"
    assert store.read_records("photos") == before
    enough = _quota(max_township_bytes=used + more[0].size)
    store.save(add_photos_change(store, bundle, "sites", SITE, more, user="li", quota=enough))
    assert len(feature_photos(store.load().bundle, "sites", SITE)) == 2


# --- PostGIS only: the table, a township that is not there, copying in and out ------------


def test_init_db_adds_the_photo_table_to_an_existing_database(pg_url):
    from sqlalchemy import inspect, text

    from township_atlas.storage.postgis import tables
    from township_atlas.storage.postgis.store import PgStore

    engine = tables.engine_for(pg_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE photo_files"))
    db = PgStore(pg_url, sample_township())
    records = db.read_records("sites")
    tables.init_db(engine)
    assert "photo_files" in inspect(engine).get_table_names()
    assert db.read_records("sites") == records  # the data there is kept
    names = db.put_photo_files(b"picture", b"thumb")
    assert db.photo_file(names[0]) == b"picture"


def test_photo_files_for_a_township_the_database_lacks_are_refused(pg_url):
    from township_atlas.errors import DataFolderError
    from township_atlas.storage.postgis.store import PgStore

    with pytest.raises(DataFolderError) as err:
        PgStore(pg_url, "NOPE").put_photo_files(b"a", b"b")
    assert "NOPE" in err.value.message_en and "copy" in err.value.message_en


def _db_photo_state(pg_url, code):
    from township_atlas.storage.postgis import tables

    with tables.engine_for(pg_url).connect() as conn:
        rows = conn.execute(
            tables.photo_files.select().where(tables.photo_files.c.township == code)
        )
        return {r.name: bytes(r.data) for r in rows}


def _refused_copy_in(pg_url, folder, code):
    """copy_in of ``folder`` as ``code`` must fail and leave the township as it was."""
    from township_atlas.storage.postgis import copying
    from township_atlas.storage.postgis.store import PgStore

    db = PgStore(pg_url, code)
    before = (db.fingerprint(), db.read_records("photos"), _db_photo_state(pg_url, code))
    with pytest.raises(copying.CopyError) as err:
        copying.copy_in(pg_url, folder, township=code)
    after = (db.fingerprint(), db.read_records("photos"), _db_photo_state(pg_url, code))
    assert after == before
    return err.value


def test_copy_in_refuses_an_index_naming_a_missing_or_damaged_file_and_changes_nothing(
    pg_url, sample_dir
):
    from township_atlas.storage.postgis import copying

    store = Store(sample_dir)
    _add(store, n=1)
    copying.copy_in(pg_url, sample_dir, township="PH")
    assert len(_db_photo_state(pg_url, "PH")) == 2
    _add(store, feature="S002", n=1)  # a second photo, then its picture goes missing
    lost = feature_photos(store.load().bundle, "sites", "S002").iloc[0]["file"]
    picture = (sample_dir / lost).read_bytes()
    (sample_dir / lost).unlink()
    err = _refused_copy_in(pg_url, sample_dir, "PH")
    assert lost in err.message_en and "Nothing was copied" in err.message_en
    assert lost in err.message_zh and "backup" in err.message_en
    (sample_dir / lost).write_bytes(picture[:-10])  # damaged: no longer its hash
    err = _refused_copy_in(pg_url, sample_dir, "PH")
    assert lost in err.message_en and "damaged" in err.message_en


def test_copy_in_refuses_an_index_naming_a_path_that_is_not_a_photo_name(pg_url, sample_dir):
    from township_atlas.storage.postgis import copying

    store = Store(sample_dir)
    _add(store, n=1)
    copying.copy_in(pg_url, sample_dir, township="PH")
    text_ = (sample_dir / "photos.csv").read_text(encoding="utf-8")
    row_file = feature_photos(store.load().bundle, "sites", SITE).iloc[0]["file"]
    (sample_dir / "photos.csv").write_text(text_.replace(row_file, "../report.yaml"), "utf-8")
    err = _refused_copy_in(pg_url, sample_dir, "PH")
    assert "../report.yaml" in err.message_en and "not a photo file name" in err.message_en


def test_copy_in_reads_only_photo_names_and_leaves_other_files_with_a_note(pg_url, sample_dir):
    from township_atlas.storage.postgis import copying

    store = Store(sample_dir)
    _, prepared = _add(store, n=1)
    (sample_dir / "photos" / "notes.txt").write_text("x", encoding="utf-8")
    orphan = content_name("photos", b"an orphan")
    damaged = content_name("thumbs", b"the right bytes")
    for name, data in ((orphan, b"an orphan"), (damaged, b"other bytes")):
        (sample_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (sample_dir / name).write_bytes(data)
    report = copying.copy_in(pg_url, sample_dir, township="PH")
    stored = _db_photo_state(pg_url, "PH")
    assert set(stored) == {prepared[0].file, prepared[0].thumb, orphan}
    assert report.photo_files == 3 and report.photo_bytes == sum(map(len, stored.values()))
    notes = " ".join(en for _, en in report.notes)
    assert "photos/notes.txt" in notes and damaged in notes
    assert "photos is not a text file" not in notes


def _tree(folder) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".atlas.lock"
    }


def test_a_copy_round_trip_with_photos_is_byte_identical_and_undo_finds_the_picture(
    pg_url, sample_dir, tmp_path
):
    from township_atlas.storage.postgis.command import main
    from township_atlas.storage.postgis.store import PgStore

    store = Store(sample_dir)
    _, prepared = _add(store, n=2)
    kept = feature_photos(store.load().bundle, "sites", SITE).iloc[:1]
    deleted = store.save(
        photo_edits_change(
            store, "sites", SITE, [{"photo_id": kept.iloc[0]["photo_id"]}], user="li"
        )
    )  # the second photo's files stay as orphans: an undo brings its row back
    assert main(["copy-in", str(sample_dir), "--township", "PH", "--url", pg_url]) == 0
    assert main(["copy-out", "PH", str(tmp_path / "out"), "--url", pg_url]) == 0
    out = _tree(tmp_path / "out")
    assert out == _tree(sample_dir)
    assert {prepared[1].file, prepared[1].thumb, "photos.csv"} <= set(out)
    db = PgStore(pg_url, "PH")
    db.save(db.undo_change(deleted.seq, "li"))
    back = feature_photos(db.load().bundle, "sites", SITE)
    assert len(back) == 2
    assert db.photo_file(back.iloc[1]["file"]) == (sample_dir / prepared[1].file).read_bytes()


def test_the_commands_report_the_photo_files(pg_url, sample_dir, tmp_path, capsys):
    from township_atlas.storage.postgis.command import main

    _add(Store(sample_dir), n=1)
    assert main(["copy-in", str(sample_dir), "--township", "PH", "--url", pg_url]) == 0
    said = capsys.readouterr().out
    assert "2 photo files" in said and "照片文件 2 个" in said
    assert main(["copy-out", "PH", str(tmp_path / "out"), "--url", pg_url]) == 0
    assert "2 photo files" in capsys.readouterr().out


def test_deleting_a_site_keeps_its_photo_rows_with_a_warning_and_undo_restores_it(sample_dir):
    from township_atlas.storage.changes import ChangeSet, feature_version

    store = Store(sample_dir)
    bundle = store.load().bundle
    feature = "S011"  # no group or chain stage is built on it: deleting it is allowed
    site = store.read_records("sites")[feature]
    done = [prepare_photo(store, bundle, "sites", feature, "a.png", encoded("PNG"), quota=_quota())]
    store.save(add_photos_change(store, bundle, "sites", feature, done, user="li", quota=_quota()))
    deleted = store.save(
        ChangeSet("sites", "li", deletes=[feature], base={feature: feature_version(site)})
    )
    result = store.load()
    warning = next(f for f in result.findings if f.check == "photo_feature")
    assert warning.severity == "warning" and feature in warning.message_zh
    store.save(store.undo_change(deleted.seq, "li"))
    result = store.load()
    assert not any(f.check == "photo_feature" for f in result.findings)
    assert len(feature_photos(result.bundle, "sites", feature)) == 1


def test_the_size_per_file_setting_refuses_a_larger_photo_with_nothing_written(
    sample_dir, monkeypatch
):
    noise = Image.effect_noise((1200, 1200), 120).convert("RGB")
    buf = io.BytesIO()
    noise.save(buf, "JPEG", quality=98)
    data = buf.getvalue()
    assert len(data) > 2**20
    store = Store(sample_dir)
    bundle = store.load().bundle
    before = _folder_state(sample_dir)
    monkeypatch.setenv("TOWNSHIP_ATLAS_PHOTO_MAX_FILE_MB", "1")
    with pytest.raises(UploadRefused) as err:
        prepare_photo(store, bundle, "sites", SITE, "大.jpg", data)
    assert err.value.key == "xfer_photo_too_large" and "1 MB" in err.value.message_en
    assert _folder_state(sample_dir) == before
    monkeypatch.setenv("TOWNSHIP_ATLAS_PHOTO_MAX_FILE_MB", "2")
    assert prepare_photo(store, bundle, "sites", SITE, "大.jpg", data).width == 1200


# --- the dataset export carries the pictures ------------------------------------------------


def _export(store, **kw):
    from datetime import date

    from township_atlas.transfer import export_dataset

    _, data = export_dataset(store.load().bundle, "geojson", today=date(2025, 6, 1), **kw)
    return zipfile.ZipFile(io.BytesIO(data))


def test_the_dataset_export_holds_the_pictures_and_unpacks_as_a_data_folder(store, tmp_path):
    _, prepared = _add(store, n=2)
    names = [n for p in prepared for n in (p.file, p.thumb)]
    notes: list = []
    with _export(store, photo_bytes=store.photo_file, notes=notes) as zf:
        for name in names:
            assert zf.getinfo(name).compress_type == zipfile.ZIP_STORED  # JPEG already
        assert zf.getinfo("photos.csv").compress_type == zipfile.ZIP_DEFLATED
        readme = zf.read("README.txt").decode("utf-8")
        zf.extractall(tmp_path / "unpacked")
    assert notes == [] and "(4 files)" in readme and "could not be read" not in readme
    unpacked = Store(tmp_path / "unpacked")
    result = unpacked.load()
    assert result.ok, [f.message_en for f in result.errors]
    rows = feature_photos(result.bundle, "sites", SITE)
    assert sorted(rows["file"]) == sorted(p.file for p in prepared)
    for name in names:
        assert unpacked.photo_file(name) == store.photo_file(name)


def test_an_export_with_a_missing_picture_completes_and_says_which(sample_dir):
    store = Store(sample_dir)
    _, prepared = _add(store, n=2)
    (sample_dir / prepared[0].file).unlink()
    notes: list = []
    with _export(store, photo_bytes=store.photo_file, notes=notes) as zf:
        members = set(zf.namelist())
        readme = zf.read("README.txt").decode("utf-8")
    assert prepared[0].file not in members
    assert {prepared[0].thumb, prepared[1].file, prepared[1].thumb, "sites.geojson"} <= members
    assert prepared[0].file in readme and "could not be read" in readme
    assert "无法读取" in readme
    (note,) = notes
    assert note.key == "xfer_export_photos_missing" and prepared[0].file in note.message_en
    assert "1 photo files" in note.message_en and "README.txt" in note.message_zh


def test_an_export_never_makes_a_member_of_a_name_that_is_not_a_photo_name(sample_dir):
    store = Store(sample_dir)
    _, prepared = _add(store, n=1)
    text_ = (sample_dir / "photos.csv").read_text(encoding="utf-8")
    (sample_dir / "photos.csv").write_text(
        text_.replace(prepared[0].file, "../../evil.jpg"), encoding="utf-8"
    )
    asked: list[str] = []

    def reader(name: str) -> bytes:
        asked.append(name)
        return store.photo_file(name)

    notes: list = []
    with _export(store, photo_bytes=reader, notes=notes) as zf:
        members = zf.namelist()
    assert asked == [prepared[0].thumb]
    assert not any("evil" in m for m in members) and prepared[0].thumb in members
    assert "../../evil.jpg" in notes[0].message_en


def test_an_export_without_a_reader_says_the_pictures_are_not_in_it(sample_dir):
    store = Store(sample_dir)
    _add(store, n=1)
    with _export(store) as zf:
        readme = zf.read("README.txt").decode("utf-8")
        assert not any(m.startswith(("photos/", "thumbs/")) for m in zf.namelist())
    assert "does not hold the photo pictures (2 files" in readme


def test_a_48_megapixel_phone_photo_is_processed_in_a_small_worker():
    """Phones save 48/50 MP photos: the JPEG is decoded at the smallest scale that still
    covers the stored picture and no full-size copy is made, so 400 MB of worker memory is
    plenty (decoding at full size with copies took about 800 MB)."""
    from township_atlas.transfer.worker_sandbox import WorkerLimits

    buf = io.BytesIO()
    im = Image.new("RGB", (8000, 6000), (40, 120, 60))
    im.paste((0, 0, 255), (0, 0, 2000, 1500))  # the top-left corner, to see the turn
    exif = Image.Exif()
    exif[0x0112] = 6  # upright in the phone: turned 90° when stored
    im.save(buf, "JPEG", quality=80, exif=exif)
    result = process_photo_isolated(
        "IMG_48MP.jpg", buf.getvalue(), worker=WorkerLimits(seconds=60, memory_mb=400)
    )
    assert (result.width, result.height) == (1536, 2048)
    with Image.open(io.BytesIO(result.image)) as stored:
        assert stored.size == (1536, 2048) and not stored.getexif()
        # Orientation 6 turns it clockwise: the blue corner is now top right.
        assert stored.getpixel((1500, 20))[2] > 200 and stored.getpixel((20, 20))[2] < 100
