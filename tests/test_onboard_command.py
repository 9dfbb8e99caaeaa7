"""The set-up command ``python -m township_atlas.onboard`` (issue 17, deliverable 2) on the
files a township office has, every one made here by code: a Gauss–Krüger Shapefile of the
boundary and the villages (zone prefix in the eastings, no .prj, GBK .dbf without .cpg), the
agriculture office's sites workbook (title row, merged two-row header, 合计 row, AMap/GCJ-02
coordinates) and the organisation office's sheet (names written inconsistently).

The command runs in-process through ``main(argv)`` (its upload worker is a real sandboxed
process) and once as a subprocess."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pyproj
import pytest
import shapely
import shapely.affinity
import shapely.geometry
from shapely.geometry import Polygon, box

from township_atlas.geo import china_shifts as shifts
from township_atlas.geo.measure import geodesic_area_m2
from township_atlas.onboard.command import build_parser, main
from township_atlas.onboard.runners import RUNNERS, crs_from_flag, flag_value
from township_atlas.storage.files.store import Store
from township_atlas.transfer.crs_choice import CrsChoice

from .test_transfer_support import max_distance_m, shapefile_zip

pytestmark = pytest.mark.filterwarnings("ignore:'crs' was not provided")
ROOT = Path(__file__).resolve().parent.parent
GK = 4523  # CGCS2000 3-degree Gauss-Krüger zone 35 (central meridian 105°E), zone prefix
E0, N0 = 35_560_000.0, 3_980_000.0
TO_WGS84 = pyproj.Transformer.from_crs(GK, 4326, always_xy=True)
VILLAGE_NAMES = ("上庄村", "杏树坪村", "河湾村")


def gk_villages(gap_m: float = 0.0) -> list[Polygon]:
    """Three villages side by side, 2 km wide and 4 km high, ``gap_m`` between the first
    two (the first one narrower by that much)."""
    return [
        box(E0, N0, E0 + 2000 - gap_m, N0 + 4000),
        box(E0 + 2000, N0, E0 + 4000, N0 + 4000),
        box(E0 + 4000, N0, E0 + 6000, N0 + 4000),
    ]


def gk_township(xs: tuple[float, ...] = (0, 2000, 4000, 6000)) -> Polygon:
    """The township: the villages' union, with the villages' corners (at ``xs``) as its
    vertices."""
    ring = [(E0 + x, N0) for x in xs] + [(E0 + x, N0 + 4000) for x in reversed(xs)]
    return Polygon(ring)


def to_wgs84(geom):
    """As the import converts it: edges cut to 50 m, then projected to degrees."""
    geom = shapely.segmentize(geom, 50.0)
    return shapely.transform(geom, lambda xy: np.column_stack(TO_WGS84.transform(*xy.T)))


AREA_KM2 = round(geodesic_area_m2(to_wgs84(gk_township())) / 1e6, 3)


def inside(village: int, dx: float = 600.0, dy: float = 1500.0) -> tuple[float, float]:
    """A WGS84 point in ``village`` (0-based), ``dx``/``dy`` metres from its south-west corner."""
    x, y = TO_WGS84.transform(E0 + 2000 * village + dx, N0 + dy)
    return float(x), float(y)


def shp(tmp_path: Path, names: list[str], geoms: list, stem: str, column: str = "村名") -> bytes:
    """A zipped Shapefile in GK metres without .prj, attributes in GBK without .cpg."""
    frame = gpd.GeoDataFrame({column: names}, geometry=geoms, crs=None)
    return shapefile_zip(tmp_path, frame, encoding="GBK", cpg=False, stem=stem)


def boundary_zip(tmp_path: Path) -> bytes:
    return shp(tmp_path, ["测试乡"], [gk_township()], "xiangjie")


def villages_zip(tmp_path: Path, names=VILLAGE_NAMES, gap_m: float = 0.0) -> bytes:
    return shp(tmp_path, list(names), gk_villages(gap_m), f"cunjie{gap_m:g}")


# The sites as the agriculture office has them: name, kind, industry, village, area.
SITES = [
    ("花椒示范园", "示范基地", "花椒", "杏树坪村", 120, inside(1)),
    ("肉牛养殖基地", "产业基地", "肉牛", "上庄村", 200, inside(0, 900, 2500)),
    ("蔬菜合作社", "合作社", "蔬菜", "河湾村", 80, inside(2, 1000, 1000)),
]


def sites_xlsx(coords: str = "gcj02") -> bytes:
    """Title row, a header whose 位置 is merged over 经度/纬度 (the other names merged down
    over two rows), three sites and a 合计 row."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "基地"
    sheet.append(["测试乡2025年产业基地统计表"])
    sheet.merge_cells("A1:G1")
    sheet.append(["名称", "类型", "产业", "所在村", "面积(亩)", "位置", None])
    sheet.append([None, None, None, None, None, "经度", "纬度"])
    for name, kind, industry, village, area, (lon, lat) in SITES:
        if coords == "gcj02":
            lon, lat = (float(v) for v in shifts.wgs84_to_gcj02(lon, lat))
        sheet.append([name, kind, industry, village, area, round(lon, 7), round(lat, 7)])
    sheet.append(["合计", None, None, None, sum(s[4] for s in SITES), None, None])
    for column in "ABCDE":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("F2:G2")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def org_rows() -> list[list]:
    """The organisation office's rows, names written as people write them."""
    return [
        ["测试乡党委", "党委", None, None, 50, None, None, *inside(1, 1000, 3000)],
        ["上庄村党支部", "党支部", "农村", "测试乡党委", 12, "上庄", None, *inside(0)],
        ["杏树坪村党支部", "党支部", "农村", "测试乡 党委", 15, "杏树坪村", None, *inside(1)],
        ["河湾村党支部", "党支部", "农村", "测试乡党委", 10, "河湾", None, *inside(2)],
        ["乡机关党支部", "党支部", "机关", "测试乡党委", 8, None, None, *inside(1, 1500, 3500)],
        [
            "杏树坪花椒党小组",
            "党小组",
            None,
            "杏树坪党支部",
            5,
            "杏树坪",
            "花椒示范园",
            *inside(1, 650, 1550),
        ],
    ]


REPORTED = {
    "area_km2": AREA_KM2,
    "villages": 3,
    "branches": 4,
    "members": 45,
    "rural_branches": 3,
    "rural_members": 37,
}


def orgs_xlsx(rows: list[list] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["测试乡基层党组织情况统计表"])
    sheet.append(
        [
            "党组织名称",
            "类别",
            "支部类别",
            "上级党组织",
            "党员数",
            "所在村",
            "依托项目",
            "经度",
            "纬度",
        ]
    )
    for row in rows or org_rows():
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def inputs(tmp_path: Path, **files: bytes) -> dict[str, Path]:
    """The input files in ``tmp_path/in`` (defaults: the good ones)."""
    folder = tmp_path / "in"
    made = {
        "boundary": ("乡界.zip", files.get("boundary") or boundary_zip(tmp_path)),
        "villages": ("村界.zip", files.get("villages") or villages_zip(tmp_path)),
        "sites": ("产业基地.xlsx", files.get("sites") or sites_xlsx()),
        "orgs": ("党组织.xlsx", files.get("orgs") or orgs_xlsx()),
    }
    return {flag: write(folder, name, data) for flag, (name, data) in made.items()}


def argv(out: Path, files: dict[str, Path], *extra: str, reported=REPORTED) -> list[str]:
    args = [str(out), "--name", "测试乡", "--code", "620000101"]
    for key, value in reported.items():
        args += ["--reported", f"{key}={value}"]
    for flag, path in files.items():
        args += [f"--{flag}", str(path)]
    return [*args, *extra]


def run(capsys, args: list[str]) -> tuple[int, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_full_run_gives_a_folder_the_app_reads_with_no_error(tmp_path: Path, capsys) -> None:
    out = tmp_path / "township"
    files = inputs(tmp_path)
    code, said = run(capsys, argv(out, files, "--sites-crs", "gcj02", "--orgs-crs", "wgs84"))
    assert code == 0, said
    result = Store(out).load()
    assert not result.errors, [f.message_en for f in result.errors]
    bundle = result.bundle
    assert list(bundle.township["name_zh"]) == ["测试乡"]
    assert sorted(bundle.villages["name_zh"]) == sorted(VILLAGE_NAMES)
    # The GK boundary landed where the projection puts it (the zone read from the prefix).
    assert bundle.township.geometry.iloc[0].equals_exact(to_wgs84(gk_township()), 1e-6)
    sites = bundle.sites.set_index("name_zh")
    truth = np.asarray([shapely.Point(s[5]) for s in SITES], dtype=object)
    got = np.asarray([sites.loc[s[0]].geometry for s in SITES], dtype=object)
    assert max_distance_m(got, truth) < 1.0  # GCJ-02 converted back
    orgs = bundle.party_orgs.set_index("name_zh")
    branch = orgs.loc["杏树坪村党支部"]
    group = orgs.loc["杏树坪花椒党小组"]
    assert group.parent_id == branch.org_id  # "杏树坪党支部" matched after normalising
    assert group.site_id == sites.loc["花椒示范园"].site_id
    assert branch.parent_id == orgs.loc["测试乡党委"].org_id  # "测试乡 党委"
    # Every step is one undoable change in the history, by the command's user.
    entries = Store(out).entries()
    assert [e.layer for e in entries] == [
        "indicator_catalogue",
        "township",
        "villages",
        "sites",
        "party_orgs",
    ]
    assert {e.user for e in entries} == {"onboard"}
    assert "完成" in said and "合计" in said  # the final verdict; the 合计 row was noted


def test_help_names_every_flag_with_an_example(capsys) -> None:
    for lang in ("zh", "en"):
        code, said = run(capsys, ["--help", "--lang", lang])
        assert code == 0
        said = " ".join(said.split())
        flags = [a for action in build_parser(lang)._actions for a in action.option_strings]
        for flag in flags:
            assert flag in said
        for runner in RUNNERS:
            assert f"--{runner.flag}-crs gcj02" in said  # an example per input
        assert said.count("--reported") >= 6 and "--names" in said
        assert ("字段,名称,编号" if lang == "zh" else "field,name,id") in said


def test_crs_flag_values(tmp_path: Path) -> None:
    assert crs_from_flag("auto") is None and crs_from_flag("GCJ02") == CrsChoice("gcj02")
    assert crs_from_flag("EPSG:4523") == CrsChoice("epsg", epsg=4523)
    with pytest.raises(ValueError):
        crs_from_flag("amap")
    assert flag_value(CrsChoice("gauss_kruger", zone_width=3, epsg=4523)) == "EPSG:4523"
    assert flag_value(CrsChoice("declared")) is None


def test_gcj02_sites_with_auto_are_recognised_or_asked_about_never_imported_off(
    tmp_path: Path, capsys
) -> None:
    out = tmp_path / "township"
    files = inputs(tmp_path)
    files["sites"] = write(tmp_path / "in", "table1.xlsx", sites_xlsx())  # a neutral name
    del files["orgs"]
    code, said = run(capsys, argv(out, files))
    sites = Store(out).load().bundle.sites
    if code == 0:  # recognised: within a metre of the truth
        got = np.asarray([sites.set_index("name_zh").loc[s[0]].geometry for s in SITES])
        truth = np.asarray([shapely.Point(s[5]) for s in SITES], dtype=object)
        assert max_distance_m(got, truth) < 1.0
    else:  # asked: the flag to give, and nothing of the step written
        assert code == 1
        assert "--sites-crs gcj02" in said and "不会替您猜测" in said
        assert sites.empty and len(Store(out).load().bundle.villages) == 3
        assert "--resume" in said  # the steps before are kept, and how to go on


def test_unknown_and_ambiguous_names_list_candidates_and_a_names_file_fixes_them(
    tmp_path: Path, capsys
) -> None:
    rows = org_rows()
    rows[3][5] = "和湾"  # 河湾村 written wrongly: fits nothing
    # A second 杏树坪 branch: the group's parent "杏树坪党支部" now fits two branches.
    rows.append(["杏树坪社区党支部", "党支部", "机关", "测试乡党委", 3, None, None, *inside(1)])
    reported = {**REPORTED, "branches": 5, "members": 48}
    files = inputs(tmp_path, orgs=orgs_xlsx(rows))
    out = tmp_path / "township"
    flags = ("--sites-crs", "gcj02", "--orgs-crs", "wgs84", "--lang", "en")
    code, said = run(capsys, argv(out, files, *flags, reported=reported))
    assert code == 1, said
    assert "'和湾'" in said and "河湾村(V03)" in said and "--names" in said
    branch = re.search(r"杏树坪村党支部\((B\d+)\)", said)
    assert branch and "杏树坪社区党支部(" in said and "fits several things" in said
    before = digest(out)
    assert Store(out).load().bundle.party_orgs.empty  # nothing of the step written
    # Without --resume the folder is not empty: refused, untouched.
    code, said = run(capsys, argv(out, files, *flags, reported=reported))
    assert code == 2 and "not empty" in said
    assert digest(out) == before
    names = tmp_path / "names.csv"
    lines = f"字段,名称,编号\n所在村,和湾,河湾村(V03)\nparent_id,杏树坪党支部,{branch.group(1)}\n"
    names.write_text(lines, encoding="gbk")
    extra = ("--names", str(names), "--resume")
    code, said = run(capsys, argv(out, files, *flags, *extra, reported=reported))
    assert code == 0, said
    assert "done already" in said  # township, villages, sites skipped
    orgs = Store(out).load().bundle.party_orgs.set_index("name_zh")
    assert orgs.loc["河湾村党支部"].village_code == "V03"
    assert orgs.loc["杏树坪花椒党小组"].parent_id == orgs.loc["杏树坪村党支部"].org_id


def test_a_bad_names_file_is_a_bad_argument_and_writes_nothing(tmp_path: Path, capsys) -> None:
    names = tmp_path / "names.csv"
    names.write_text("字段,名称,编号\n村长,和湾,V03\n", encoding="utf-8")
    out = tmp_path / "township"
    code, said = run(capsys, argv(out, inputs(tmp_path), "--names", str(names)))
    assert code == 2 and "第 2 行" in said and "村长" in said
    assert not out.exists()


def test_a_50_m_gap_is_explained_and_snapped_only_above_it(tmp_path: Path, capsys) -> None:
    files = inputs(tmp_path, villages=villages_zip(tmp_path, gap_m=50))
    files = {k: files[k] for k in ("boundary", "villages")}
    for snap in (None, "20", "60"):
        out = tmp_path / f"township-{snap}"
        extra = ("--snap-m", snap) if snap else ()
        code, said = run(capsys, argv(out, files, *extra))
        gaps = [int(g.replace(",", "")) for g in re.findall(r"缺口[::]?\s*([\d,]+) 平方米", said)]
        villages = Store(out).load().bundle.villages
        if snap != "60":  # the 50 m x 4 km gap is explained with its area; nothing written
            assert code == 1, said
            assert any(190_000 < g < 210_000 for g in gaps), said
            assert "--snap-m" in said and villages.empty
            continue
        # Snapped above 50 m: the gap is closed and the villages tile the township.
        assert code == 0, said
        assert "对齐" in said and not gaps
        assert len(villages) == 3 and not Store(out).load().errors


def test_a_geojson_boundary_is_not_taken_for_wgs84_on_its_label_alone(
    tmp_path: Path, capsys
) -> None:
    # GeoJSON says WGS84, but online maps export GCJ-02: with nothing yet to compare with,
    # the command asks instead of following the label.
    feature = {"type": "Feature", "properties": {"名称": "测试乡"}}
    feature["geometry"] = shapely.geometry.mapping(to_wgs84(gk_township()))
    collection = {"type": "FeatureCollection", "features": [feature]}
    boundary = json.dumps(collection, ensure_ascii=False).encode()
    files = inputs(tmp_path, boundary=boundary)
    files = {k: files[k] for k in ("boundary", "villages")}
    files["boundary"] = files["boundary"].rename(files["boundary"].with_suffix(".geojson"))
    out = tmp_path / "asked"
    code, said = run(capsys, argv(out, files))
    assert code == 1, said
    assert "--boundary-crs wgs84" in said and "--boundary-crs gcj02" in said
    assert "不会替您猜测" in said and Store(out).load().bundle.township.empty
    out = tmp_path / "township"
    code, said = run(capsys, argv(out, files, "--boundary-crs", "wgs84"))
    assert code == 0, said
    assert len(Store(out).load().bundle.villages) == 3


def test_villages_meeting_a_long_gauss_krueger_edge_tile_the_township(
    tmp_path: Path, capsys
) -> None:
    # The boundary has only its four corners; two villages meet its 6 km edges in between.
    # A straight edge in metres is a curve in degrees: unless edges are cut short before
    # converting, the corner points leave ~1,800 m² of slivers the checks refuse.
    boundary = shp(tmp_path, ["测试乡"], [gk_township((0, 6000))], "corners")
    files = inputs(tmp_path, boundary=boundary)
    out = tmp_path / "township"
    code, said = run(capsys, argv(out, {k: files[k] for k in ("boundary", "villages")}))
    assert code == 0, said
    assert len(Store(out).load().bundle.villages) == 3 and not Store(out).load().errors


def test_a_county_boundary_file_is_chosen_from_by_name(tmp_path: Path, capsys) -> None:
    county = [shapely.affinity.translate(gk_township(), 6000, 0), gk_township()]
    data = shp(tmp_path, ["邻乡", "测试 乡"], county, "county", column="乡镇名称")
    files = inputs(tmp_path, boundary=data)
    files = {k: files[k] for k in ("boundary", "villages")}
    out = tmp_path / "wrong"
    code, said = run(capsys, argv(out, files, "--boundary-feature", "远方乡"))
    assert code == 1
    assert "邻乡、测试 乡" in said and "--boundary-feature 邻乡" in said
    assert Store(out).load().bundle.township.empty
    out = tmp_path / "township"
    code, said = run(capsys, argv(out, files))  # --name 测试乡 chooses "测试 乡"
    assert code == 0, said
    township = Store(out).load().bundle.township.geometry.iloc[0]
    assert township.equals_exact(to_wgs84(gk_township()), 1e-6)


def test_duplicate_village_names_are_refused(tmp_path: Path, capsys) -> None:
    names = ("上庄村", "河湾村", "河湾")
    files = inputs(tmp_path, villages=villages_zip(tmp_path, names=names))
    out = tmp_path / "township"
    code, said = run(capsys, argv(out, {k: files[k] for k in ("boundary", "villages")}))
    assert code == 1
    assert "村名“河湾村、河湾”出现在第 2、3 个要素/行" in said
    assert Store(out).load().bundle.villages.empty


def test_a_folder_with_a_township_is_never_touched(
    sample_dir: Path, tmp_path: Path, capsys
) -> None:
    before = digest(sample_dir)
    code, said = run(capsys, argv(sample_dir, inputs(tmp_path)))
    assert code == 2 and "不是空的" in said
    code, said = run(capsys, argv(sample_dir, inputs(tmp_path), "--resume"))
    assert code == 2 and "不是由建立本乡数据" in said
    assert digest(sample_dir) == before


def test_bad_arguments_exit_2_before_anything_is_written(tmp_path: Path, capsys) -> None:
    files = inputs(tmp_path)
    out = tmp_path / "township"
    cases = [
        (argv(out, files, "--sites-crs", "amap"), "--sites-crs"),
        (argv(out, files, reported={**REPORTED, "villages": 2.5}), "整数"),
        (argv(out, files, reported={"villages": 3}), "--reported"),
        (argv(out, {**files, "orgs": tmp_path / "missing.xlsx"}), "missing.xlsx"),
    ]
    for args, expected in cases:
        code, said = run(capsys, args)
        assert code == 2 and expected in said, said
    assert not out.exists()


def test_the_command_runs_as_a_program(tmp_path: Path) -> None:
    files = inputs(tmp_path)
    out = tmp_path / "township"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    args = argv(out, files, "--sites-crs", "gcj02", "--orgs-crs", "wgs84", "--lang", "en")
    done = subprocess.run(
        [sys.executable, "-m", "township_atlas.onboard", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Done: the app opens" in done.stdout
    assert not Store(out).load().errors


def test_every_onboard_text_is_used_and_takes_the_same_fields_in_both_languages() -> None:
    from township_atlas.text.labels.onboard import TEXT

    code = "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "src/township_atlas/onboard").glob("*.py")
    )
    used = set(re.findall(r"[\"'](onb_[a-z0-9_]+)[\"']", code))
    prefixes = set(re.findall(r'f"(onb_[a-z0-9_]+_)\{', code))
    assert used - set(TEXT) == set()
    assert {
        k for k in TEXT if k not in used and not any(k.startswith(p) for p in prefixes)
    } == set()
    for key, (zh, en) in TEXT.items():
        fields_zh = {f.removesuffix("_zh") for f in re.findall(r"\{(\w+)", zh)}
        fields_en = {f.removesuffix("_en") for f in re.findall(r"\{(\w+)", en)}
        assert fields_zh == fields_en, key


def test_tables_and_templates_continue_a_set_up_township(tmp_path: Path, capsys) -> None:
    """Chains, indicators and plans from the offices' tables, after the map layers; the
    templates the command writes import back; a bad table refuses its step whole."""
    import io

    import openpyxl

    out = tmp_path / "township"
    files = inputs(tmp_path)
    plans_template = tmp_path / "规划模板.xlsx"
    code, said = run(
        capsys,
        argv(
            out,
            files,
            "--sites-crs",
            "gcj02",
            "--orgs-crs",
            "wgs84",
            "--plans-template",
            str(plans_template),
            "--indicators-template",
            str(tmp_path / "指标模板.xlsx"),
        ),
    )
    assert code == 0, said
    book = openpyxl.load_workbook(io.BytesIO(plans_template.read_bytes()))
    assert set(VILLAGE_NAMES) <= set(book.sheetnames)
    for name in VILLAGE_NAMES:
        book[name]["B2"] = "花椒"
    filled = io.BytesIO()
    book.save(filled)
    plans = write(tmp_path / "in", "规划.xlsx", filled.getvalue())
    site = SITES[0][0]
    chains = write(
        tmp_path / "in",
        "产业链.csv",
        f"产业链,主导产业,环节序号,环节,依托基地\n花椒产业链,花椒,1,种植,{site}\n".encode(),
    )
    village = VILLAGE_NAMES[0]
    bad = write(
        tmp_path / "in",
        "统计表.csv",
        f"2025年统计表\n村名,村集体经济收入(美元)\n{village},5\n".encode(),
    )
    before = digest(out)
    code, said = run(capsys, argv(out, files, "--resume", "--indicators", str(bad)))
    assert code == 1 and "美元" in said
    assert {k: v for k, v in digest(out).items() if not k.startswith(".history")} == {
        k: v for k, v in before.items() if not k.startswith(".history")
    }
    good = write(
        tmp_path / "in",
        "统计表2.csv",
        f"2025年统计表\n村名,村集体经济收入(元)\n{village},50000\n".encode(),
    )
    extra = ["--resume", "--chains", str(chains), "--indicators", str(good), "--plans", str(plans)]
    code, said = run(capsys, argv(out, files, *extra))
    assert code == 0, said
    bundle = Store(out).load().bundle
    assert list(bundle.chains["name_zh"]) == ["花椒产业链"]
    assert bundle.indicators.set_index("indicator").at["collective_income", "value"] == 5.0
    assert {p["leading_industry_zh"] for p in bundle.plans["villages"].values()} == {"花椒"}
    layers = [e.layer for e in Store(out).entries()]
    assert layers[-4:] == ["chains", "chain_stages", "indicators", "plans"]
