"""Keep GDAL off the network and away from files we did not put in front of it.

We only ever hand GDAL paths inside a private temporary folder that we extracted ourselves,
and only after checking the file's magic bytes (so a VRT or a remote "connection string"
can never pose as a Shapefile or GeoPackage). These options are the second line: should a
path or a format still point somewhere else, GDAL finds no network and no extra files.
"""

from __future__ import annotations

import pyogrio

# /vsicurl/ may only open files with this (impossible) extension, i.e. none at all.
_NO_NETWORK_EXTENSION = ".township-atlas-network-disabled"

GDAL_OPTIONS: dict[str, str] = {
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": _NO_NETWORK_EXTENSION,
    # Any HTTP request that still happens goes to a closed local port and fails at once.
    "GDAL_HTTP_PROXY": "127.0.0.1:9",
    "GDAL_HTTPS_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "CPL_VSIL_CURL_USE_HEAD": "NO",
    # Do not list folders when opening (no probing of neighbouring, possibly remote, files);
    # drivers still find a Shapefile's own .dbf/.shx/.prj/.cpg by name.
    "GDAL_DISABLE_READDIR_ON_OPEN": "TRUE",
    # SQLite/GeoPackage: views and triggers of an untrusted file may not call OGR functions.
    "ALLOW_OGR_SQL_FUNCTIONS_FROM_TRIGGER_AND_VIEW": "NO",
    "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
    # No .aux.xml side files next to what we read.
    "GDAL_PAM_ENABLED": "NO",
}

_applied = False


def lock_down_gdal() -> None:
    """Set :data:`GDAL_OPTIONS` in this process (idempotent; call before any GDAL I/O)."""
    global _applied
    if not _applied:
        pyogrio.set_gdal_config_options(GDAL_OPTIONS)
        _applied = True
