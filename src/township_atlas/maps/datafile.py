"""The map layers' JSON as a static file that the map fetches, instead of inside the page.

A county's layers are megabytes. Inside the st_folium arguments they would travel through
the websocket on every first visit *and* on every click (the arguments change with the
selection, so Streamlit's message cache cannot reuse them), and the server would run
st_folium's regular expressions over them on every run. As a file under Streamlit's static
folder (``server.enableStaticServing``) the browser fetches them once per data version,
compressed, while the map frame is being set up.

The name is the SHA-256 of the content: a new data version (or language, or basemap
shift) is a new URL, so a cached old file is never used for new data, and processes
serving the same folder write the same name. Static files are served to anyone who asks,
logged in or not: ``township_atlas.ui.map_view`` only uses this when anonymous viewing is
on (the file then shows nothing that the map does not show to anyone); otherwise the
layers stay inside the page, behind the login.

What is public follows the data and the setting (issue 15):

* each file name starts with a tag of its data version, and publishing a new version
  deletes the files of every other version, so a deleted feature does not stay public.
  A page still showing the old version is told of the new file by its own rerun (the
  data change reruns every open page) and fetches that one (atlas.js ``reload``); if it
  was still loading the deleted file, the map says the data failed until that rerun,
  a second or so later. With several processes serving the folder, one that has not yet
  seen the change may write its old version again and delete the new one; the next run
  of any page on the new version writes it back (``publish`` rewrites a missing file).
* :func:`unpublish_all` empties the folder; the app runs it once per process when
  anonymous viewing is off (``township_atlas.ui.chrome``), so turning the setting off
  and restarting leaves nothing served.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

FOLDER = "atlas-data"
# From the component iframe (<base>/component/streamlit_folium.st_folium/index.html),
# "../../app/static/" is Streamlit's static folder (as for the vendored Leaflet).
URL_PREFIX = f"../../app/static/{FOLDER}"
# A tiny script st_folium loads before Leaflet (the first of its js_links): it starts the
# data's download, so that it overlaps the loading of Leaflet and its plugins. The data
# file's name is its query string. The version in the name changes with its content.
PREFETCH_NAME = "prefetch-2.js"
PREFETCH_JS = b"""/* Township Atlas: fetch the map's data while Leaflet loads (maps/datafile.py). */
(function () {
  "use strict";
  var s = document.currentScript, q = s && s.src.split("?")[1];
  if (!q || !/^[0-9a-f]{16}-[0-9a-f]{32}[.]json$/.test(q)) { return; }
  var url = new URL(q, s.src).href;
  window.atlasPrefetch = { url: url, response: fetch(url, { credentials: "same-origin" }) };
})();
"""
# Files of the current data version kept at most (one per language and basemap shift);
# files of other versions are deleted when a new one is written.
KEEP = 16


def version_tag(version: str) -> str:
    """The 16 hex digits that start the names of a data version's files."""
    return hashlib.sha256(version.encode("utf-8")).hexdigest()[:16]


def file_name(content: bytes, version: str) -> str:
    """``<version tag>-<sha256 of content, 32 hex digits>.json``."""
    return f"{version_tag(version)}-{hashlib.sha256(content).hexdigest()[:32]}.json"


def prefetch_url(data_url: str) -> str:
    """The URL of the prefetch script for the data file at ``data_url`` (from publish)."""
    return f"{URL_PREFIX}/{PREFETCH_NAME}?{data_url.rsplit('/', 1)[1]}"


def publish(static_dir: Path, content: bytes, version: str, keep: int = KEEP) -> str:
    """Make ``content`` available as ``static_dir/atlas-data/<version>-<hash>.json`` and
    delete the files of every other data version.

    Parameters
    ----------
    static_dir : Path
        Streamlit's static folder (``static/`` beside the main script).
    content : bytes
        The layers' JSON (``township_atlas.maps.build.layers_file``).
    version : str
        The data version it shows (the data's fingerprint).
    keep : int
        How many files of this version to keep; the oldest beyond that are deleted.

    Returns
    -------
    str
        The file's URL relative to the map's iframe.

    Raises
    ------
    OSError
        If the folder or the file cannot be written (the caller then keeps the layers
        inside the page).
    """
    folder = Path(static_dir) / FOLDER
    name = file_name(content, version)
    target = folder / name
    if not target.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(target, content)
        _clean(folder, version_tag(version), keep)
    prefetch = folder / PREFETCH_NAME
    if not prefetch.is_file():
        _write_atomic(prefetch, PREFETCH_JS)
    return f"{URL_PREFIX}/{name}"


def _write_atomic(target: Path, content: bytes) -> None:
    # A temporary file in the same folder, then os.replace: a browser never fetches half a
    # file, and processes writing the same name at once write the same bytes.
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; this is a file for the web server
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _clean(folder: Path, tag: str, keep: int) -> None:
    files = []
    for path in folder.glob("*.json"):  # the data files, not the prefetch script
        if not path.name.startswith(tag + "-"):
            path.unlink(missing_ok=True)  # another data version (or an older naming)
            continue
        try:
            files.append((path.stat().st_mtime, path))
        except FileNotFoundError:  # another process cleaned it meanwhile
            continue
    for _, path in sorted(files, reverse=True)[keep:]:
        path.unlink(missing_ok=True)


def unpublish_all(static_dir: Path) -> int:
    """Delete every published data file (and any half-written one); returns how many.

    Raises
    ------
    OSError
        If a file cannot be deleted (the caller logs it: the files stay public).
    """
    folder = Path(static_dir) / FOLDER
    if not folder.is_dir():
        return 0
    removed = 0
    for path in [*folder.glob("*.json"), *folder.glob(".*.tmp")]:
        path.unlink(missing_ok=True)
        removed += 1
    return removed
