"""Every page works with what a township being set up has: only the boundary, or the
boundary and the villages. No exception, and a note of what is missing (with a link to the
guide for planners) instead of empty charts."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from shapely.geometry import box, mapping
from streamlit.testing.v1 import AppTest

from township_atlas.geo.measure import geodesic_area_m2
from township_atlas.onboard import TownshipForm, start_township, township_change
from township_atlas.onboard.township import boundary_mapping
from township_atlas.storage.files.store import Store
from township_atlas.transfer import plan_import, suggest_mapping
from township_atlas.transfer.crs_choice import CrsChoice
from township_atlas.transfer.upload import Upload

from .accounts_helpers import install_accounts
from .apptest import open_page

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
DATA_PAGES = [
    "pages/map.py",
    "pages/overview.py",
    "pages/village.py",
    "pages/indicators.py",
    "pages/organisation.py",
    "pages/meeting.py",
]
TOWN = box(105.70, 35.96, 105.74, 35.98)
WGS84 = CrsChoice("wgs84")


def _geojson(*features: tuple[dict, object]) -> bytes:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": p, "geometry": mapping(g)} for p, g in features
            ],
        }
    ).encode()


def partial_folder(path: Path, *, villages: bool) -> Path:
    """A township folder with its boundary and figures, and the villages or not."""
    store = start_township(path, "pia")
    form = TownshipForm(
        "测试乡",
        "T1",
        {
            "reported_area_km2": round(geodesic_area_m2(TOWN) / 1e6, 3),
            "reported_villages": 2,
            "reported_branches": 3,
            "reported_members": 23,
            "reported_rural_branches": 2,
            "reported_rural_members": 18,
        },
    )
    data = _geojson(({"名称": "测试乡"}, TOWN))
    with Upload("乡界.geojson", data) as upload:
        raw = upload.read()
    mapping_ = boundary_mapping(suggest_mapping(raw, "township"), form, 1)
    plan = plan_import(
        "乡界.geojson", data, "township", store.load().bundle, crs=WGS84, mapping=mapping_
    )
    store.save(township_change(plan, form, store.read_records("township"), "pia"))
    if villages:
        data = _geojson(
            ({"村名": "东村", "村代码": "V1"}, box(105.70, 35.96, 105.72, 35.98)),
            ({"村名": "西村", "村代码": "V2"}, box(105.72, 35.96, 105.74, 35.98)),
        )
        plan = plan_import("村界.geojson", data, "villages", store.load().bundle, crs=WGS84)
        store.save(plan.to_change_set("pia"))
    return path


@pytest.fixture(params=["boundary", "villages"])
def partial(request, tmp_path, monkeypatch) -> str:
    monkeypatch.setenv("TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS", "0")
    install_accounts(tmp_path, monkeypatch)
    folder = partial_folder(tmp_path / "t", villages=request.param == "villages")
    monkeypatch.setenv("TOWNSHIP_ATLAS_DATA_DIR", str(folder))
    assert not Store(folder).load().errors
    return request.param


def texts(at: AppTest) -> str:
    parts = [e.value for e in [*at.error, *at.warning, *at.info, *at.success]]
    return "\n".join(str(p) for p in parts)


def guide_links(at: AppTest) -> list[str]:
    return [link.label for link in at.get("page_link") if link.label == "打开“建立本乡数据”向导"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_a_township_being_set_up(partial, page):
    for who in (None, "pia"):
        at = open_page(page, login_as=who, last_seen=time.time())
        assert not at.exception, (page, who, at.exception)


@pytest.mark.parametrize("page", DATA_PAGES)
def test_data_pages_say_what_is_missing_and_planners_get_a_link_to_the_guide(partial, page):
    planner = open_page(page, login_as="pia", last_seen=time.time())
    assert not planner.exception, planner.exception
    if page != "pages/meeting.py":  # the meeting page is the slides, without a title
        assert planner.title[0].value.startswith("测试乡 · ")
    assert "还没有" in texts(planner), page
    assert guide_links(planner), page
    visitor = open_page(page)
    assert "还没有" in texts(visitor) and not guide_links(visitor), page
