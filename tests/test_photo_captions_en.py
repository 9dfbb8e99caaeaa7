"""English photo captions (``caption_en``): added and edited beside the Chinese ones, shown
in the chosen language with the Chinese caption where a photo has no English one, and a
``photos.csv`` written before the column existed loading, re-saving, undoing and copying
through PostGIS byte for byte as it was. Every image is made by code."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

from township_atlas.storage.files.store import Store
from township_atlas.storage.layer_codec import codec
from township_atlas.transfer.photo_add import (
    PhotoQuota,
    add_photos_change,
    photo_edits_change,
    prepare_photo,
)
from township_atlas.views.photos import feature_photos, photo_items

from .photo_images import encoded

SITE = "S001"
# The header every app before caption_en wrote, and the one with an English caption.
OLD_HEADER = "photo_id,layer,feature_id,seq,caption_zh,taken,file,thumb,width,height,bytes"
NEW_HEADER = (
    "photo_id,layer,feature_id,seq,caption_zh,caption_en,taken,file,thumb,width,height,bytes"
)


def _add(store, captions, captions_en=None, feature=SITE):
    """Add one photo per caption through the real pipeline; the save's result."""
    bundle = store.load().bundle
    quota = PhotoQuota()
    prepared = [
        prepare_photo(
            store, bundle, "sites", feature, f"p{n}.png", encoded("PNG", 50 + n, 40), quota=quota
        )
        for n in range(len(captions))
    ]
    change = add_photos_change(
        store,
        bundle,
        "sites",
        feature,
        prepared,
        captions=captions,
        captions_en=captions_en,
        user="li",
        quota=quota,
    )
    return store.save(change)


def _header(folder) -> str:
    return (folder / "photos.csv").read_text(encoding="utf-8").split("\n", 1)[0]


def _edit(store, rows):
    return store.save(photo_edits_change(store, "sites", SITE, rows, user="li"))


def test_english_captions_are_added_and_edited_beside_the_chinese_ones_on_both_backends(store):
    long = "A" * 250
    _add(store, ["牛舍", "草场", "", "河"], [" Cowshed ", "", "Pasture", long])
    items = photo_items(store.load().bundle, "sites", SITE)
    assert [i.caption_zh for i in items] == ["牛舍", "草场", "", "河"]
    assert [i.caption_en for i in items] == ["Cowshed", "", "Pasture", "A" * 200]
    # In English the English caption, else the Chinese one; in Chinese always the Chinese.
    assert [i.caption("en") for i in items] == ["Cowshed", "草场", "Pasture", "A" * 200]
    assert [i.caption("zh") for i in items] == ["牛舍", "草场", "", "河"]

    ids = [i.photo_id for i in items]
    _edit(
        store,
        [
            {"photo_id": ids[0], "caption_zh": "牛舍", "caption_en": "  "},  # cleared
            {"photo_id": ids[1], "caption_zh": "草场", "caption_en": "Grassland"},
            {"photo_id": ids[2], "caption_zh": "新草场"},  # no English key: left as it is
            {"photo_id": ids[3], "caption_zh": "河", "caption_en": "A" * 200},
        ],
    )
    items = photo_items(store.load().bundle, "sites", SITE)
    assert [i.caption_en for i in items] == ["", "Grassland", "Pasture", "A" * 200]
    assert [i.caption_zh for i in items] == ["牛舍", "草场", "新草场", "河"]
    assert [i.caption("en") for i in items] == ["牛舍", "Grassland", "Pasture", "A" * 200]
    # The same captions again are no change at all.
    same = [
        {"photo_id": i.photo_id, "caption_zh": i.caption_zh, "caption_en": i.caption_en}
        for i in items
    ]
    assert photo_edits_change(store, "sites", SITE, same, user="li").upserts == []


def test_the_english_column_is_written_only_while_a_photo_has_an_english_caption(sample_dir):
    store = Store(sample_dir)
    _add(store, ["牛舍"])
    assert _header(sample_dir) == OLD_HEADER
    _add(store, ["草场"], ["Pasture"])
    assert _header(sample_dir) == NEW_HEADER  # after caption_zh
    text = (sample_dir / "photos.csv").read_text(encoding="utf-8")
    assert ",草场,Pasture," in text and ",牛舍,," in text
    assert store.load().ok
    items = photo_items(store.load().bundle, "sites", SITE)
    _edit(
        store,
        [{"photo_id": i.photo_id, "caption_zh": i.caption_zh, "caption_en": ""} for i in items],
    )
    assert _header(sample_dir) == OLD_HEADER
    assert [i.caption("en") for i in photo_items(store.load().bundle, "sites", SITE)] == [
        "牛舍",
        "草场",
    ]


def _as_written_before(folder) -> None:
    """Make the history as the app wrote it before caption_en: no such key in its records."""
    for path in (folder / ".history").glob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for change in doc["changes"]:
            for side in ("before", "after"):
                if change[side]:
                    change[side]["properties"].pop("caption_en", None)
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def test_a_photos_file_written_before_the_english_caption_loads_resaves_and_undoes(sample_dir):
    store = Store(sample_dir)
    added = _add(store, ["牛舍", ""])
    _as_written_before(sample_dir)
    before = (sample_dir / "photos.csv").read_text(encoding="utf-8")
    assert before.split("\n", 1)[0] == OLD_HEADER

    result = store.load()
    assert result.ok, [f.message_en for f in result.errors]
    rows = feature_photos(result.bundle, "sites", SITE)
    assert rows["caption_en"].isna().all()
    assert [i.caption("en") for i in photo_items(result.bundle, "sites", SITE)] == ["牛舍", ""]
    records = store.read_records("photos")
    assert codec("photos").text(list(records.values()), "") == before  # re-saved: the same

    # Undo and restore of a change recorded before the column: no conflict.
    store.save(store.undo_change(added.seq, "li"))
    assert feature_photos(store.load().bundle, "sites", SITE).empty
    store.save(store.restore_change("photos", added.seq, "li"))
    assert (sample_dir / "photos.csv").read_text(encoding="utf-8") == before

    # A Chinese caption edited: the file keeps its layout, only that line changes.
    first, second = photo_items(store.load().bundle, "sites", SITE)
    _edit(
        store,
        [
            {"photo_id": first.photo_id, "caption_zh": "新建牛舍"},
            {"photo_id": second.photo_id, "caption_zh": ""},
        ],
    )
    after = (sample_dir / "photos.csv").read_text(encoding="utf-8")
    assert after == before.replace(",牛舍,", ",新建牛舍,")


def test_copying_through_postgis_keeps_old_and_english_photo_files_byte_for_byte(
    pg_url, sample_dir, tmp_path
):
    from township_atlas.storage.postgis import copying

    store = Store(sample_dir)
    _add(store, ["牛舍"])
    for n, english in enumerate((None, ["Pasture <b>"])):
        if english:
            _add(store, ["草场"], english)
        report = copying.copy_in(pg_url, sample_dir, township="PH")
        assert not [en for _, en in report.notes if "photos.csv" in en]  # the app's format
        out = tmp_path / f"out{n}"
        copying.copy_out(pg_url, "PH", out)
        assert (out / "photos.csv").read_bytes() == (sample_dir / "photos.csv").read_bytes()
    assert _header(out) == NEW_HEADER


def test_the_dataset_export_carries_the_english_captions(store, tmp_path):
    from township_atlas.transfer import export_dataset

    _add(store, ["牛舍", "草场"], ["Cowshed"])
    _, data = export_dataset(store.load().bundle, "geojson", today=date(2025, 6, 1))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        text = zf.read("photos.csv").decode("utf-8-sig")
        zf.extractall(tmp_path / "unpacked")
    assert text.split("\n", 1)[0] == NEW_HEADER and ",牛舍,Cowshed," in text
    items = photo_items(Store(tmp_path / "unpacked").load().bundle, "sites", SITE)
    assert [i.caption("en") for i in items] == ["Cowshed", "草场"]
