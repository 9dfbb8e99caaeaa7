"""Every meeting slide fits the projector: at 1920×1080 and 1366×768, in Chinese and
English, the content of each slide (title, map, cards, lists, tables) ends above its
footer line, nothing runs off the right edge, and no text is smaller than a readable
minimum. Measured by bounding boxes in real Chromium, no timing assertions.

The sample is served with one village (V07, the last) given a twelve-year plan and six
measures, and with eight more Party branches and twelve more sites without a group, so the
walk also covers continuation slides "(续)" of a village and of the organisation slide;
V01 and V07 have photos (V01 more than its slide shows), so the photo strip under the map
and its "n more" line are measured too."""

from __future__ import annotations

import copy
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import block_remote, streamlit_server
from PIL import Image

from tests.photo_images import add_photos

ROOT = Path(__file__).resolve().parents[2]
SIZES = ((1920, 1080), (1366, 768))
# The smallest text on a slide, in CSS px, at each height (a readable minimum from the back
# of a meeting room: about 1.1 % of the screen's height).
MIN_FONT_PX = {1080: 18.0, 768: 13.0}

# Every box of the slide's head and body; the footer's top edge; the slide's right edge.
MEASURE = """
slide => {
  const foot = slide.querySelector('.mtg-foot').getBoundingClientRect();
  const edge = slide.getBoundingClientRect();
  let bottom = 0, right = 0, lowest = '', smallest = 1e9, tiny = '';
  for (const el of slide.querySelectorAll('.mtg-head, .mtg-head *, .mtg-body, .mtg-body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.bottom > bottom) { bottom = r.bottom; lowest = el.tagName + ' ' + el.textContent.slice(0, 40); }
    right = Math.max(right, r.right);
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (own && size < smallest) { smallest = size; tiny = el.textContent.slice(0, 40); }
  }
  return {bottom, right, lowest, smallest, tiny, footTop: foot.top, footBottom: foot.bottom,
          edge: edge.right, height: innerHeight};
}
"""


def _long_plan(folder: Path) -> None:
    """V07 with twelve yearly goals and six measures: more than one slide holds."""
    path = folder / "plans.yaml"
    plans = yaml.safe_load(path.read_text(encoding="utf-8"))
    plan = plans["villages"]["V07"]
    indicators = [g["indicator"] for g in plan["goals"]]
    plan["goals"] = [
        {
            "year": 2020 + i,
            "indicator": indicators[i % len(indicators)],
            "text_zh": f"第{i + 1}年:小杂粮基地扩大与合作社带动",
            "text_en": f"Year {i + 1}: grow the minor-grain base and its cooperative",
        }
        for i in range(12)
    ]
    plan["measures_zh"] = [*plan["measures_zh"], "建设小杂粮烘干仓储中心", "开展电商直播带货"]
    path.write_text(yaml.safe_dump(plans, allow_unicode=True), encoding="utf-8")


def _more_branches_and_sites(folder: Path) -> None:
    """Eight more branches (copies of the sample's, new ids and names) and twelve more sites
    that no Party group is built on: a longer branches table and list of uncovered sites."""
    path = folder / "party_orgs.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    branches = [f for f in doc["features"] if f["properties"]["level"] == "branch"]
    for i in range(8):
        feature = copy.deepcopy(branches[i % len(branches)])
        feature["properties"].update(
            org_id=f"BX{i}", name_zh=f"新增第{i + 1}党支部", name_en=f"Extra branch {i + 1}"
        )
        doc["features"].append(feature)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    path = folder / "sites.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    for i in range(12):
        feature = copy.deepcopy(doc["features"][i])
        feature["properties"].update(
            site_id=f"SX{i:02d}", name_zh=f"新增产业示范点{i + 1}", name_en=f"Extra site {i + 1}"
        )
        doc["features"].append(feature)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _photos(folder: Path) -> None:
    """Six photos of V01 (two sites and its branch, long captions) and one of V07's site,
    through the real pipeline (upload worker, index change, save)."""
    adds = (
        ("sites", "S001", 2),
        ("sites", "S002", 3),
        ("party_orgs", "B01", 1),
        ("sites", "S038", 1),
    )
    for layer, feature, n in adds:
        images = []
        for i in range(n):
            buf = io.BytesIO()
            Image.new("RGB", (400 + 50 * i, 300), (90, 140 + 20 * i, 60)).save(buf, "PNG")
            images.append(buf.getvalue())
        captions = [f"示范基地新建标准化牛舍和青贮窖全景第{i + 1}张" for i in range(n)]
        add_photos(folder, layer, feature, images, captions)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("fit") / "geodata"
    shutil.copytree(ROOT / "geodata", data)
    _long_plan(data)
    _more_branches_and_sites(data)
    _photos(data)
    env = {"TOWNSHIP_ATLAS_DATA_DIR": str(data), "TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS": "0"}
    with streamlit_server(ROOT / "app.py", env=env) as url:
        yield url


def _walk(browser: Any, app_url: str, lang: str, width: int, height: int) -> list[str]:
    """Open every slide at one size; return the titles and collect what does not fit."""
    context = browser.new_context(viewport={"width": width, "height": height})
    block_remote(context)
    page = context.new_page()
    suffix = "&lang=en" if lang == "en" else ""
    titles: list[str] = []
    problems: list[str] = []
    n, total = 1, 1
    while n <= total:
        page.goto(f"{app_url}/meeting?slide={n}{suffix}")
        slide = page.locator(f'.mtg-slide[data-slide="{n}"]')
        slide.wait_for(timeout=60_000)
        # The map or chart is a data URI: wait until it is decoded and has its size.
        page.wait_for_function(
            "() => [...document.querySelectorAll('.mtg-slide img')].every(i => i.complete)"
        )
        total = int(slide.locator(".mtg-foot .mtg-num").inner_text().split("/")[1])
        titles.append(slide.locator(".mtg-head h1").inner_text())
        box = slide.evaluate(MEASURE)
        where = f"{lang} {width}×{height} slide {n} ({titles[-1]})"
        if box["bottom"] > box["footTop"] + 0.5:
            problems.append(f"{where}: {box['lowest']!r} ends at {box['bottom']:.0f} px, "
                            f"the footer starts at {box['footTop']:.0f} px")  # fmt: skip
        if box["right"] > box["edge"] + 0.5:
            problems.append(f"{where}: content reaches {box['right']:.0f} px of {box['edge']:.0f}")
        if box["footBottom"] > box["height"]:
            problems.append(f"{where}: the footer is below the screen")
        if box["smallest"] < MIN_FONT_PX[height]:
            problems.append(f"{where}: {box['tiny']!r} at {box['smallest']:.1f} px")
        n += 1
    context.close()
    assert problems == [], "\n".join(problems)
    return titles


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_slide_fits_above_its_footer_at_both_projector_sizes(browser, app_url, lang):
    walked = [_walk(browser, app_url, lang, w, h) for w, h in SIZES]
    assert walked[0] == walked[1]  # the same slides at both sizes (pagination is the model's)
    continued = [t for t in walked[0] if t.endswith("(续)" if lang == "zh" else "(cont.)")]
    assert len(continued) >= 2, walked[0]  # the village's, the organisation's (at least)
    assert len(walked[0]) == 12 + len(continued)
