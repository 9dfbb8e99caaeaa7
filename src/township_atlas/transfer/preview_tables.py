"""What the import preview shows of a plan, as tables with stable column keys: the
problems found, the features to write, and the geometries they replace (for the map)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from shapely.geometry import mapping

from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import LAYERS_BY_NAME
from township_atlas.text.labels import tr
from township_atlas.transfer.plan import ImportPlan

# Column key of the problems table -> label key of its header (labels.headers).
PROBLEM_HEADERS = {
    "row": "xfer_ui_row",
    "severity": "xfer_ui_severity",
    "field": "edit_field",
    "message": "xfer_ui_message",
}


def problems_table(plan: ImportPlan, lang: str, limit: int = 2000) -> pd.DataFrame:
    """The plan's first ``limit`` problems, one a row.

    Parameters
    ----------
    plan : ImportPlan
        The planned import.
    lang : str
        "zh" or "en", for the severity and the message.
    limit : int
        Rows shown at most.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PROBLEM_HEADERS`' keys: ``row`` (the source row), ``severity`` (as
        text), ``field`` ("" for the whole row) and ``message``.
    """
    return pd.DataFrame(
        [
            {
                "row": p.row,
                "severity": tr(f"xfer_ui_sev_{p.severity}", lang),
                "field": p.field or "",
                "message": p.message(lang),
            }
            for p in plan.problems[:limit]
        ],
        columns=list(PROBLEM_HEADERS),
    )


def features_table(plan: ImportPlan, limit: int = 500) -> pd.DataFrame:
    """The first ``limit`` features the plan accepts, without geometry: the layer's fields
    then ``_row`` and ``_status`` (see :meth:`ImportPlan.preview`)."""
    return plan.preview().drop(columns="geometry").head(limit)


def field_headers(layer: str, lang: str) -> dict[str, str]:
    """Field name -> its label in ``lang``, for the columns of :func:`features_table`."""
    return {f.name: f.label(lang) for f in LAYERS_BY_NAME[layer].fields}


def replaced_before(bundle: Bundle, plan: ImportPlan) -> list[dict[str, Any]]:
    """The current geometries of the features the plan replaces, as GeoJSON-like features
    (``{"geometry": ...}``), for the preview map; features without geometry are left out."""
    current = {
        str(r[LAYERS_BY_NAME[plan.layer].id_field]): r
        for r in bundle.layer(plan.layer).to_dict("records")
    }
    return [
        {"geometry": mapping(current[i]["geometry"])}
        for i in plan.replaced_ids
        if i in current and current[i].get("geometry") is not None
    ]
