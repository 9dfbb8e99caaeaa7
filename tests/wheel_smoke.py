"""Run by .ci/run from a fresh venv with the built wheel installed (not editable), never by
the plain test command (the file name does not start with test_): the installed package is
the one imported, and it carries every file besides its modules that src/ has."""

from __future__ import annotations

import json
import subprocess
import sysconfig
from importlib import metadata
from pathlib import Path

import township_atlas

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "township_atlas"
INSTALLED = Path(township_atlas.__file__).resolve().parent


def test_the_installed_package_is_imported_not_src():
    site_packages = Path(sysconfig.get_paths()["purelib"]).resolve()
    assert INSTALLED.parent == site_packages, INSTALLED
    assert not INSTALLED.is_relative_to(ROOT)
    direct_url = metadata.distribution("township-atlas").read_text("direct_url.json")
    if direct_url:  # pip writes it for a wheel file; an editable install says so here
        assert not json.loads(direct_url).get("dir_info", {}).get("editable", False)


def _data_files(package: Path) -> set[str]:
    return {
        p.relative_to(package).as_posix()
        for p in package.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }


def test_every_file_besides_the_modules_is_installed():
    tracked = subprocess.run(
        ["git", "ls-files", "src/township_atlas"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    wanted = {
        Path(p).relative_to("src/township_atlas").as_posix()
        for p in tracked
        if not p.endswith(".py")
    }
    assert "maps/atlas.js" in wanted
    assert wanted <= _data_files(INSTALLED), sorted(wanted - _data_files(INSTALLED))
    for name in wanted:
        assert (INSTALLED / name).read_bytes() == (SRC / name).read_bytes(), name


def test_the_map_writes_its_files_into_the_apps_static_folder(tmp_path, monkeypatch):
    """Streamlit serves static/ beside app.py; the installed package must write there (its
    own folder is site-packages), or the browser finds no Leaflet and no layers file."""
    import shutil

    from streamlit.testing.v1 import AppTest

    from township_atlas.maps import datafile

    data = tmp_path / "geodata"
    shutil.copytree(ROOT / "geodata", data)
    monkeypatch.setenv("TOWNSHIP_ATLAS_DATA_DIR", str(data))
    monkeypatch.setenv("TOWNSHIP_ATLAS_ANONYMOUS_VIEWING", "true")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    args = next(e for e in at.main if type(e).__name__ == "UnknownElement").proto.json_args
    assert (ROOT / "static" / "vendor").is_dir()
    url = json.loads(args)["script"].split('"data_url": "', 1)[1].split('"', 1)[0]
    assert url.startswith(datafile.URL_PREFIX + "/")
    assert (ROOT / "static" / datafile.FOLDER / url.rsplit("/", 1)[1]).is_file()
    assert not (INSTALLED.parent.parent / "static").exists()
