"""Links of an import: the village of a site or Party organisation (from its location when
the source has none), parents, sites and chains that must exist; values written as names
instead of ids are matched by :mod:`.name_match` (exact id, exact name, normalised name) and
never guessed: a name that fits several objects or none is a row error listing candidates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from township_atlas.model.schema import LayerSpec
from township_atlas.transfer.name_match import Candidate, NameIndex, NameMatch, township_aliases
from township_atlas.transfer.problems import ProblemLog, Severity

if TYPE_CHECKING:
    from township_atlas.model.bundle import Bundle


def _candidates(match: NameMatch) -> tuple[str, ...]:
    return tuple(c.label() for c in match.candidates)


def _report(index: int, match: NameMatch, fld: Any, log: ProblemLog) -> None:
    """The row problem of a name that matched nothing or several things (an error)."""
    choices = _candidates(match)
    shown = "、".join(choices)
    if match.how == "ambiguous":
        key = "xfer_row_name_ambiguous"
    else:
        key = "xfer_row_name_unknown" if choices else "xfer_row_link_broken"
    log.add(
        index,
        "name_ambiguous" if match.how == "ambiguous" else "link",
        key,
        fld=fld,
        value=match.value,
        candidates=choices,
        choices=shown,
    )


def _indexes(spec: LayerSpec, rows: list[dict[str, Any]], bundle: Bundle) -> dict[str, NameIndex]:
    """The name index of every link field of ``spec`` (see :mod:`.name_match`)."""
    out = {"village_code": NameIndex.from_frame(bundle.villages, "code")}
    if spec.name != "party_orgs":
        return out
    orgs = bundle.party_orgs
    file_orgs = [  # the sheet's own organisations may be parents of its other rows
        Candidate(
            str(r["org_id"]),
            name.strip() if isinstance(name := r.get("name_zh"), str) else str(r["org_id"]),
            level if isinstance(level := r.get("level"), str) else None,
        )
        for r in rows
        if isinstance(r.get("org_id"), str)
    ]
    township = bundle.township["name_zh"].iloc[0] if len(bundle.township) == 1 else None
    out["parent_id"] = NameIndex.from_frame(
        orgs,
        "org_id",
        kind_field="level",
        extra=[*file_orgs, *township_aliases(orgs, township)],
        township=True,
    )
    out["site_id"] = NameIndex.from_frame(bundle.sites, "site_id")
    out["chain_id"] = NameIndex.from_frame(bundle.chains, "chain_id")
    return out


def check_links(
    spec: LayerSpec,
    rows: list[dict[str, Any]],
    geoms: np.ndarray,
    bundle: Bundle,
    log: ProblemLog,
    *,
    village_given: bool,
    chosen: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Resolve, check and fill the link fields of ``rows`` in place.

    A site without a village gets the one its location is in. A Party organisation does
    only when the source has no village column at all (``village_given`` False), because a
    blank there is meaningful: township organs and enterprise branches belong to no village.
    ``chosen`` holds the planner's choices: field -> {written name: id}.
    """
    if spec.name not in ("sites", "party_orgs"):
        return
    villages = bundle.villages
    fields = {f.name: f for f in spec.fields}
    indexes = _indexes(spec, rows, bundle)
    located = _locate(geoms, villages)
    known = indexes["village_code"].ids
    # A site must lie in the village it names (the store checks it on saving).
    mismatch = "error" if spec.name == "sites" else "warning"
    for index, props in enumerate(rows):
        for name, index_ in indexes.items():
            value = props.get(name)
            if value is None:
                continue
            match = index_.match(value, (chosen or {}).get(name))
            if match.id is None:
                _report(index, match, fields[name], log)
                props[name] = None if name != "village_code" else value
                continue
            props[name] = match.id
            if match.how != "id":
                log.add(
                    index,
                    "link_by_name",
                    {
                        "name": "xfer_row_link_by_name",
                        "normalised": "xfer_row_link_by_normalised_name",
                    }.get(match.how, "xfer_row_link_chosen"),
                    fld=fields[name],
                    value=value,
                    id=match.id,
                    severity="info",
                )
        assign = spec.name == "sites" or not (village_given or _non_village_branch(props))
        where = located.get(index) if assign or props.get("village_code") else None
        _village(index, props, where, mismatch, fields["village_code"], known, log)


def _non_village_branch(props: dict[str, Any]) -> bool:
    return props.get("level") == "branch" and props.get("branch_kind") not in (None, "rural")


def _locate(geoms: np.ndarray, villages: Any) -> dict[int, str]:
    """Row index -> code of the village holding the row's point (representative point)."""
    present = [i for i, g in enumerate(geoms) if g is not None]
    valid = [
        (str(c), g)
        for c, g in zip(villages["code"], villages.geometry, strict=True)
        if g is not None and not g.is_empty and g.is_valid
    ]
    if not present or not valid:
        return {}
    probes = shapely.point_on_surface(np.asarray([geoms[i] for i in present], dtype=object))
    tree = shapely.STRtree([g for _, g in valid])
    hit_probe, hit_village = tree.query(probes, predicate="within")
    out: dict[int, str] = {}
    for p, v in zip(hit_probe, hit_village, strict=True):
        out.setdefault(present[int(p)], valid[int(v)][0])
    return out


def _village(
    index: int,
    props: dict[str, Any],
    located: str | None,
    mismatch: Severity,
    fld: Any,
    known: set[str],
    log: ProblemLog,
) -> None:
    """Fill a missing village from the location, or flag one the location contradicts."""
    code = props.get("village_code")
    if code is None:
        if located is not None:
            props["village_code"] = located
            log.add(
                index,
                "village_assigned",
                "xfer_row_village_assigned",
                fld=fld,
                severity="info",
                id=located,
            )
        return
    if code in known and located is not None and located != code:
        log.add(
            index,
            "village_mismatch",
            "xfer_row_village_mismatch",
            fld=fld,
            value=code,
            id=located,
            severity=mismatch,
        )


def check_required(spec: LayerSpec, rows: list[dict[str, Any]], log: ProblemLog) -> None:
    """Every required field is filled (unless its problem was already reported)."""
    for index, props in enumerate(rows):
        for fld in spec.fields:
            if not fld.required or props.get(fld.name) is not None:
                continue
            if (index, fld.name) in log.field_errors:
                continue  # already reported (e.g. a value that could not be read)
            if fld.name == "village_code" and (index, "geometry") in log.field_errors:
                continue  # it would come from the location, which is already reported
            log.add(index, "required", "xfer_row_required", fld=fld)
