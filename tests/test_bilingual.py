"""One bilingual helper (text.bilingual) instead of hand-written ``lang`` branches."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from township_atlas.text.bilingual import Labelled, Messaged, Named, bilingual, pick
from township_atlas.text.labels import headers, tr

ROOT = Path(__file__).resolve().parent.parent
BILINGUAL = Path("src/township_atlas/text/bilingual.py")


def _is_lang(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "lang") or (
        isinstance(node, ast.Attribute) and node.attr == "lang"
    )


def _is_language(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value in ("zh", "en")


def lang_branches(source: str) -> list[int]:
    """Lines comparing ``lang`` (or ``x.lang``) with "zh" or "en" by == or !=."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        ops_eq = all(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops)
        if ops_eq and any(map(_is_lang, sides)) and any(map(_is_language, sides)):
            lines.append(node.lineno)
    return sorted(lines)


def _python_files() -> list[Path]:
    files = [*(ROOT / "src").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]
    return sorted(p.relative_to(ROOT) for p in files if p.exists())


def test_the_scan_finds_hand_written_branches_in_every_spelling():
    source = (
        'a = x if lang == "zh" else y\n'
        'b = "en" != lang\n'
        'c = 0 if self.lang == "zh" else 1\n'
        "d = pick(lang, x, y)\n"
        'e = kind == "zh"\n'
    )
    assert lang_branches(source) == [1, 2, 3]


def test_no_lang_branch_outside_the_bilingual_helper():
    found = {
        str(path): lines
        for path in _python_files()
        if path != BILINGUAL and (lines := lang_branches((ROOT / path).read_text(encoding="utf-8")))
    }
    assert not found, f"use text.bilingual.pick instead of comparing lang by hand: {found}"


@pytest.mark.parametrize(
    ("lang", "zh", "en", "fallback", "expected"),
    [
        ("zh", "村", "Village", False, "村"),
        ("en", "村", "Village", False, "Village"),
        ("en", "名", "", False, ""),  # an English text may be empty on purpose (units)
        ("en", "名", "", True, "名"),
        ("en", ("甲",), (), True, ("甲",)),
        ("zh", "村", "", True, "村"),
    ],
)
def test_pick_chooses_by_language_and_falls_back_to_chinese_only_when_asked(
    lang, zh, en, fallback, expected
):
    assert pick(lang, zh, en, fallback=fallback) == expected


@dataclass(frozen=True)
class _Record(Named, Labelled, Messaged):
    name_zh: str
    name_en: str
    label_zh: str = "标签"
    label_en: str = "Label"
    message_zh: str = "消息"
    message_en: str = ""
    title_zh: str = "题"
    title_en: str = "Title"


def test_mixins_and_bilingual_read_the_zh_en_pair_of_a_record():
    record = _Record("甲村", "Jia")
    assert (record.name("zh"), record.name("en")) == ("甲村", "Jia")
    assert _Record("甲村", "").name("en") == "甲村"
    assert (record.label("en"), record.message("en"), record.message()) == ("Label", "消息", "消息")
    assert (bilingual(record, "title", "en"), bilingual(record, "title", "zh")) == ("Title", "题")


def test_headers_map_stable_column_keys_to_texts_in_the_language():
    keys = {"year": "year", "target": "target_value"}
    assert headers(keys, "en") == {"year": tr("year", "en"), "target": tr("target_value", "en")}
    assert headers(keys, "zh")["target"] == tr("target_value", "zh")
