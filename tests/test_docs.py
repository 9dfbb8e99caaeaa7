"""The README documents every setting, every page and the two commands CI relies on."""

from __future__ import annotations

import re
from pathlib import Path

from township_atlas.settings import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_in_the_readme():
    for setting in SETTINGS:
        assert f"`{setting.env_var}`" in README, setting.env_var
        assert f"`{setting.default}`" in README, setting.default


def test_ci_runs_the_readme_test_command_verbatim():
    commands = re.findall(r"```bash\n(python3 -m venv .*?)\n```", README)
    assert len(commands) == 2, "the README has exactly two set-up commands"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci


def test_every_page_is_listed_in_the_readme():
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    for key in re.findall(r'title=tr\("(page_\w+)"', app):
        from township_atlas.text.labels import TEXT

        zh, en = TEXT[key]
        assert zh in README and en in README, key


def test_every_test_named_in_the_reliability_promises_exists():
    import re

    doc = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    current = None
    named = []
    for path, name in re.findall(r"`(tests/[\w/]+\.py)?(?:::(\w+))?`", doc):
        if path:
            current = path
            assert (ROOT / path).exists(), path
        if name:
            named.append((current, name))
    assert len(named) >= 25
    for path, name in named:
        source = (ROOT / path).read_text(encoding="utf-8")
        assert f"def {name}(" in source, f"{path}::{name}"
