"""AppTest of photos (issue 20): a planner adds two photos to a site from its form on the
editing page, the map's details panel and the village page show them, a photo taken far
away asks "is this the right place?", and a viewer can add none. Images made by code."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from township_atlas.storage.files import history
from township_atlas.storage.files.store import Store
from township_atlas.transfer.photo_add import feature_point
from township_atlas.views.photos import feature_photos

from .apptest import ROOT, open_page
from .photo_images import add_photos, camera_jpeg, encoded
from .test_edit_page import (
    accounts,  # noqa: F401 - the page tests' fixture
    edit_page,
    texts,
    widget,
)

SITE = "S001"  # a site of village V01
UPLOADER = f"photo_sites_{SITE}_0_files"


def _images(at: AppTest) -> int:
    """How many pictures the page shows (st.image elements)."""
    return len(at.get("image"))


def _add_two(at: AppTest, folder) -> AppTest:
    lon, lat = feature_point(Store(folder).load().bundle, "sites", SITE)
    at.file_uploader(key=UPLOADER).set_value(
        [
            ("牛舍.jpg", camera_jpeg(lon, lat), "image/jpeg"),
            ("草场.png", encoded("PNG"), "image/png"),
        ]
    ).run()
    assert not at.exception, at.exception
    widget(at, "text_input", "牛舍.jpg").set_value("新建牛舍")
    return widget(at, "button", "添加照片").click().run()


@pytest.mark.usefixtures("accounts")
def test_a_planner_adds_two_photos_and_the_panel_and_village_page_show_them(data_env):
    at = edit_page("pia", layer="sites", id=SITE)
    assert not at.exception, at.exception
    assert any(s.value == "照片" for s in at.subheader)
    at = _add_two(at, data_env)
    assert not at.exception, at.exception
    assert "已添加 2 张照片" in texts(at)
    rows = feature_photos(Store(data_env).load().bundle, "sites", SITE)
    assert list(rows["caption_zh"].fillna("")) == ["新建牛舍", ""]
    assert history.entries(data_env, "photos")[-1].user == "pia"
    assert _images(at) == 2  # the form shows them too

    panel = open_page("pages/map.py", query={"sel": f"site:{SITE}"}, direct=True)
    assert not panel.exception, panel.exception
    assert _images(panel) == 2
    widget(panel, "button", "查看大图").click().run()
    assert not panel.exception, panel.exception
    assert _images(panel) == 3  # the larger picture in its dialog

    village = open_page("pages/village.py", query={"village": "V01"}, direct=True)
    assert not village.exception, village.exception
    assert any(s.value == "点位和党组织照片" for s in village.subheader)
    assert _images(village) == 2

    # Never published under the public static folder (by name or by content): served
    # only through st.image. A stored file's name is the SHA-256 of its bytes.
    names = {Path(f).stem for f in [*rows["file"], *rows["thumb"]]}
    static = [p for p in (ROOT / "static").rglob("*") if p.is_file()]
    assert not [p for p in static if p.stem in names]
    assert not [p for p in static if hashlib.sha256(p.read_bytes()).hexdigest() in names]


@pytest.mark.usefixtures("accounts")
def test_a_photo_taken_far_away_asks_is_this_the_right_place(data_env):
    lon, lat = feature_point(Store(data_env).load().bundle, "sites", SITE)
    at = edit_page("pia", layer="sites", id=SITE)
    at.file_uploader(key=UPLOADER).set_value(
        [("远处.jpg", camera_jpeg(lon, lat + 0.01), "image/jpeg")]
    ).run()
    widget(at, "text_input", "远处.jpg 的英文说明").set_value("Far field")
    widget(at, "button", "添加照片").click().run()
    assert not at.exception, at.exception
    assert "是这个地方吗" in texts(at)
    assert feature_photos(Store(data_env).load().bundle, "sites", SITE).empty
    widget(at, "button", "添加照片").click().run()
    assert "请先确认照片的地点" in texts(at)
    assert feature_photos(Store(data_env).load().bundle, "sites", SITE).empty
    widget(at, "checkbox", "是的").check().run()
    widget(at, "button", "添加照片").click().run()
    assert not at.exception, at.exception
    rows = feature_photos(Store(data_env).load().bundle, "sites", SITE)
    assert list(rows["caption_en"]) == ["Far field"]  # kept while the page asked


@pytest.mark.usefixtures("accounts")
def test_a_refused_photo_is_said_and_the_good_one_still_added(data_env):
    at = edit_page("pia", layer="sites", id=SITE)
    at.file_uploader(key=UPLOADER).set_value(
        [
            ("好.png", encoded("PNG"), "image/png"),
            ("坏.jpg", encoded("PNG"), "image/jpeg"),  # a PNG named .jpg
        ]
    ).run()
    widget(at, "button", "添加照片").click().run()
    assert not at.exception, at.exception
    assert "坏.jpg" in texts(at) and "不是它的扩展名所说的" in texts(at)
    assert len(feature_photos(Store(data_env).load().bundle, "sites", SITE)) == 1


@pytest.mark.parametrize("who", [None, "vic"])
@pytest.mark.usefixtures("accounts")
def test_a_viewer_can_add_no_photo(data_env, who):
    before = sorted(p.name for p in data_env.iterdir())
    at = edit_page(who, layer="sites", id=SITE)
    assert not at.exception
    assert not at.get("file_uploader") and not at.button
    assert not any(s.value == "照片" for s in at.subheader)
    assert sorted(p.name for p in data_env.iterdir()) == before


@pytest.mark.usefixtures("accounts")
def test_photos_are_not_shown_when_anonymous_viewing_is_off(data_env, monkeypatch):
    at = _add_two(edit_page("pia", layer="sites", id=SITE), data_env)
    assert "已添加 2 张照片" in texts(at)
    monkeypatch.setenv("TOWNSHIP_ATLAS_ANONYMOUS_VIEWING", "false")
    anonymous = open_page("pages/map.py", query={"sel": f"site:{SITE}"}, direct=True)
    assert _images(anonymous) == 0
    viewer = open_page(
        "pages/map.py",
        login_as="vic",
        last_seen=time.time(),
        query={"sel": f"site:{SITE}"},
        direct=True,
    )
    assert not viewer.exception, viewer.exception
    assert _images(viewer) == 2


def _map_panel(who: str | None) -> AppTest:
    return open_page(
        "pages/map.py",
        login_as=who,
        last_seen=time.time(),
        query={"sel": f"site:{SITE}"},
        direct=True,
    )


@pytest.mark.usefixtures("accounts")
def test_a_planner_adds_photos_from_the_maps_details_panel(data_env):
    panel = _map_panel("pia")
    assert not panel.exception, panel.exception
    assert _images(panel) == 0
    # … and a link to the feature's form for captions, order and deleting
    (link,) = [e.proto for e in panel.get("page_link") if "照片" in e.proto.label]
    assert link.page.endswith("edit") and f"id={SITE}" in link.query_string
    assert "layer=sites" in link.query_string and "tab=map" in link.query_string
    panel = _add_two(panel, data_env)
    assert not panel.exception, panel.exception
    assert "已添加 2 张照片" in texts(panel)
    assert _images(panel) == 2  # shown at once, above the adder
    rows = feature_photos(Store(data_env).load().bundle, "sites", SITE)
    assert list(rows["caption_zh"].fillna("")) == ["新建牛舍", ""]
    assert history.entries(data_env, "photos")[-1].user == "pia"


@pytest.mark.parametrize("who", [None, "vic"])
@pytest.mark.usefixtures("accounts")
def test_the_details_panel_offers_no_adding_to_viewers(data_env, who):
    panel = _map_panel(who)
    assert not panel.exception, panel.exception
    assert not panel.get("file_uploader")
    assert not [e for e in panel.get("page_link") if "照片" in e.proto.label]


@pytest.mark.usefixtures("accounts")
def test_captions_order_and_removal_in_the_forms_editor_are_saved_as_one_change(data_env):
    at = _add_two(edit_page("pia", layer="sites", id=SITE), data_env)
    assert "已添加 2 张照片" in texts(at)
    before = feature_photos(Store(data_env).load().bundle, "sites", SITE)
    first, second = before["photo_id"]
    # The editor of the form (its key carries the nonce bumped by the save): swap the two,
    # caption the second; AppTest applies a data_editor's edits through its state.
    key = f"photo_edit_sites_{SITE}_1"
    assert at.data_editor(key=key).value["caption"].tolist() == ["新建牛舍", ""]
    at.session_state[key] = {
        "edited_rows": {0: {"order": 2}, 1: {"order": 1, "caption": "草场全景"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at = widget(at.run(), "button", "保存说明和顺序").click().run()
    assert not at.exception, at.exception
    assert "照片已更新" in texts(at)
    after = feature_photos(Store(data_env).load().bundle, "sites", SITE)
    assert list(after["photo_id"]) == [second, first]
    assert list(after["caption_zh"].fillna("")) == ["草场全景", "新建牛舍"]
    # Untick "keep" on one: it goes, in one more change; the other stays.
    key = f"photo_edit_sites_{SITE}_2"
    at.session_state[key] = {
        "edited_rows": {1: {"keep": False}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at = widget(at.run(), "button", "保存说明和顺序").click().run()
    assert not at.exception, at.exception
    left = feature_photos(Store(data_env).load().bundle, "sites", SITE)
    assert list(left["photo_id"]) == [second]
    assert len(history.entries(data_env, "photos")) == 3  # added, edited, removed


@pytest.mark.usefixtures("accounts")
def test_saving_an_unchanged_editor_says_so_and_records_nothing(data_env):
    at = _add_two(edit_page("pia", layer="sites", id=SITE), data_env)
    n = len(history.entries(data_env, "photos"))
    at = widget(at, "button", "保存说明和顺序").click().run()
    assert not at.exception, at.exception
    assert "没有改动" in texts(at)
    assert len(history.entries(data_env, "photos")) == n


def _add_org_photo(folder, org_id: str, caption: str) -> None:
    add_photos(folder, "party_orgs", org_id, [encoded("PNG")], [caption])


def test_the_organisation_page_shows_the_photos_of_the_organisations_in_view(data_env):
    _add_org_photo(data_env, "B01", "上庄村党支部活动室")
    _add_org_photo(data_env, "B02", "河湾村党支部会议")
    at = open_page("pages/organisation.py", direct=True)
    assert not at.exception, at.exception
    assert any(s.value == "党组织照片" for s in at.subheader)
    assert _images(at) == 2
    captions = " ".join(str(i.proto.imgs[0].caption) for i in at.get("image"))
    assert "上庄村党支部活动室" in captions and "河湾村党支部会议" in captions
    # Focused on one branch (the link's ?branch=): only its photos.
    one = open_page("pages/organisation.py", query={"branch": "B02"}, direct=True)
    assert not one.exception, one.exception
    assert _images(one) == 1
    assert "河湾村党支部会议" in str(one.get("image")[0].proto.imgs[0].caption)


def test_the_organisation_page_has_no_photo_part_without_photos(data_env):
    at = open_page("pages/organisation.py", direct=True)
    assert not at.exception, at.exception
    assert not any(s.value == "党组织照片" for s in at.subheader)
    assert _images(at) == 0


# --- English captions (caption_en) ------------------------------------------------------
# Markdown and HTML an English caption might carry: it must stay text wherever it is shown.
HOSTILE_EN = "[log in](http://evil.example) ![x](http://evil.example/x.png) <img src=x>"


def _dialog_titles(at: AppTest) -> list[str]:
    """The titles of the dialogs open on the page."""
    found: list[str] = []

    def walk(node) -> None:
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", "") == "dialog":
                found.append(child.proto.dialog.title)
            walk(child)

    walk(at._tree)
    return found


@pytest.mark.usefixtures("accounts")
def test_a_planner_adds_and_edits_english_captions_and_english_pages_show_them(data_env):
    at = edit_page("pia", layer="sites", id=SITE)
    lon, lat = feature_point(Store(data_env).load().bundle, "sites", SITE)
    at.file_uploader(key=UPLOADER).set_value(
        [
            ("牛舍.jpg", camera_jpeg(lon, lat), "image/jpeg"),
            ("草场.png", encoded("PNG"), "image/png"),
        ]
    ).run()
    # Optional and folded away: one English box per photo, inside one expander.
    assert any(e.label == "英文说明(可选)" for e in at.expander)
    widget(at, "text_input", "牛舍.jpg 的说明").set_value("[新建](http://evil.example)牛舍")
    widget(at, "text_input", "牛舍.jpg 的英文说明").set_value("New cowshed")
    widget(at, "text_input", "草场.png 的英文说明").set_value(HOSTILE_EN)
    at = widget(at, "button", "添加照片").click().run()
    assert not at.exception, at.exception
    assert "已添加 2 张照片" in texts(at)
    rows = feature_photos(Store(data_env).load().bundle, "sites", SITE)
    assert list(rows["caption_en"]) == ["New cowshed", HOSTILE_EN]

    # The form's editor has an English column; an edit there is saved.
    key = f"photo_edit_sites_{SITE}_1"
    assert at.data_editor(key=key).value["caption_en"].tolist() == ["New cowshed", HOSTILE_EN]
    at.session_state[key] = {
        "edited_rows": {0: {"caption_en": "Cowshed, rebuilt"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at = widget(at.run(), "button", "保存说明和顺序").click().run()
    assert not at.exception, at.exception
    rows = feature_photos(Store(data_env).load().bundle, "sites", SITE)
    assert list(rows["caption_en"]) == ["Cowshed, rebuilt", HOSTILE_EN]
    assert list(rows["caption_zh"].fillna("")) == ["[新建](http://evil.example)牛舍", ""]

    # In English the English captions (as plain image captions); in Chinese the Chinese.
    english = open_page("pages/map.py", query={"sel": f"site:{SITE}", "lang": "en"}, direct=True)
    assert not english.exception, english.exception
    shown = [str(i.proto.imgs[0].caption) for i in english.get("image")]
    assert shown[0].startswith("Cowshed, rebuilt") and shown[1].startswith("[log in](http")
    chinese = open_page("pages/map.py", query={"sel": f"site:{SITE}"}, direct=True)
    shown = [str(i.proto.imgs[0].caption) for i in chinese.get("image")]
    assert shown[0].startswith("[新建](http") and "Cowshed" not in " ".join(shown)
    # The larger view's title is Markdown: the caption is escaped there, in either language.
    [b for b in english.button if b.label == "View larger"][1].click().run()
    (title,) = _dialog_titles(english)
    assert title.startswith("\\[log in\\](http") and "!\\[x\\]" in title and "\\<img" in title
    widget(chinese, "button", "查看大图").click().run()
    (title,) = _dialog_titles(chinese)
    assert title.startswith("\\[新建\\](http")


@pytest.mark.usefixtures("accounts")
def test_a_photo_without_an_english_caption_shows_its_chinese_one_in_english(data_env):
    add_photos(
        data_env, "sites", SITE, [encoded("PNG"), encoded("PNG", 200, 100)], ["牛舍", "草场"]
    )
    village = open_page("pages/village.py", query={"village": "V01", "lang": "en"}, direct=True)
    assert not village.exception, village.exception
    shown = [str(i.proto.imgs[0].caption) for i in village.get("image")]
    assert shown == ["牛舍", "草场"]
