"""The scripted "done when" run of issue 17: the seven inputs a township office has, set up
in a real browser through the guide 建立本乡数据, then next year's indicators from the
template with one upload, then the command on the same files; prints the steps with their
actions (clicks, typed fields, selections, uploads) and seconds.

Run from the repository root (needs /usr/bin/chromium and playwright)::

    PYTHONPATH=$PWD/src .venv/bin/python bench/onboard_walkthrough.py

Exit status 0 when the browser's township loads without an error finding, the template
import added next year's figures and the command's folder equals the browser's byte for
byte; 1 otherwise (the table is printed either way).
"""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl

warnings.filterwarnings("ignore", "'crs' was not provided")  # the GK files have no .prj
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from helpers import block_remote, launch_chromium, require_browser, streamlit_server  # noqa: E402

from tests.test_onboard_command import (  # noqa: E402
    REPORTED,
    SITES,
    VILLAGE_NAMES,
    boundary_zip,
    orgs_xlsx,
    sites_xlsx,
    villages_zip,
)
from township_atlas.accounts import AccountStore  # noqa: E402
from township_atlas.authz import User  # noqa: E402
from township_atlas.storage.files.store import DATA_FILES, Store  # noqa: E402

NAME, CODE, USER, PASSWORD = "测试乡", "620000101", "pia", "pia-planner-pass-2"
FIGURE_LABELS = {
    "area_km2": "面积(平方公里) *",
    "villages": "行政村数 *",
    "branches": "党支部数 *",
    "members": "党员总数 *",
    "rural_branches": "农村党支部数 *",
    "rural_members": "农村党员数 *",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INCOME_2025 = {"上庄村": 125000, "杏树坪村": 86000, "河湾村": 54000}  # 元
INCOME_NEXT = {"上庄村": 14.2, "杏树坪村": 9.8, "河湾村": 6.1}  # 万元, in the template


# --- the seven inputs ---------------------------------------------------------------
def chains_csv() -> bytes:
    """The chains as a planner writes them: one row per stage, the site by its name."""
    rows = ["产业链,主导产业,环节序号,环节,依托基地"]
    rows += [f"{s[2]}产业链,{s[2]},1,{s[1]},{s[0]}" for s in SITES]
    return ("\n".join(rows) + "\n").encode("utf-8")


def statistics_xlsx() -> bytes:
    """The annual statistics sheet: a title row, villages as rows, 元 in the header (the
    catalogue holds 万元), thousands separators as text, a 合计 row."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "2025年"
    sheet.append(["测试乡2025年各村经济统计表"])
    sheet.append(["村名", "村集体经济收入(元)"])
    for village, income in INCOME_2025.items():
        sheet.append([village, f"{income:,}"])
    sheet.append(["合计", f"{sum(INCOME_2025.values()):,}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fill_plans(template: bytes) -> bytes:
    """The plan template downloaded from the page, each village's leading industry filled."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    for name, (_site, _kind, industry, village, *_rest) in zip(
        VILLAGE_NAMES, sorted(SITES, key=lambda s: VILLAGE_NAMES.index(s[3])), strict=True
    ):
        assert village == name
        book[name]["B2"] = industry
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fill_indicator_template(template: bytes) -> tuple[bytes, int]:
    """Next year's template with the collective income of every village typed in."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    year = int(re.search(r"\d{4}", sheet.title).group())
    headers = [c.value for c in sheet[2]]
    column = next(i for i, h in enumerate(headers, 1) if str(h).startswith("村集体经济收入("))
    for row in range(3, sheet.max_row + 1):
        name = sheet.cell(row=row, column=2).value
        if name in INCOME_NEXT:
            sheet.cell(row=row, column=column, value=INCOME_NEXT[name])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), year


def make_inputs(folder: Path) -> dict[str, Path]:
    """The seven kinds of input (the report's figures are typed, not a file)."""
    folder.mkdir(parents=True)
    made = {
        "boundary": ("乡界.zip", boundary_zip(folder)),
        "villages": ("村界.zip", villages_zip(folder)),
        "sites": ("产业基地.xlsx", sites_xlsx()),
        "chains": ("产业链.csv", chains_csv()),
        "orgs": ("党组织.xlsx", orgs_xlsx()),
        "indicators": ("统计表.xlsx", statistics_xlsx()),
    }
    paths = {}
    for key, (name, data) in made.items():
        paths[key] = folder / name
        paths[key].write_bytes(data)
    return paths


# An unhandled rejection whose reason is a DOM Event reaches Playwright as "Event" only:
# every frame logs what the event was about, so a page error can be traced.
WHY_REJECTED = """
window.addEventListener('unhandledrejection', (e) => {
  const r = e.reason, t = r && r.target;
  console.log('rejected: ' + location.href.slice(0, 80) + ' ' + (r && r.type) + ' '
    + (t ? (t.tagName + ' ' + (t.src || t.href || t.url || '')) : String(r)));
});
"""


# --- the walk -----------------------------------------------------------------------
@dataclass
class Step:
    name: str
    clicks: int = 0
    typed: int = 0
    selections: int = 0
    uploads: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def actions(self) -> int:
        return self.clicks + self.typed + self.selections + self.uploads


class Walk:
    """A planner's session: every action counted in the current step, and the app let
    settle after it (Streamlit's status widget gone) before the next."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.steps: list[Step] = []
        self.url = ""
        self._start = 0.0

    def step(self, name: str) -> None:
        self.end()
        self.steps.append(Step(name))
        self._start = time.monotonic()

    def end(self) -> None:
        if self.steps and not self.steps[-1].seconds:
            self.steps[-1].seconds = time.monotonic() - self._start

    @property
    def now(self) -> Step:
        return self.steps[-1]

    def settle(self) -> None:
        self.page.wait_for_timeout(500)
        status = self.page.locator('[data-testid="stStatusWidget"]')
        status.wait_for(state="detached", timeout=120_000)

    def click(self, locator: Any, timeout: float = 60_000) -> None:
        locator.click(timeout=timeout)
        self.now.clicks += 1
        self.settle()

    def type(self, label: str, value: str, *, enter: bool = True) -> None:
        """A text or number field; Enter commits it (not in a form, where Enter submits)."""
        box = self.page.get_by_label(label, exact=True)
        box.fill(value)
        self.now.typed += 1
        if enter:
            box.press("Enter")
            self.settle()
            assert box.input_value() == value, (label, box.input_value())

    def select(self, label: str, option: str) -> None:
        """A selectbox: open it and click the option (counted as one selection)."""
        box = self.page.locator('[data-testid="stSelectbox"]').filter(has_text=label).last
        choice = self.page.get_by_role("option", name=re.compile(option)).first
        for attempt in range(3):  # a click during a rerun may land on the old widget
            box.locator("input").click()
            try:
                choice.wait_for(timeout=10_000)
                break
            except Exception:  # noqa: BLE001 - playwright's TimeoutError: open it again
                self.now.clicks += 1  # a person clicks again too: counted
                self.now.notes.append(f"list did not open at click {attempt + 1}: 10 s wait")
                self.page.keyboard.press("Escape")
                self.settle()
        choice.click()
        self.now.selections += 1
        self.settle()

    def upload(self, path_or_bytes: Path | tuple[str, bytes], mime: str) -> None:
        name, data = (
            (path_or_bytes.name, path_or_bytes.read_bytes())
            if isinstance(path_or_bytes, Path)
            else path_or_bytes
        )
        self.page.locator('input[type="file"]').first.set_input_files(
            {"name": name, "mimeType": mime, "buffer": data}
        )
        self.now.uploads += 1
        self.settle()

    def download(self, make_label: str) -> bytes:
        """An export button: click it, then click the file it made (two clicks)."""
        self.click(self.page.get_by_role("button", name=make_label))
        with self.page.expect_download(timeout=60_000) as info:
            self.page.get_by_role("button", name=re.compile("文件已生成")).click()
        self.now.clicks += 1
        return Path(info.value.path()).read_bytes()

    def wait_text(self, text: str, timeout: float = 120_000) -> None:
        self.page.get_by_text(text).first.wait_for(timeout=timeout)

    def accept_import(self, crs_option: str | None) -> None:
        """The import tab after an upload: choose the CRS only if asked, then accept."""
        accept = self.page.get_by_role("button", name=re.compile("^接受导入"))
        asked = self.page.get_by_text("尚未选择坐标系")
        accept.or_(asked).first.wait_for(timeout=120_000)
        self.settle()
        if asked.is_visible():
            if crs_option is None:
                raise AssertionError(f"{self.now.name}: the guide asked for a CRS")
            self.select("源文件的坐标系", crs_option)
            self.now.notes.append(f"asked for the CRS: chose {crs_option}")
        else:
            self.now.notes.append("CRS decided by the evidence")
        self.click(accept, timeout=120_000)

    def open_step(self, label: str) -> None:
        """Choose a step in the guide's 当前步骤 radio (when the guide has not moved there)."""
        heading = self.page.get_by_text(re.compile(rf"^第 \d 步:{label}$"))
        if heading.count() and heading.first.is_visible():
            return
        radio = self.page.locator('[data-testid="stRadio"]')
        self.click(radio.get_by_text(re.compile(rf"^\d\. {label}$")).first)
        heading.first.wait_for(timeout=60_000)


def walk_browser(walk: Walk, files: dict[str, Path], data: Path) -> dict[str, Any]:
    page = walk.page
    walk.step("0. 登录 log in")
    page.goto(walk.url + "/login")
    walk.type("用户名", USER, enter=False)
    walk.type("密码", PASSWORD, enter=False)
    walk.click(page.get_by_role("button", name="登录"))
    walk.wait_text("规划员")
    walk.click(page.get_by_role("link", name="总览地图"))  # the app sends a planner to the guide

    walk.step("1a. 建立数据文件夹 create the folder")
    walk.click(page.get_by_role("button", name="建立数据文件夹"))
    walk.wait_text("数据文件夹已建立")

    walk.step("1b. 乡镇:表单+乡界+保存 township")
    walk.type("乡镇名称 *", NAME)
    walk.type("乡镇代码 *(如行政区划代码)", CODE)
    for key, label in FIGURE_LABELS.items():
        walk.type(label, str(REPORTED[key]))
    walk.upload(files["boundary"], "application/zip")
    save = page.get_by_role("button", name="保存", exact=True)
    asked = page.get_by_text("尚未选择坐标系")
    save.or_(asked).first.wait_for(timeout=120_000)
    walk.settle()
    if asked.is_visible():
        walk.select("源文件的坐标系", "高斯-克吕格 3 度带")
        walk.now.notes.append("asked for the CRS: chose GK 3°")
    missing = page.locator('[data-testid="stAlert"]').filter(has_text="保存前还需")
    assert not missing.count(), missing.first.inner_text()
    walk.click(save)
    walk.wait_text(f"已保存乡镇“{NAME}”")

    walk.step("2. 村界 villages")
    walk.wait_text("第 2 步:村界")
    walk.upload(files["villages"], "application/zip")
    walk.accept_import("高斯-克吕格 3 度带")
    walk.wait_text("第 3 步:")

    walk.step("3. 产业基地 sites")
    walk.open_step("产业基地和示范点")
    walk.upload(files["sites"], XLSX)
    walk.accept_import("GCJ-02")
    walk.wait_text("✅ 3. 产业基地和示范点")

    walk.step("4. 产业链 chains")
    walk.open_step("产业链")
    walk.upload(files["chains"], "text/csv")
    walk.click(page.get_by_role("button", name=re.compile("^接受并保存 .* 条产业链")))
    walk.wait_text("✅ 4. 产业链")

    walk.step("5. 党组织 organisations")
    walk.open_step("党组织")
    walk.upload(files["orgs"], XLSX)
    walk.accept_import("WGS84")
    walk.wait_text("✅ 5. 党组织")

    walk.step("6. 指标 indicators")
    walk.open_step("指标数据")
    walk.upload(files["indicators"], XLSX)
    walk.click(page.get_by_role("button", name=re.compile("^接受导入.*个数字")))
    walk.wait_text("✅ 6. 指标数据")

    walk.step("7. 规划 plans (template from the page)")
    walk.open_step("一村一业规划")
    template = walk.download("生成规划模板(Excel)")
    filled = fill_plans(template)
    files["plans"] = files["indicators"].with_name("规划.xlsx")
    files["plans"].write_bytes(filled)
    walk.upload(files["plans"], XLSX)
    walk.click(page.get_by_role("button", name=re.compile("^接受并保存 .* 个村的规划")))
    walk.wait_text("完成:所有步骤都已完成,数据检查没有错误。")
    walk.end()
    guide_done = Store(data).load()
    guide_files = digest(data)  # the command has no step 8: compared with this

    walk.step("8. 明年指标:模板+一次上传 next year's figures")
    walk.click(page.get_by_role("link", name="指标对比"))
    template = walk.download("下载明年填报模板")
    filled, year = fill_indicator_template(template)
    walk.click(page.get_by_role("link", name="建立本乡数据"))
    walk.open_step("指标数据")
    walk.upload(("指标填报模板.xlsx", filled), XLSX)
    walk.click(page.get_by_role("button", name=re.compile("^接受导入.*个数字")))
    walk.wait_text("已导入")
    walk.end()
    walk.now.notes.append(f"template for {year}; uploads in this step: {walk.now.uploads}")
    return {"guide_done": guide_done, "guide_files": guide_files, "year": year}


def digest(folder: Path) -> dict[str, str]:
    return {
        n: hashlib.sha256((folder / n).read_bytes()).hexdigest()[:12]
        for n in DATA_FILES
        if (folder / n).exists()
    }


def run_command(files: dict[str, Path], out: Path) -> tuple[int, float, str]:
    argv = [sys.executable, "-m", "township_atlas.onboard", str(out), "--name", NAME]
    argv += ["--code", CODE, "--user", USER]
    for key, value in REPORTED.items():
        argv += ["--reported", f"{key}={value}"]
    for flag in ("boundary", "villages", "sites", "orgs", "chains", "indicators", "plans"):
        argv += [f"--{flag}", str(files[flag])]
    argv += ["--sites-crs", "gcj02", "--orgs-crs", "wgs84"]
    start = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=900)
    return done.returncode, time.monotonic() - start, done.stdout + done.stderr


def main() -> int:
    sync_playwright = require_browser()
    tmp = Path(tempfile.mkdtemp(prefix="onboard-walk-"))
    files = make_inputs(tmp / "inputs")
    data = tmp / "by-browser"  # not there yet
    accounts = tmp / "accounts.json"
    AccountStore(accounts).add(USER, PASSWORD, "planner", actor=User("t", "admin", "console"))
    env = {
        "TOWNSHIP_ATLAS_DATA_DIR": str(data),
        "TOWNSHIP_ATLAS_ACCOUNTS_FILE": str(accounts),
        "TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS": "0",
    }
    errors: list[str] = []
    with streamlit_server(ROOT / "app.py", env=env) as url, sync_playwright() as p:
        browser = launch_chromium(p)
        context = browser.new_context(
            viewport={"width": 1500, "height": 1100}, accept_downloads=True
        )
        block_remote(context)
        page = context.new_page()
        walk = Walk(page)
        page.on("pageerror", lambda e: errors.append(f"{walk.now.name}: {e} {e.stack or ''}"))
        context.add_init_script(WHY_REJECTED)
        page.on("console", lambda m: m.text.startswith("rejected:") and errors.append(m.text))
        walk.url = url
        started = time.monotonic()
        try:
            found = walk_browser(walk, files, data)
        except Exception:
            walk.end()
            page.screenshot(path=str(tmp / "failure.png"), full_page=True)
            print(f"failed in step {walk.now.name!r}; screenshot {tmp / 'failure.png'}")
            _table(walk.steps, time.monotonic() - started)
            raise
        total = time.monotonic() - started
        browser.close()
    after = Store(data).load()
    next_year = after.bundle.indicators
    next_year = next_year[(next_year["year"] == found["year"]) & next_year["value"].notna()]

    code, command_s, said = run_command(files, tmp / "by-command")
    command_files = digest(tmp / "by-command") if code == 0 else {}
    guide_done = found["guide_done"]

    _table(walk.steps, total)
    print(f"\ncommand: exit {code} in {command_s:.1f} s")
    if code != 0:
        print(said[-3000:])
    same = _compare(found["guide_files"], command_files, code)
    print(
        f"\nerror findings after the guide: {len(guide_done.errors)}; after step 8: "
        f"{len(after.errors)}; {found['year']} figures imported: {len(next_year)}"
    )
    print(f"page errors in the browser: {errors or 'none'}")
    print(f"files in {tmp}")
    ok = not guide_done.errors and not after.errors and len(next_year) == 3 and same
    return 0 if ok and not errors else 1


def _compare(guide_files: dict[str, str], command_files: dict[str, str], code: int) -> bool:
    """The command's folder against the browser's as the guide left it (after step 7)."""
    if code != 0:
        print("the command failed: no comparison")
        return False
    differ = sorted(
        n
        for n in guide_files.keys() | command_files.keys()
        if guide_files.get(n) != command_files.get(n)
    )
    verdict = "equal byte for byte" if not differ else "differ in " + ", ".join(differ)
    print(
        f"command folder vs browser folder after step 7 ({len(guide_files)} data files): {verdict}"
    )
    return not differ


def _table(steps: list[Step], total: float) -> None:
    print(
        f"\n{'step':44} {'clicks':>6} {'typed':>5} {'select':>6} {'upload':>6} "
        f"{'actions':>7} {'seconds':>8}"
    )
    for s in steps:
        print(
            f"{s.name:44} {s.clicks:6} {s.typed:5} {s.selections:6} {s.uploads:6} "
            f"{s.actions:7} {s.seconds:8.1f}  {'; '.join(s.notes)}"
        )
    setup = [s for s in steps if not s.name.startswith("8.")]
    print(
        f"{'total to a checked township (steps 0-7)':44} "
        f"{sum(s.clicks for s in setup):6} {sum(s.typed for s in setup):5} "
        f"{sum(s.selections for s in setup):6} {sum(s.uploads for s in setup):6} "
        f"{sum(s.actions for s in setup):7} {sum(s.seconds for s in setup):8.1f}"
    )
    print(f"{'whole run, browser':44} {'':29} {total:8.1f}")


if __name__ == "__main__":
    sys.exit(main())
