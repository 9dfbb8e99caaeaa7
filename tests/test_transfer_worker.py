"""Uploads run in a worker process with a time and a memory limit: the hostile corpus of
issue 15 (every file generated here), sent through the same worker the page uses, with
small limits so each case is quick. Each case checks the message, that no temporary
folder is left behind, and (through the page) that the data folder is unchanged."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import re
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from township_atlas.transfer import (
    CrsChoice,
    Limits,
    TransferError,
    WorkerFailed,
    WorkerLimits,
    plan_import,
    plan_import_isolated,
    preview_import,
    run_isolated,
)
from township_atlas.transfer.worker_results import safe_loads

from .test_edit_page import accounts  # noqa: F401 - the page tests' fixture
from .test_transfer_support import geojson_bytes, point_feature, sample_bundle, zip_bytes
from .worker_jobs import (
    Evil,
    _arrow_strings,
    _eat_memory,
    _echo,
    _evil_result,
    _hang,
    _parse_deep_wkt,
    _segfault,
    _spin,
)

BUNDLE = sample_bundle()
WGS84 = CrsChoice("wgs84")
POINT = BUNDLE.villages.set_index("code").loc["V03"].geometry.representative_point()
X, Y = POINT.x, POINT.y
FAST = WorkerLimits(seconds=5, memory_mb=256)  # small limits: every case is quick
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module", autouse=True)
def warm_worker() -> None:
    """Start the forkserver once (it imports the transfer modules: a few seconds), so the
    time each case takes is the job's own."""
    run_isolated(_echo, "", data=b"", worker=WorkerLimits(seconds=60, memory_mb=256))


@pytest.fixture(autouse=True)
def private_tmp(tmp_path, monkeypatch) -> Path:
    """Upload folders go to a folder of this test only, checked empty afterwards."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    left = [p.name for p in folder.iterdir() if p.name.startswith("atlas-upload-")]
    assert not left, f"temporary upload folders left behind: {left}"


# --- hostile files, generated ---------------------------------------------------------
def nested_collection_csv(depth: int = 50_000) -> bytes:
    wkt = "GEOMETRYCOLLECTION(" * depth + f"POINT({X} {Y})" + ")" * depth
    return f'名称,wkt\n点,"{wkt}"\n'.encode()


def nested_collection_xlsx(depth: int = 50_000) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["名称", "wkt"])
    book.active.append(["点", "GEOMETRYCOLLECTION(" * depth + f"POINT({X} {Y})" + ")" * depth])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def kml_nested(depth: int, element: str = "Folder") -> bytes:
    if element == "Folder":
        body = "<Folder>" * depth + _placemark() + "</Folder>" * depth
    else:
        point = f"<Point><coordinates>{X},{Y}</coordinates></Point>"
        geom = "<MultiGeometry>" * depth + point + "</MultiGeometry>" * depth
        body = f"<Placemark><name>a</name>{geom}</Placemark>"
    return (
        '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        + body
        + "</Document></kml>"
    ).encode()


def _placemark() -> str:
    return f"<Placemark><name>a</name><Point><coordinates>{X},{Y}</coordinates></Point></Placemark>"


def geojson_long_number() -> bytes:
    return (
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":'
        + b"9" * 5000
        + b'},"geometry":{"type":"Point","coordinates":[105.7,35.9]}}]}'
    )


def deep_json(depth: int = 100_000) -> bytes:
    return b'{"type":"FeatureCollection","features":' + b"[" * depth + b"]" * depth + b"}"


def geojson_in_csv_cell(depth: int = 5000) -> bytes:
    cell = '{"type":"GeometryCollection","geometries":' + "[" * depth + "]" * depth + "}"
    return ('名称,geom\n点,"' + cell.replace('"', '""') + '"\n').encode()


def long_member_name() -> bytes:
    return zip_bytes({"长" * 100 + ".csv": f"lon,lat\n{X},{Y}\n".encode()})


def file_and_folder_zip() -> bytes:
    return zip_bytes({"x.csv": b"lon,lat\n1,2\n", "x.csv/y.csv": b"lon,lat\n1,2\n"})


def _shapefile_files(tmp: Path, n: int, stem: str = "a") -> dict[str, bytes]:
    folder = tmp / f"shp{n}"
    folder.mkdir(exist_ok=True)
    frame = gpd.GeoDataFrame(
        {"名称": [f"点{i}" for i in range(n)]},
        geometry=[shapely.Point(X + i * 1e-4, Y) for i in range(n)],
        crs=4326,
    )
    frame.to_file(folder / f"{stem}.shp", engine="pyogrio")
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def shp_dbf_mismatch(tmp: Path) -> bytes:
    three, one = _shapefile_files(tmp, 3), _shapefile_files(tmp, 1)
    return zip_bytes({**three, "a.dbf": one["a.dbf"]})


def rot13_cpg(tmp: Path) -> bytes:
    return zip_bytes({**_shapefile_files(tmp, 2), "a.cpg": b"rot13"})


def gpkg_with(tmp: Path, sql: str) -> bytes:
    path = tmp / "x.gpkg"
    path.unlink(missing_ok=True)
    gpd.GeoDataFrame({"名称": ["a"]}, geometry=[shapely.Point(X, Y)], crs=4326).to_file(
        path, engine="pyogrio", layer="sites"
    )
    with sqlite3.connect(path) as db:
        db.executescript(sql)
    return path.read_bytes()


# A view that never ends: a recursive query without a stop, registered as a layer.
RECURSIVE_VIEW = """
CREATE VIEW forever AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
    SELECT x AS fid, x FROM c;
INSERT INTO gpkg_contents (table_name, data_type, identifier) VALUES ('forever', 'attributes', 'forever');
"""
OWN_TRIGGER = "CREATE TRIGGER mine AFTER INSERT ON sites BEGIN DELETE FROM sites; END;"


def xlsx_part_utf16_dtd() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["经度", "纬度"])
    book.active.append([X, Y])
    out = io.BytesIO()
    book.save(out)
    src = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    members = {i.filename: src.read(i) for i in src.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode("utf-8")
    if sheet.startswith("<?xml"):
        sheet = sheet.split("?>", 1)[1]
    doctype = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    declaration = '<?xml version="1.0" encoding="UTF-16"?>'
    members["xl/worksheets/sheet1.xml"] = (declaration + doctype + sheet).encode("utf-16")
    return zip_bytes(members)


def wide_csv(rows: int, columns: int) -> bytes:
    header = "名称,经度,纬度," + ",".join(f"c{i}" for i in range(columns - 3))
    line = f"点,{X},{Y}," + ",".join("1" for _ in range(columns - 3))
    return (header + "\n" + (line + "\n") * rows).encode()


def wide_xlsx(rows: int, columns: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["名称", "经度", "纬度", *[f"c{i}" for i in range(columns - 3)]])
    for _ in range(rows):
        sheet.append(["点", X, Y, *([1] * (columns - 3))])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def long_line(vertices: int) -> bytes:
    coords = [[X + i * 1e-7, Y] for i in range(vertices)]
    feature = {
        "type": "Feature",
        "properties": {"name_zh": "线"},
        "geometry": {"type": "LineString", "coordinates": coords},
    }
    return geojson_bytes([feature])


Build = Callable[[Path], tuple[str, bytes]]
# (id, build -> (file name, bytes), message key, words both messages hold, limits)
WORKER_CASES: list[tuple[str, Build, str, tuple[str, ...], Limits | None]] = [
    ("gc-50000-deep-csv", lambda t: ("gc.csv", nested_collection_csv()), "xfer_too_deep", ("64",), None),
    ("gc-50000-deep-xlsx", lambda t: ("gc.xlsx", nested_collection_xlsx()), "xfer_too_deep", ("64",), None),
    ("kml-200000-deep", lambda t: ("a.kml", kml_nested(200_000)), "xfer_too_deep", ("XML",), None),
    ("kml-folders-3000-deep", lambda t: ("a.kml", kml_nested(3000)), "xfer_too_deep", ("XML",), None),
    ("kml-multigeometry-3000-deep", lambda t: ("a.kml", kml_nested(3000, "MultiGeometry")), "xfer_too_deep",
     ("XML",), None),
    ("geojson-5000-digit-number", lambda t: ("a.geojson", geojson_long_number()), "xfer_json_number_too_long",
     ("5000",), None),
    ("deep-json", lambda t: ("a.geojson", deep_json()), "xfer_too_deep", ("JSON",), None),
    ("geojson-text-in-csv-cell", lambda t: ("a.csv", geojson_in_csv_cell()), "xfer_too_deep", ("JSON",), None),
    ("zip-member-name-too-long", lambda t: ("a.zip", long_member_name()), "xfer_zip_name_too_long",
     ("304", "255"), None),
    ("zip-file-and-folder", lambda t: ("a.zip", file_and_folder_zip()), "xfer_zip_file_and_folder", ("x.csv",),
     None),
    ("shp-3-records-dbf-1", lambda t: ("a.zip", shp_dbf_mismatch(t)), "xfer_shp_dbf_mismatch", ("3", "1", ".dbf"),
     None),
    ("gpkg-recursive-view", lambda t: ("a.gpkg", gpkg_with(t, RECURSIVE_VIEW)), "xfer_gpkg_views", ("forever",),
     None),
    ("gpkg-own-trigger", lambda t: ("a.gpkg", gpkg_with(t, OWN_TRIGGER)), "xfer_gpkg_views", ("mine",), None),
    ("xlsx-utf16-part-with-dtd", lambda t: ("a.xlsx", xlsx_part_utf16_dtd()), "xfer_xml_dtd", ("DTD",), None),
    ("csv-too-many-cells", lambda t: ("a.csv", wide_csv(30_000, 72)), "xfer_too_many_cells", ("72", "2,000,000"),
     None),
    ("xlsx-too-many-cells", lambda t: ("a.xlsx", wide_xlsx(300, 46)), "xfer_too_many_cells", ("46", "10,000"),
     Limits(max_cells=10_000)),
    ("shapefile-too-many-cells", lambda t: ("a.zip", zip_bytes(_shapefile_files(t, 30))), "xfer_too_many_cells",
     ("30", "50"), Limits(max_cells=50)),
    ("text-too-long", lambda t: ("a.geojson", geojson_bytes([point_feature({"name_zh": "名" * 20_000}, X, Y)])),
     "xfer_text_too_long", ("20000", "10000"), None),
    ("geometry-text-too-long", lambda t: ("a.csv", nested_collection_csv(10)), "xfer_geometry_text_too_long",
     ("100",), Limits(max_geometry_text_chars=100)),
    ("one-feature-too-many-vertices", lambda t: ("a.geojson", long_line(5000)), "xfer_too_many_vertices",
     ("5000", "1000"), Limits(max_vertices=1000)),
    ("layer-too-many-vertices", lambda t: ("a.geojson", long_line(5000)), "xfer_layer_too_many_vertices",
     ("5000", "2000"), Limits(max_layer_vertices=2000)),
]  # fmt: skip


def _assert_message(error: TransferError, key: str, words: tuple[str, ...]) -> None:
    assert error.key == key, (error.key, error.message_en)
    assert CJK.search(error.message_zh), error.message_zh
    for word in words:
        assert word in error.message_zh and word in error.message_en, (
            word,
            error.message_zh,
            error.message_en,
        )


@pytest.mark.parametrize(
    ("case", "build", "key", "words", "limits"), WORKER_CASES, ids=[c[0] for c in WORKER_CASES]
)
def test_hostile_uploads_become_messages_in_the_worker(
    tmp_path, case, build, key, words, limits
) -> None:
    name, data = build(tmp_path)
    started = time.monotonic()
    with pytest.raises(TransferError) as info:
        preview_import(name, data, "sites", BUNDLE, limits=limits or Limits(), worker=FAST)
    _assert_message(info.value, key, words)
    assert not isinstance(info.value, WorkerFailed)  # refused by a check, not by a kill
    assert time.monotonic() - started < FAST.seconds


def test_an_unknown_cpg_codec_is_named_and_the_detected_encoding_used(tmp_path) -> None:
    preview = preview_import("a.zip", rot13_cpg(tmp_path), "sites", BUNDLE, worker=FAST)
    assert preview.encoding is not None and preview.encoding.codec == "UTF-8"
    note = preview.encoding.reason
    assert note.key == "xfer_encoding_cpg_unknown"
    assert "rot13" in note.message_zh and "rot13" in note.message_en
    assert "UTF-8" in note.message_en


@pytest.mark.parametrize("codec", ["utf-32", "utf-16"])
def test_a_utf32_or_utf16_csv_is_decoded_by_its_byte_order_mark(codec) -> None:
    data = f"名称,经度,纬度\n上庄,{X},{Y}\n".encode(codec)
    # One new point matches nothing of the township: the CRS is given (it is not guessed).
    preview = preview_import("a.csv", data, "sites", BUNDLE, worker=FAST, crs=WGS84)
    assert preview.encoding is not None and preview.encoding.codec == codec.upper()
    assert preview.columns == ["名称"]  # 经度 and 纬度 were recognised as coordinates
    assert preview.plan is not None and preview.plan.total_rows == 1


def test_a_layer_whose_every_geometry_is_too_large_says_so_not_choose_a_crs() -> None:
    with pytest.raises(TransferError) as info:
        plan_import("a.geojson", long_line(5000), "sites", BUNDLE, limits=Limits(max_vertices=1000))
    _assert_message(info.value, "xfer_too_many_vertices", ("5000",))


# --- the worker itself ----------------------------------------------------------------
@pytest.mark.parametrize("job", [_segfault, _parse_deep_wkt], ids=["sigsegv", "geos-deep-wkt"])
def test_a_worker_that_segfaults_becomes_a_message(job) -> None:
    with pytest.raises(WorkerFailed) as info:
        run_isolated(job, data=b"x", worker=FAST)
    _assert_message(info.value, "xfer_worker_crashed", ("SIGSEGV", "256"))
    # and the next job runs: the server side is unaffected
    assert run_isolated(_echo, "!", data=b"ok", worker=FAST)["data"] == b"ok!"


def _gone(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("job", [_hang, _spin], ids=["sleeping", "busy"])
def test_a_worker_past_its_time_is_killed_and_the_message_names_the_limit(job) -> None:
    pids: list[int] = []
    started = time.monotonic()
    with pytest.raises(WorkerFailed) as info:
        run_isolated(
            job,
            data=b"x",
            worker=WorkerLimits(seconds=2, memory_mb=256),
            progress=lambda f, m: pids.append(int(m)),
        )
    elapsed = time.monotonic() - started
    _assert_message(info.value, "xfer_worker_timeout", ("2",))
    # Not stopped before its limit; that it was stopped at all is the call returning (the
    # job never ends by itself) and its process being gone. No upper bound in seconds: on a
    # loaded machine the kill is late but still certain.
    assert elapsed >= 2, elapsed
    assert pids and _gone(pids[0]), "the worker was killed"


def test_a_worker_past_its_memory_is_stopped_and_the_message_names_the_limit() -> None:
    with pytest.raises(WorkerFailed) as info:
        run_isolated(_eat_memory, data=b"x", worker=FAST)
    _assert_message(info.value, "xfer_worker_memory", ("256",))


def test_arrow_strings_fit_in_the_default_memory_limit() -> None:
    # Arrow's mimalloc reserved address space by the gigabyte at its first allocation: at
    # the default 1024 MB that took the whole allowance and a tiny sites sheet planned into
    # an empty layer (pandas makes Arrow strings of its ids) was refused for memory.
    got = run_isolated(_arrow_strings, data=b"x", worker=WorkerLimits(seconds=20, memory_mb=1024))
    assert got == "system"


def test_the_worker_runs_under_limits_in_its_own_process_group_and_folder() -> None:
    got = run_isolated(_echo, "!", data=b"abc", worker=WorkerLimits(seconds=7, memory_mb=300))
    assert got["data"] == b"abc!"
    limits = got["limits"]
    assert limits["cpu"] == 8 and limits["core"] == 0 and limits["nofile"] <= 256
    assert limits["as"] < 4 * 2**30  # preloaded libraries + 300 MB, not unlimited
    assert Path(limits["tmp"]).name.startswith("atlas-upload-") and limits["pgid"]
    kept = {"PATH", "LANG", "HOME", "TZ", "PYTHONPATH", "TMPDIR"}
    extra = [
        n for n in limits["env"] if n not in kept and not n.startswith(("LC_", "PROJ", "GDAL_"))
    ]
    assert not extra, extra  # no setting, URL or secret of the server reaches the worker


def test_a_result_that_would_run_code_on_the_server_is_refused() -> None:
    with pytest.raises(WorkerFailed) as info:
        run_isolated(_evil_result, data=b"x", worker=FAST)
    _assert_message(info.value, "xfer_worker_bad_result", ("posix.system",))
    with pytest.raises(pickle.UnpicklingError):
        safe_loads(pickle.dumps(Evil()))
    with pytest.raises(pickle.UnpicklingError):
        safe_loads(pickle.dumps(Path("/etc/passwd")))


def test_progress_from_the_worker_reaches_the_caller_and_the_plan_matches_in_process() -> None:
    lines = [f"名称,类型,产业,经度,纬度\n导入基地,示范基地,蔬菜,{X},{Y}\n"]
    data = "".join(lines).encode()
    seen: list[tuple[float, str]] = []
    isolated = plan_import_isolated(
        "a.csv", data, "sites", BUNDLE, worker=FAST, crs=WGS84,
        progress=lambda f, m: seen.append((f, m)),
    )  # fmt: skip
    local = plan_import("a.csv", data, "sites", BUNDLE, crs=WGS84)
    assert isolated.features == local.features and len(isolated.features) == 1
    assert [p.message_en for p in isolated.problems] == [p.message_en for p in local.problems]
    assert seen and any("a.csv" in m for _, m in seen) and seen[-1][0] == 1.0


def test_a_zip_bomb_and_errors_of_reading_come_back_as_their_own_class() -> None:
    from township_atlas.transfer import UnreadableFile

    with pytest.raises(UnreadableFile) as info:
        preview_import("a.geojson", b'{"type":', "sites", BUNDLE, worker=FAST)
    assert info.value.key == "xfer_json_malformed"


# --- through the page: message shown, data folder unchanged ---------------------------
def _folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


PAGE_CASES = [c for c in WORKER_CASES if c[4] is None]  # the page uses the default limits


@pytest.mark.parametrize(
    ("case", "build", "key", "words", "limits"), PAGE_CASES, ids=[c[0] for c in PAGE_CASES]
)
@pytest.mark.usefixtures("accounts")
def test_the_import_page_shows_the_message_and_writes_nothing(
    data_env, tmp_path, case, build, key, words, limits, monkeypatch
) -> None:
    from .test_edit_page import edit_page

    monkeypatch.setenv("TOWNSHIP_ATLAS_UPLOAD_WORKER_SECONDS", "10")
    monkeypatch.setenv("TOWNSHIP_ATLAS_UPLOAD_WORKER_MEMORY_MB", "256")
    before = _folder_digest(data_env)
    at = edit_page("pia")
    at = at.segmented_control[0].set_value("import").run()
    name, data = build(tmp_path)
    at.file_uploader[0].set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, at.exception
    shown = at.error[0].value.replace("\\", "") if at.error else ""
    assert all(w in shown for w in words) and CJK.search(shown), [e.value for e in at.error]
    assert "没有写入" in " ".join(c.value for c in at.caption)
    assert _folder_digest(data_env) == before
    # nothing large stays in the session: no parsed layer, only the small error
    cache = at.session_state["edit_import_cache"]
    assert all(isinstance(v, TransferError) for v in cache.values())


@pytest.mark.usefixtures("accounts")
def test_a_preview_is_not_recomputed_when_the_choices_did_not_change(data_env, monkeypatch) -> None:
    from township_atlas.ui import edit_import

    from .test_edit_page import _csv_of_new_sites, edit_page, widget

    calls: list[dict] = []
    real = edit_import.transfer.preview_import

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(edit_import.transfer, "preview_import", counting)
    at = edit_page("pia").segmented_control[0].set_value("import").run()
    at.file_uploader[0].set_value(("新基地.csv", _csv_of_new_sites(data_env), "text/csv")).run()
    assert not at.exception and len(calls) == 1  # read and suggested in one job
    # New points that match nothing: the coordinate system is asked, not guessed.
    widget(at, "selectbox", "源文件的坐标系").set_value(CrsChoice("wgs84")).run()
    assert not at.exception and len(calls) == 2  # planned with the chosen CRS
    at.run()
    assert len(calls) == 2  # a rerun with the same choices uses the cached preview
    at.checkbox[0].check().run()  # repair invalid geometries: a new choice, a new plan
    assert len(calls) == 3
    json.dumps([str(c.get("crs")) for c in calls])  # choices are plain, picklable values


def test_at_most_two_uploads_are_read_at_once_and_a_third_waits_or_is_told() -> None:
    import threading

    from township_atlas.transfer import worker_sandbox

    results: list[str] = []

    def busy() -> None:
        try:
            run_isolated(_hang, data=b"x", worker=WorkerLimits(seconds=3, memory_mb=256))
        except WorkerFailed as exc:
            results.append(exc.key)

    threads = [threading.Thread(target=busy) for _ in range(worker_sandbox.MAX_JOBS)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    with pytest.raises(WorkerFailed) as info:
        run_isolated(_echo, "", data=b"", worker=WorkerLimits(seconds=1, memory_mb=256))
    _assert_message(info.value, "xfer_worker_busy", ("2",))
    for t in threads:
        t.join()
    assert results == ["xfer_worker_timeout"] * worker_sandbox.MAX_JOBS
    assert run_isolated(_echo, "!", data=b"ok", worker=FAST)["data"] == b"ok!"


def test_vetting_kml_links_walks_a_very_deep_document_without_recursion() -> None:
    """Each element used to copy the list of its ancestors (200,000 levels took 48 s); the
    walk is now one pass with a stack. How long it takes is measured in bench
    (``bench/transfer_bench.py --hostile``: 600,000 levels in 0.16 s), not asserted here."""
    import xml.etree.ElementTree as ET

    from township_atlas.transfer.kml_read import _vet_links

    root = ET.Element("kml")
    node = root
    for _ in range(200_000):
        node = ET.SubElement(node, "Folder")
    ET.SubElement(ET.SubElement(node, "IconStyle"), "href").text = "http://example.invalid/a.png"
    notes: list = []
    _vet_links(root, "a.kml", notes)
    assert [n.key for n in notes] == ["xfer_kml_icons_ignored"]


def test_a_worker_never_imports_the_servers_main_module(tmp_path, monkeypatch) -> None:
    """Streamlit swaps ``__main__`` for each script run (and AppTest.from_function leaves a
    temporary script there): a worker started meanwhile must not run it."""
    import sys
    import types
    from multiprocessing import spawn

    script = tmp_path / "page.py"
    script.write_text("raise SystemExit('the main module ran in the worker')\n")
    fake = types.ModuleType("__main__")
    fake.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", fake)
    assert run_isolated(_echo, "!", data=b"ok", worker=FAST)["data"] == b"ok!"
    # The hook that keeps it out is installed, and only for the worker's processes.
    assert getattr(spawn.get_preparation_data, "_atlas", False)
    assert "init_main_from_path" in spawn.get_preparation_data("another process")
