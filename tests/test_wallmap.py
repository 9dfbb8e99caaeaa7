"""Wall maps (挂图): page sizes, text found in the PDF, rendering, the command, bad choices,
hostile names, and the page's button for planners only (checked at the click)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from township_atlas.storage.files.store import Store
from township_atlas.views.summary import headline
from township_atlas.wallmap import __main__ as command
from township_atlas.wallmap.content import WallMapOptions, figure_text, sheet_content
from township_atlas.wallmap.errors import WallMapError
from township_atlas.wallmap.frame import ROUND_SCALES, choose_scale, scale_bar_m
from township_atlas.wallmap.layout import MIN_TEXT_MM, PAPERS, layout
from township_atlas.wallmap.raster import png_from_pdf, tile_underlay
from township_atlas.wallmap.sheet import FRAME_PAD, map_frame, wall_map_pdf

TODAY = dt.date(2026, 12, 2)
PT = 72 / 25.4
needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="poppler-utils not installed (.ci/run installs it)"
)


@pytest.fixture(scope="module")
def sample():
    from .conftest import SAMPLE_DIR

    return Store(SAMPLE_DIR).load().bundle


def page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    """Every page's MediaBox, in millimetres (read from the PDF itself)."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(float(w) / PT, float(h) / PT) for w, h in boxes]


def pdf_text(pdf: bytes, tmp_path: Path, *flags: str) -> str:
    """The PDF's text as pdftotext reads it (``-layout`` keeps table rows together)."""
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", *flags, str(path), "-"], check=True, capture_output=True, timeout=120
    )
    return out.stdout.decode("utf-8")


def squeeze(value: str) -> str:
    return re.sub(r"\s+", "", value)


# --- layout and scale -------------------------------------------------------------------
@pytest.mark.parametrize("paper", list(PAPERS))
@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_the_layout_fits_the_paper_and_keeps_text_legible(paper, orientation):
    lay = layout(paper, orientation)
    short, long = PAPERS[paper]
    assert (lay.width, lay.height) == (
        (long, short) if orientation == "landscape" else (short, long)
    )
    for box in (lay.title, lay.map, lay.panel, lay.footer):
        assert box.x >= lay.margin - 1e-9 and box.y >= lay.margin - 1e-9
        assert box.right <= lay.width - lay.margin + 1e-9
        assert box.bottom <= lay.height - lay.margin + 1e-9
        assert box.w > 0 and box.h > 0
    assert lay.map.bottom <= lay.footer.y and lay.title.bottom <= lay.map.y
    assert lay.text_mm == MIN_TEXT_MM[paper] >= 2.5


def test_the_scale_is_the_smallest_round_one_that_fits():
    assert choose_scale(9_000, 5_000, 300, 200) == 30_000  # needs 1:30 000 exactly
    assert choose_scale(9_001, 5_000, 300, 200) == 40_000
    assert choose_scale(100, 100, 800, 800) == ROUND_SCALES[0]


@pytest.mark.parametrize("paper", ["A0", "A3"])
def test_the_frame_shows_the_whole_township_at_a_round_scale(sample, paper):
    frame = map_frame(sample, WallMapOptions(paper=paper))
    assert frame.scale in ROUND_SCALES
    minx, miny, maxx, maxy = sample.township.total_bounds
    x, y = frame.lonlat_to_page([minx, maxx, minx, maxx], [miny, miny, maxy, maxy])
    box = frame.box
    assert x.min() >= box.x and x.max() <= box.right and y.min() >= box.y and y.max() <= box.bottom
    # and no larger round scale would have fitted (with the frame's margin)
    bigger = [s for s in ROUND_SCALES if s < frame.scale]
    if bigger:
        k = frame.scale / bigger[-1] * (1 + 2 * FRAME_PAD)
        w, h = (x.max() - x.min()) * k, (y.max() - y.min()) * k
        assert w > box.w or h > box.h
    # the scale bar is a round length no longer than a fifth of the frame
    bar = scale_bar_m(frame)
    assert 0 < bar * frame.mm_per_m <= box.w / 5


def test_the_frame_is_true_to_its_scale(sample):
    """Two points 1 km apart on the ground are 1000/N m apart on the sheet (within 0.1 %)."""
    from township_atlas.geo.measure import WGS84_GEOD

    frame = map_frame(sample, WallMapOptions(paper="A0"))
    lon, lat = frame.lon0, frame.lat0
    lon2, lat2, _ = WGS84_GEOD.fwd(lon, lat, 60, 1000)
    x, y = frame.lonlat_to_page([lon, lon2], [lat, lat2])
    mm = float(np.hypot(x[1] - x[0], y[1] - y[0]))
    assert mm == pytest.approx(1000 * frame.mm_per_m, rel=1e-3)


# --- the PDF ----------------------------------------------------------------------------
@pytest.mark.parametrize("paper", list(PAPERS))
@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_the_pdf_page_is_the_paper_size(sample, paper, orientation):
    pdf = wall_map_pdf(sample, WallMapOptions(paper=paper, orientation=orientation), TODAY)
    short, long = PAPERS[paper]
    want = (long, short) if orientation == "landscape" else (short, long)
    sizes = page_sizes_mm(pdf)
    assert sizes and all(s == pytest.approx(want, abs=0.05) for s in sizes)


@needs_poppler
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_text_has_title_villages_legend_and_computed_figures(sample, tmp_path, lang):
    options = WallMapOptions(paper="A1", indicator="collective_income", year=2025, lang=lang)
    pdf = wall_map_pdf(sample, options, TODAY)
    assert re.search(rb"/BaseFont /[A-Z]{6}\+", pdf) and b"/FontFile" in pdf  # subset, embedded
    assert b"/Subtype /Image" not in pdf  # all vector
    found = squeeze(pdf_text(pdf, tmp_path, "-layout"))
    content = sheet_content(sample, options, TODAY)
    assert squeeze(content.title) in found
    assert "2025" in content.title
    names = sample.villages["name_zh" if lang == "zh" else "name_en"]
    for name in names:
        assert squeeze(name) in found, name
    for entry in content.legend:
        assert squeeze(entry.label) in found, entry.label
    assert squeeze(content.choropleth.title) in found
    head = headline(sample)  # computed here from the data, not copied
    for value, area in (
        (head.area_km2, True),
        (head.villages, False),
        (head.branches, False),
        (head.members, False),
        (head.rural_branches, False),
        (head.rural_members, False),
        (head.groups, False),
        *((n, False) for n in head.sites_by_kind.values() if n),
    ):
        assert figure_text(value, area) in found
    assert "1:" in found and squeeze(content.footer[-1]) in found
    assert squeeze(content.footer[0]) in found


def test_the_sample_is_marked_and_real_data_is_not(sample_dir, tmp_path):
    bundle = Store(sample_dir).load().bundle
    assert sheet_content(bundle, WallMapOptions(), TODAY).sample
    path = sample_dir / "township.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["sample"] = False
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert not sheet_content(Store(sample_dir).load().bundle, WallMapOptions(), TODAY).sample


@needs_poppler
def test_the_sample_mark_and_the_graticule_are_printed(sample, tmp_path):
    pdf = wall_map_pdf(sample, WallMapOptions(paper="A2", graticule=True), TODAY)
    found = squeeze(pdf_text(pdf, tmp_path, "-layout"))
    assert "示例数据" in found
    assert re.search(r"\d+°\d\d′(\d\d″)?E", found) and re.search(r"\d+°\d\d′(\d\d″)?N", found)


def test_the_same_choices_give_the_same_bytes(sample):
    options = WallMapOptions(paper="A3", orientation="portrait")
    assert wall_map_pdf(sample, options, TODAY) == wall_map_pdf(sample, options, TODAY)


@needs_poppler
def test_one_village_alone(sample, tmp_path):
    options = WallMapOptions(paper="A3", village="V03")
    pdf = wall_map_pdf(sample, options, TODAY)
    found = squeeze(pdf_text(pdf, tmp_path, "-layout"))
    assert "杏树坪村" in found
    content = sheet_content(sample, options, TODAY)
    assert len(content.village_rows) == 1 and content.village_rows[0][0] == "杏树坪村"
    whole = map_frame(sample, WallMapOptions(paper="A3"))
    assert map_frame(sample, options).scale < whole.scale  # drawn larger


@needs_poppler
def test_pdftoppm_renders_the_sheet_at_300_dpi(sample):
    pdf = wall_map_pdf(sample, WallMapOptions(paper="A3"), TODAY)
    png = png_from_pdf(pdf, dpi=300)
    assert png.startswith(b"\x89PNG")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (round(420 / 25.4 * 300), round(297 / 25.4 * 300))


def test_a_missing_pdftoppm_is_a_plain_error(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(WallMapError) as caught:
        png_from_pdf(b"%PDF-1.4")
    assert "poppler-utils" in caught.value.message("zh")
    assert "poppler-utils" in caught.value.message("en")


# --- hostile names ----------------------------------------------------------------------
HOSTILE = ") Tj ET BT /F1 99 Tf (pwned) Tj <script>alert(1)</script> \\ 村"


@needs_poppler
def test_hostile_names_stay_literal_text(sample_dir, tmp_path):
    path = sample_dir / "villages.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["name_zh"] = HOSTILE
    doc["features"][1]["properties"]["leading_industry_zh"] = "(((" + "长" * 400
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    bundle = Store(sample_dir).load().bundle
    pdf = wall_map_pdf(bundle, WallMapOptions(paper="A2"), TODAY)
    assert b"pwned" not in pdf  # the name went in as glyphs, never as PDF syntax
    found = pdf_text(pdf, tmp_path, "-raw")  # drawing order: a label stays whole
    # The map's label (shortened to 30 characters) reads as the name, brackets and all.
    assert ")TjETBT/F199Tf" in squeeze(found) and "(pwned)" in found
    assert len(page_sizes_mm(pdf)) == 1


# --- bad choices ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("options", "zh", "en"),
    [
        (WallMapOptions(paper="A5"), "A0、A1、A2 或 A3", "Choose A0, A1, A2 or A3"),
        (WallMapOptions(orientation="upright"), "landscape", "landscape or portrait"),
        (WallMapOptions(village="V99"), "V99", "village code"),
        (WallMapOptions(indicator="nope", year=2025), "nope", "catalogue"),
        (WallMapOptions(indicator="collective_income"), "--year", "--year"),
    ],
)
def test_a_bad_choice_says_what_to_do_and_changes_nothing(sample_dir, options, zh, en):
    before = {p.name: p.read_bytes() for p in sample_dir.iterdir() if p.is_file()}
    bundle = Store(sample_dir).load().bundle
    with pytest.raises(WallMapError) as caught:
        wall_map_pdf(bundle, options, TODAY)
    assert zh in caught.value.message("zh") and en in caught.value.message("en")
    assert {p.name: p.read_bytes() for p in sample_dir.iterdir() if p.is_file()} == before


def test_a_township_without_a_boundary_is_refused_plainly(sample_dir):
    path = sample_dir / "township.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"] = []
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    bundle = Store(sample_dir).load().bundle
    with pytest.raises(WallMapError) as caught:
        wall_map_pdf(bundle, WallMapOptions(), TODAY)
    assert "乡界" in caught.value.message("zh") and "boundary" in caught.value.message("en")


def test_a_tile_folder_without_tiles_is_refused(sample, tmp_path):
    frame = map_frame(sample, WallMapOptions(paper="A3"))
    with pytest.raises(WallMapError) as caught:
        tile_underlay(tmp_path / "none", frame)
    assert "--tiles" in caught.value.message("zh") and "--tiles" in caught.value.message("en")


def test_local_tiles_go_under_the_map_where_they_belong(sample, tmp_path):
    """Tiles made here (each one colour, by its x) land in the frame where their area is."""
    from PIL import Image

    from township_atlas.wallmap.raster import _mercator_px

    frame = map_frame(sample, WallMapOptions(paper="A3"))
    zoom = 14
    lon, lat = frame.page_to_lonlat(
        np.array([frame.box.x, frame.box.right]), np.array([frame.box.y, frame.box.bottom])
    )
    xs, ys = _mercator_px(lon, lat, zoom)
    for tx in range(int(xs.min()) // 256, int(xs.max()) // 256 + 1):
        for ty in range(int(ys.min()) // 256, int(ys.max()) // 256 + 1):
            folder = tmp_path / str(zoom) / str(tx)
            folder.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (256, 256), (tx % 256, 90, 200)).save(folder / f"{ty}.png")
    png = tile_underlay(tmp_path, frame)
    with Image.open(__import__("io").BytesIO(png)) as img:
        pixels = np.asarray(img.convert("RGB"))
    # The centre pixel's colour is the tile under the frame's centre.
    cx, cy = frame.lonlat_to_page(frame.lon0, frame.lat0)
    mx, _my = _mercator_px(np.array([frame.lon0]), np.array([frame.lat0]), zoom)
    row = int((float(cy) - frame.box.y) / frame.box.h * (pixels.shape[0] - 1))
    col = int((float(cx) - frame.box.x) / frame.box.w * (pixels.shape[1] - 1))
    assert tuple(pixels[row, col]) == (int(mx[0]) // 256 % 256, 90, 200)
    pdf = wall_map_pdf(sample, WallMapOptions(paper="A3"), TODAY, underlay=png)
    assert b"/Subtype /Image" in pdf


# --- the command ------------------------------------------------------------------------
def test_the_command_writes_the_pdf_and_refuses_bad_choices(sample, tmp_path, capsys):
    from .conftest import SAMPLE_DIR

    out = tmp_path / "wall.pdf"
    code = command.main(
        [
            str(SAMPLE_DIR),
            "--size",
            "A2",
            "--orientation",
            "portrait",
            "--date",
            "2026-12-02",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    options = WallMapOptions(paper="A2", orientation="portrait")
    # Compared by digest: a failing byte comparison of two PDFs takes minutes to print.
    made = hashlib.sha256(wall_map_pdf(sample, options, TODAY)).hexdigest()
    assert hashlib.sha256(out.read_bytes()).hexdigest() == made
    assert "1:" in capsys.readouterr().out
    code = command.main([str(SAMPLE_DIR), "--village", "V99", "--out", str(tmp_path / "x.pdf")])
    assert code == 1 and not (tmp_path / "x.pdf").exists()
    assert "V99" in capsys.readouterr().err


def test_the_command_help_names_every_flag(capsys):
    with pytest.raises(SystemExit):
        command.main(["--help"])
    text = capsys.readouterr().out
    for flag in (
        "--size",
        "--orientation",
        "--village",
        "--indicator",
        "--year",
        "--graticule",
        "--tiles",
        "--lang",
        "--date",
        "--dpi",
        "--out",
    ):
        assert flag in text


# --- texts ------------------------------------------------------------------------------
def test_every_wall_map_text_is_used_and_takes_the_same_fields_in_both_languages():
    from township_atlas.text.labels.wallmap import TEXT

    root = Path(__file__).resolve().parent.parent / "src" / "township_atlas"
    files = [*(root / "wallmap").glob("*.py"), root / "ui" / "wallmap.py"]
    code = "\n".join(p.read_text(encoding="utf-8") for p in files)
    used = set(re.findall(r"[\"'](wall_[a-z0-9_]+)[\"']", code))
    used |= {f"wall_{o}" for o in ("landscape", "portrait")}  # tr(f"wall_{orientation}")
    prefixes = set(re.findall(r'f"(wall_[a-z0-9_]+_)\{', code))
    assert used - set(TEXT) == set()
    assert {
        k for k in TEXT if k not in used and not any(k.startswith(p) for p in prefixes)
    } == set()
    for key, (zh, en) in TEXT.items():
        assert set(re.findall(r"\{(\w+)", zh)) == set(re.findall(r"\{(\w+)", en)), key


@needs_poppler
def test_a_township_with_only_its_boundary_still_gets_a_sheet(sample_dir, tmp_path):
    """A township being set up (boundary only) prints what exists: map, legend, figures."""
    for name in ("villages", "sites", "party_orgs"):
        path = sample_dir / f"{name}.geojson"
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc["features"] = []
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    for name in ("chains", "chain_stages", "indicators"):
        path = sample_dir / f"{name}.csv"
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    bundle = Store(sample_dir).load().bundle
    assert bundle.villages.empty and bundle.sites.empty
    pdf = wall_map_pdf(bundle, WallMapOptions(paper="A3"), TODAY)
    found = squeeze(pdf_text(pdf, tmp_path, "-layout"))
    assert "青禾乡(示例)党建产业地图" in found and "乡镇界" in found
    assert f"{TODAY.year}年" in found  # no data year: the year it was made
    assert len(page_sizes_mm(pdf)) == 1
