"""The import contracts in pyproject.toml ([tool.importlinter]) hold, and they catch what
they are for: each deliberately added wrong import, written into a copy of the package,
breaks the contract meant to stop it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = {
    c["id"]: c["name"]
    for c in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "importlinter"
    ]["contracts"]
}


def lint_imports(src: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports on the township_atlas package found in ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    run = "from importlinter.cli import lint_imports_command as c; c()"
    return subprocess.run(
        [sys.executable, "-c", run, "--no-cache", "--config", str(cwd / "pyproject.toml")],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def broken(result: subprocess.CompletedProcess[str]) -> set[str]:
    return {cid for cid, name in CONTRACTS.items() if f"{name} BROKEN" in result.stdout}


def test_the_import_contracts_hold():
    result = lint_imports(ROOT / "src", ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout
    assert not broken(result)


@pytest.mark.parametrize(
    ("module", "added", "expected"),
    [
        # Model code reaching up to the UI: an upward import across every layer (and, as the
        # UI imports the model, a cycle).
        (
            "model/schema.py",
            "from township_atlas.ui import text",
            {"ui-on-top", "layers", "no-cycles"},
        ),
        # A feature importing the briefing above it (which imports maps: a cycle too).
        ("maps/style.py", "import township_atlas.briefing", {"layers", "no-cycles"}),
        # Storage importing a feature: upward, no cycle.
        ("storage/files/history.py", "import township_atlas.accounts", {"layers"}),
        # Domain code using Streamlit.
        ("views/indicators.py", "import streamlit", {"domain-without-streamlit"}),
        ("transfer/ids.py", "import streamlit_folium", {"domain-without-streamlit"}),
        # views.charts imports maps; maps importing it is upward and closes a cycle.
        ("maps/style.py", "import township_atlas.views.charts", {"layers", "no-cycles"}),
        # The checks reaching up to storage (which runs them before every save).
        ("checks/party.py", "import township_atlas.storage", {"layers", "no-cycles"}),
        # Two siblings of one layer: views and sample stay independent.
        ("sample/figures.py", "import township_atlas.views.plans", {"layers"}),
    ],
)
def test_a_wrong_import_breaks_its_contract(tmp_path, module, added, expected):
    src = tmp_path / "src"
    shutil.copytree(
        ROOT / "src" / "township_atlas",
        src / "township_atlas",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    untouched = lint_imports(src, tmp_path)
    assert untouched.returncode == 0, untouched.stdout + untouched.stderr
    path = src / "township_atlas" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{added}\n", encoding="utf-8")
    result = lint_imports(src, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken(result) == expected, result.stdout
