"""A map picker's coordinates in one cell (issue 17.3/17.7): AMap copies "lng,lat"
("105.208472,35.123456"), Baidu's and Tencent's pickers "lat,lng"; full-width commas and
spaces too. A sites table with one column 坐标/经纬度/位置坐标 is read as points, the order
decided by the values; when they cannot tell, the import asks (on the page too); rows
without coordinates are listed, not dropped. Every file is made here by code."""

from __future__ import annotations

from pathlib import Path

import pytest

from township_atlas.storage.files.store import Store
from township_atlas.transfer import (
    CoordinateColumns,
    CoordinateOrderNeeded,
    CrsChoice,
    plan_import,
    preview_import,
    read_upload,
    suggest_crs,
    suggest_mapping,
)
from township_atlas.transfer.coordinates import pair_order, parse_pair

from .test_edit_page import _import_tab, accounts, edit_page, widget  # noqa: F401 (a fixture)
from .test_transfer_office_tables import FAST, _digest
from .test_transfer_support import sample_bundle

BUNDLE = sample_bundle()
WGS84 = CrsChoice("wgs84")
_VILLAGES = BUNDLE.villages.set_index("code")
P1 = _VILLAGES.loc["V01"].geometry.representative_point()  # 上庄村
P3 = _VILLAGES.loc["V03"].geometry.representative_point()  # 杏树坪村


def sites_csv(header: str, cells: list[str]) -> bytes:
    names = ["花椒示范园", "肉牛养殖基地", "蔬菜合作社", "核桃园"][: len(cells)]
    villages = ["上庄村", "杏树坪村", "上庄村", "杏树坪村"]
    lines = [f"名称,类型,产业,所在村,{header}"]
    for name, village, cell in zip(names, villages, cells, strict=False):
        lines.append(f'{name},示范基地,花椒,{village},"{cell}"')
    return ("\n".join(lines) + "\n").encode("utf-8")


def planned(data: bytes, **kwargs):
    raw = read_upload("基地.csv", data, **kwargs)
    mapping = suggest_mapping(raw, "sites")
    return raw, plan_import("基地.csv", data, "sites", BUNDLE, crs=WGS84, mapping=mapping, **kwargs)


def points(plan) -> dict[str, tuple[float, float]]:
    return {f["properties"]["name_zh"]: tuple(f["geometry"]["coordinates"]) for f in plan.features}


def close(a: tuple[float, float], b) -> bool:
    return abs(a[0] - b.x) < 1e-6 and abs(a[1] - b.y) < 1e-6


AMAP = [f"{P1.x:.7f},{P1.y:.7f}", f"{P3.x:.7f},{P3.y:.7f}"]
BAIDU = [f"{P1.y:.7f},{P1.x:.7f}", f"{P3.y:.7f},{P3.x:.7f}"]
FULL_WIDTH = [f"{P1.x:.7f}，{P1.y:.7f}", f" {P3.x:.7f} ，  {P3.y:.7f} "]


@pytest.mark.parametrize(
    ("header", "cells", "order"),
    [
        ("坐标", AMAP, "lonlat"),
        ("经纬度", BAIDU, "latlon"),
        ("位置坐标", FULL_WIDTH, "lonlat"),
    ],
)
def test_a_pair_in_one_cell_is_read_as_points_in_the_order_its_values_show(
    header: str, cells: list[str], order: str
) -> None:
    raw, plan = planned(sites_csv(header, cells))
    assert raw.coordinates == CoordinateColumns(pair=header, pair_order=order)
    assert header not in raw.columns  # the coordinate column is not an attribute
    got = points(plan)
    assert close(got["花椒示范园"], P1) and close(got["肉牛养殖基地"], P3)
    word = "“经度,纬度”" if order == "lonlat" else "“纬度,经度”"
    assert any(
        f"“{header}”列每格一对坐标" in n.message_zh and word in n.message_zh for n in raw.notes
    )
    assert not plan.errors, [p.message_zh for p in plan.errors]


def test_rows_without_a_pair_or_with_an_unreadable_one_are_listed_not_dropped() -> None:
    data = sites_csv("坐标", [AMAP[0], "", "见附件", "—"])
    _, plan = planned(data)
    assert set(points(plan)) == {"花椒示范园"}
    rows = sorted((p.row, p.field) for p in plan.errors)
    assert rows == [(3, "geometry"), (4, "geometry"), (5, "geometry")]
    assert plan.rejected_rows == [3, 4, 5]


def test_pair_order_takes_evidence_and_never_guesses() -> None:
    assert pair_order([(105.2, 35.1)]) == "lonlat"
    assert pair_order([(35.1, 105.2)]) == "latlon"
    assert pair_order([(-120.5, 40.0)]) == "lonlat"  # beyond ±90: only a longitude
    assert pair_order([(35.1, 45.2)]) is None  # both could be either, and not China
    assert pair_order([(105.2, 35.1), (35.1, 105.2)]) is None  # two pickers mixed
    assert pair_order([]) is None
    assert parse_pair("105°12′30.5″E，35°7′24.4″N") == pytest.approx(
        (105.208472, 35.123444), abs=1e-6
    )
    assert parse_pair("105° 12′ 30.5″E, 35° 7′ 24.4″N") == pytest.approx(
        (105.208472, 35.123444), abs=1e-6
    )
    assert parse_pair("105.2 35.1") == parse_pair("105.2/35.1") == (105.2, 35.1)
    assert parse_pair("  ") is None
    with pytest.raises(ValueError):
        parse_pair("105.2,35.1,12")


@pytest.mark.parametrize(
    "cells", [["35.1,45.2", "36.0,46.0"], [AMAP[0], BAIDU[1]]], ids=["ambiguous", "mixed"]
)
def test_an_order_the_values_cannot_tell_is_asked_and_nothing_is_written(
    cells: list[str], sample_dir: Path
) -> None:
    data = sites_csv("坐标", cells)
    with pytest.raises(CoordinateOrderNeeded) as info:
        read_upload("基地.csv", data)
    assert info.value.key == "xfer_pair_order_unknown"
    assert "“坐标”列每格是一对坐标" in info.value.message_zh and "高德" in info.value.message_zh
    assert "AMap's picker writes" in info.value.message_en
    before = _digest(sample_dir)
    bundle = Store(sample_dir).load().bundle
    with pytest.raises(CoordinateOrderNeeded):  # the same through the worker
        preview_import("基地.csv", data, "sites", bundle, worker=FAST)
    assert _digest(sample_dir) == before


def test_the_order_the_user_gives_is_used() -> None:
    data = sites_csv("坐标", ["35.1,45.2"])
    raw = read_upload("基地.csv", data, coordinates=CoordinateColumns(pair_order="latlon"))
    assert (raw.geometries[0].x, raw.geometries[0].y) == (45.2, 35.1)
    assert any("按您的选择读作“纬度,经度”" in n.message_zh for n in raw.notes)
    raw = read_upload("基地.csv", data, coordinates=CoordinateColumns(pair_order="lonlat"))
    assert (raw.geometries[0].x, raw.geometries[0].y) == (35.1, 45.2)


def test_separate_longitude_and_latitude_columns_still_win() -> None:
    lines = ["名称,经度,纬度,坐标", f"甲,{P1.x},{P1.y},备注"]
    raw = read_upload("a.csv", ("\n".join(lines) + "\n").encode())
    assert (raw.coordinates.lon, raw.coordinates.lat, raw.coordinates.pair) == (
        "经度",
        "纬度",
        None,
    )
    assert "坐标" in raw.columns


@pytest.mark.usefixtures("accounts")
def test_the_import_page_asks_for_the_order_and_then_plans(data_env: Path) -> None:
    before = _digest(data_env)
    bundle = Store(data_env).load().bundle
    x, y = bundle.villages.set_index("code").loc["V02"].geometry.representative_point().coords[0]
    # A pair whose two numbers are both latitudes by their size: the page asks for the order.
    data = sites_csv("坐标", [f"{y:.6f},{y:.6f}"])
    at = _import_tab(edit_page("pia"))
    at.file_uploader[0].set_value(("基地.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    assert any("看不出哪个是经度" in w.value for w in at.warning)
    order = widget(at, "radio", "每格坐标的顺序")
    assert order.options == ["经度,纬度(高德)", "纬度,经度(百度、腾讯)"]
    order.set_value("latlon").run()
    assert not at.exception, at.exception
    assert not any("看不出哪个是经度" in w.value for w in at.warning)
    assert any("按您的选择读作“纬度,经度”" in c.value for c in at.caption)
    assert widget(at, "selectbox", "源文件的坐标系")  # read: the next step is shown
    data = sites_csv("坐标", [f"{x:.6f}, {y:.6f}"])  # a clear file reads without asking
    at.file_uploader[0].set_value(("基地2.csv", data, "text/csv")).run()
    assert not any("看不出哪个是经度" in w.value for w in at.warning)
    assert any("按数值判断为“经度,纬度”" in c.value for c in at.caption)
    assert _digest(data_env) == before


def test_a_pair_column_named_for_amap_is_evidence_for_gcj02() -> None:
    data = sites_csv("高德坐标", AMAP)
    raw = read_upload("基地.csv", data)
    suggestion = suggest_crs(raw, BUNDLE)
    assert "坐标列名含'高德'" in suggestion.reason.message_zh
