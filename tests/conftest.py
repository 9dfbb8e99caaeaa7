"""Shared fixtures: every test works on a copy of the shipped sample, never on geodata/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "geodata"


@pytest.fixture
def sample_dir(tmp_path: Path) -> Path:
    """A fresh copy of the shipped sample data folder."""
    target = tmp_path / "geodata"
    shutil.copytree(SAMPLE_DIR, target)
    return target


@pytest.fixture
def data_env(sample_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at a copy of the sample (for AppTest runs)."""
    monkeypatch.setenv("TOWNSHIP_ATLAS_DATA_DIR", str(sample_dir))
    return sample_dir
