"""Links of an import: the village of a site or Party organisation (from its location when
the source has none), parents, sites and chains that must exist; values written as names
instead of ids are resolved when the name is unique."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from township_atlas.model.schema import LayerSpec
from township_atlas.transfer.problems import ProblemLog, Severity

if TYPE_CHECKING:
    from township_atlas.model.bundle import Bundle


def _name_index(
    frame: Any, id_field: str, extra: list[tuple[str, str]] = ()
) -> dict[str, str | None]:
    """name (zh, en lower-case, zh without 村) -> id; None where a name is not unique."""
    out: dict[str, str | None] = {}

    def put(name: Any, fid: str) -> None:
        if name is None or (isinstance(name, float) and np.isnan(name)) or not str(name).strip():
            return
        key = str(name).strip().lower()
        out[key] = fid if out.get(key, fid) == fid else None

    for row in frame.itertuples(index=False):
        fid = str(getattr(row, id_field))
        for col in ("name_zh", "name_en"):
            name = getattr(row, col, None)
            put(name, fid)
            if col == "name_zh" and isinstance(name, str) and name.endswith("村"):
                put(name[:-1], fid)
    for name, fid in extra:
        put(name, fid)
    return out


class LinkResolver:
    """Resolves and checks one link field against the ids that exist."""

    def __init__(self, field: str, ids: set[str], names: dict[str, str | None]) -> None:
        self.field = field
        self.ids = ids
        self.names = names

    def resolve(self, value: Any) -> tuple[str | None, bool]:
        """(id, resolved_by_name) or (None, False) when it does not resolve."""
        text = str(value).strip()
        if text in self.ids:
            return text, False
        fid = self.names.get(text.lower())
        return (fid, True) if fid else (None, False)


def check_links(
    spec: LayerSpec,
    rows: list[dict[str, Any]],
    geoms: np.ndarray,
    bundle: Bundle,
    log: ProblemLog,
    *,
    village_given: bool,
) -> None:
    """Resolve, check and fill the link fields of ``rows`` in place.

    A site without a village gets the one its location is in. A Party organisation does
    only when the source has no village column at all (``village_given`` False), because a
    blank there is meaningful: township organs and enterprise branches belong to no village.
    """
    if spec.name not in ("sites", "party_orgs"):
        return
    villages = bundle.villages
    fields = {f.name: f for f in spec.fields}
    resolvers = {
        "village_code": LinkResolver(
            "village_code", set(villages["code"].astype(str)), _name_index(villages, "code")
        )
    }
    if spec.name == "party_orgs":
        file_orgs = [(str(r.get("name_zh")), str(r.get("org_id"))) for r in rows if r.get("org_id")]
        orgs = bundle.party_orgs
        resolvers["parent_id"] = LinkResolver(
            "parent_id",
            set(orgs["org_id"].astype(str)) | {str(r.get("org_id")) for r in rows},
            _name_index(orgs, "org_id", file_orgs),
        )
        resolvers["site_id"] = LinkResolver(
            "site_id",
            set(bundle.sites["site_id"].astype(str)),
            _name_index(bundle.sites, "site_id"),
        )
        resolvers["chain_id"] = LinkResolver(
            "chain_id",
            set(bundle.chains["chain_id"].astype(str)),
            _name_index(bundle.chains, "chain_id"),
        )
    located = _locate(geoms, villages)
    known = resolvers["village_code"].ids
    # A site must lie in the village it names (the store checks it on saving).
    mismatch = "error" if spec.name == "sites" else "warning"
    for index, props in enumerate(rows):
        for name, resolver in resolvers.items():
            value = props.get(name)
            if value is None:
                continue
            fid, by_name = resolver.resolve(value)
            if fid is None:
                log.add(index, "link", "xfer_row_link_broken", fld=fields[name], value=value)
                props[name] = None if name != "village_code" else value
                continue
            props[name] = fid
            if by_name:
                log.add(
                    index,
                    "link_by_name",
                    "xfer_row_link_by_name",
                    fld=fields[name],
                    value=value,
                    id=fid,
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
