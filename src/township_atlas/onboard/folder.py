"""A new township's data folder: the empty layers and the indicator catalogue.

The catalogue is the report's measures (村集体经济收入, 农民人均可支配收入, 土地流转面积 ...),
the same for every township that follows it; a township adds its own indicators when it
imports its statistics.
"""

from __future__ import annotations

from pathlib import Path

from township_atlas.model.schema import CATALOGUE
from township_atlas.sample import content
from township_atlas.storage.changes import ChangeSet
from township_atlas.storage.files.store import Store, create_folder

#: The note of a set-up folder's first change (how ``--resume`` knows a folder it may continue).
START_NOTE = "建立指标目录(调研报告的指标)"


def catalogue_records() -> list[dict]:
    """The report's indicator catalogue as records of ``indicator_catalogue`` (a table's
    record is ``{"properties": row}``, as :meth:`Store.read_records` gives it)."""
    names = CATALOGUE.field_names()
    return [
        {"properties": dict(zip(names, (key, zh, en, uzh, uen, hib, grp, src, agg), strict=True))}
        for key, zh, en, uzh, uen, hib, grp, _has_target, src, agg in content.CATALOGUE
    ]


def start_township(path: Path | str, user: str) -> Store:
    """A new data folder at ``path`` holding no township yet and the report's indicator
    catalogue (saved as the folder's first change, by ``user``).

    Raises
    ------
    DataFolderError : the folder already holds township data, or cannot be created
    """
    store = create_folder(path)
    records = catalogue_records()
    store.save(
        ChangeSet(
            CATALOGUE.name,
            user,
            upserts=records,
            base={r["properties"]["key"]: None for r in records},
            note=START_NOTE,
        )
    )
    return store
