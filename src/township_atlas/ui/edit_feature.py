"""地图编辑: pick a layer, click (or find) a feature or draw a new one, fill in its form,
save. The version a feature had when it was opened travels with the save, so a change
made meanwhile by someone else is caught as a conflict, never overwritten."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import streamlit as st

from township_atlas.authz import audit_name, require
from township_atlas.errors import AtlasError
from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import (
    LAYERS_BY_NAME,
    PHOTO_LAYERS,
    Field,
)
from township_atlas.storage import changes
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.text.numbers import is_blank
from township_atlas.ui.auth import current_user
from township_atlas.ui.data import current_store
from township_atlas.ui.edit_common import (
    CONFLICT,
    PROBLEMS,
    conflict_panel,
    draw_tools,
    flash,
    try_save,
)
from township_atlas.ui.edit_map import edit_map
from township_atlas.ui.edit_photos import photo_section
from township_atlas.ui.text import md_escape, url_value
from township_atlas.ui.url_choice import url_selectbox
from township_atlas.views.edit_forms import (
    VILLAGE_FROM_LOCATION,
    feature_names,
    field_choices,
    next_id,
    point,
    record,
    rounded,
    validate,
    village_at,
)

MAP_LAYERS = ("sites", "party_orgs", "villages", "township")
OPEN = "edit_open"  # the feature being edited: layer, fid, base version, stored record
NONCE = "edit_nonce"  # bumped after a save or cancel: a fresh map without old drawings
NEW = ""


def _open(layer: str, fid: str) -> dict[str, Any]:
    """The open feature for (layer, fid), read from the file when first opened: its
    version then is what a save states it started from."""
    state = st.session_state.get(OPEN)
    if state and state["layer"] == layer and state["fid"] == fid:
        return state
    stored = current_store().read_records(layer).get(fid) if fid else None
    state = {
        "layer": layer,
        "fid": fid,
        "record": stored,
        "base": changes.feature_version(stored),
    }
    st.session_state[OPEN] = state
    st.session_state.pop(PROBLEMS, None)
    return state


def _close() -> None:
    st.session_state.pop(OPEN, None)
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1


def _drawn(state: dict[str, Any], fid: str) -> tuple[dict | None, dict | None]:
    """(edited geometry of the open feature, newest newly drawn geometry) from the map."""
    edited = new = None
    for f in state.get("all_drawings") or []:
        geom = f.get("geometry")
        if not geom:
            continue
        if (f.get("properties") or {}).get("fid") == fid and fid:
            edited = rounded(geom)
        elif not (f.get("properties") or {}).get("fid"):
            new = rounded(geom)
    return edited, new


def _widget(bundle: Bundle, layer: str, fld: Field, value: Any, lang: str, key: str) -> Any:
    label = fld.label(lang) + (" *" if fld.required else "")
    # Units are Chinese words (万元, 亩); the English label goes without.
    if unit := pick(lang, fld.unit_zh, ""):
        label += f"({unit})"
    choices = field_choices(bundle, layer, fld, lang, {})
    if choices is not None:
        options = list(choices)
        if not is_blank(value) and str(value) not in options:
            options = [str(value), *options]  # keep an unknown stored value visible
        options = [None, *options] if not fld.required or is_blank(value) else options
        index = options.index(None if is_blank(value) else str(value))
        return st.selectbox(
            label,
            options,
            index=index,
            key=key,
            format_func=lambda c: tr("edit_none", lang) if c is None else choices.get(c, c),
            placeholder=tr("choose_placeholder", lang),
        )
    if fld.dtype == "bool":
        return st.checkbox(label, value=bool(value) if not is_blank(value) else False, key=key)
    if fld.dtype in ("int", "float"):
        step = 1 if fld.dtype == "int" else 0.1
        number = None if is_blank(value) else (int(value) if fld.dtype == "int" else float(value))
        return st.number_input(
            label,
            value=number,
            min_value=None if fld.min is None else type(step)(fld.min),
            max_value=None if fld.max is None else type(step)(fld.max),
            step=step,
            key=key,
            placeholder=tr("edit_blank", lang),
        )
    return st.text_input(label, value="" if is_blank(value) else str(value), key=key)


def _geometry_key(geom: dict | None) -> str:
    text = json.dumps(geom, sort_keys=True) if geom else "-"
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def feature_tab(bundle: Bundle, lang: str) -> None:
    layer, _ = url_selectbox(
        tr("edit_layer", lang),
        list(MAP_LAYERS),
        param="layer",
        format_func=lambda n: LAYERS_BY_NAME[n].label(lang),
        placeholder=tr("choose_placeholder", lang),
    )
    spec = LAYERS_BY_NAME[layer]
    names = feature_names(bundle, layer, lang)
    fid, rejected = url_selectbox(
        tr("edit_feature", lang),
        [NEW, *names],
        param="id",
        default=NEW,
        format_func=lambda k: names.get(k) or tr("edit_new_feature", lang),
        placeholder=tr("choose_placeholder", lang),
    )
    if rejected:
        st.warning(
            tr("edit_no_such_feature", lang).format(id=url_value(rejected)),
            icon=":material/warning:",
        )
    state = _open(layer, fid)
    nonce = st.session_state.get(NONCE, 0)
    map_key = f"edit_map_{layer}_{fid or 'new'}_{nonce}"

    def on_click() -> None:
        clicked = (st.session_state.get(map_key) or {}).get("last_active_drawing") or {}
        picked = (clicked.get("properties") or {}).get("fid")
        if picked and picked != fid:
            st.query_params["id"] = str(picked)

    tools = draw_tools()
    if not tools.ready:
        st.info(tools.message(lang), icon=":material/draw:")
    stored = state["record"]
    selected = None
    if stored and stored.get("geometry"):
        selected = {
            "type": "Feature",
            "properties": {"fid": fid, "label": names.get(fid, fid)},
            "geometry": stored["geometry"],
        }
    map_col, form_col = st.columns([3, 2], gap="medium")
    with map_col:
        st.caption(tr("edit_map_help_new" if not fid else "edit_map_help_edit", lang))
        map_state = edit_map(
            bundle,
            lang,
            layer=layer,
            key=map_key,
            selected=selected,
            problems=st.session_state.get(PROBLEMS),
            draw=tools.ready,
            on_click=on_click,
        )
    edited, drawn = _drawn(map_state, fid)
    geometry = (edited if fid else drawn) or (stored or {}).get("geometry")
    with form_col:
        if conflict_panel(lang, on_resolved=_close):
            return
        if fid and stored is None:
            st.warning(tr("edit_feature_gone", lang), icon=":material/warning:")
            return
        _form(bundle, lang, layer, fid, state, geometry, moved=edited is not None)
    del spec


def _form(
    bundle: Bundle,
    lang: str,
    layer: str,
    fid: str,
    state: dict[str, Any],
    geometry: dict | None,
    *,
    moved: bool,
) -> None:
    spec = LAYERS_BY_NAME[layer]
    stored = state["record"]
    props = dict((stored or {}).get("properties") or {})
    if not fid:
        st.subheader(tr("edit_new_title", lang).format(layer=spec.label(lang)))
        props[spec.id_field] = props.get(spec.id_field) or next_id(bundle, layer)
        if geometry is None:
            st.info(
                tr(
                    "edit_draw_first"
                    if "Point" not in spec.geometry_types
                    else "edit_draw_or_type",
                    lang,
                ),
                icon=":material/draw:",
            )
    else:
        st.subheader(
            tr("edit_title", lang).format(
                name=md_escape(feature_names(bundle, layer, lang).get(fid))
            )
        )
    if moved:
        st.caption(tr("edit_moved", lang))
    gkey = _geometry_key(geometry)
    suggested = village_at(bundle, geometry) if layer in VILLAGE_FROM_LOCATION else None
    if suggested and (not fid or moved):
        props["village_code"] = suggested
    prefix = f"edit_{layer}_{fid or 'new'}_{st.session_state.get(NONCE, 0)}"
    values: dict[str, Any] = {}
    group_choice = None
    with st.form(f"{prefix}_form", border=True, enter_to_submit=False):
        for fld in spec.fields:
            key = f"{prefix}_{fld.name}"
            if fld.name == "village_code":
                key += f"_{gkey}"  # a new location suggests its village afresh
            if fld.name == spec.id_field and fid:
                st.text_input(fld.label(lang), value=fid, disabled=True, key=key)
                values[fld.name] = fid
                continue
            values[fld.name] = _widget(bundle, layer, fld, props.get(fld.name), lang, key)
            if fld.name == "village_code" and suggested:
                st.caption(tr("edit_village_from_location", lang))
        lon = lat = None
        point_layer = "Point" in spec.geometry_types
        if point_layer and (geometry is None or geometry.get("type") == "Point"):
            # Coordinates can be typed (from a GPS or a phone) instead of drawn.
            coords = (geometry or {}).get("coordinates") or [None, None]
            c1, c2 = st.columns(2)
            lon = c1.number_input(
                tr("edit_lon", lang),
                value=coords[0],
                min_value=-180.0,
                max_value=180.0,
                format="%.6f",
                step=0.0001,
                key=f"{prefix}_lon_{gkey}",
            )
            lat = c2.number_input(
                tr("edit_lat", lang),
                value=coords[1],
                min_value=-90.0,
                max_value=90.0,
                format="%.6f",
                step=0.0001,
                key=f"{prefix}_lat_{gkey}",
            )
        if layer == "sites":
            group_choice = _group_widget(bundle, lang, fid, prefix)
        note = st.text_input(tr("edit_note", lang), key=f"{prefix}_note")
        submitted = st.form_submit_button(
            tr("edit_save", lang), type="primary", icon=":material/save:", width="stretch"
        )
    if submitted:
        if lon is not None and lat is not None:
            geometry = point(lon, lat)
        _submit(bundle, lang, layer, fid, state, values, geometry, note, group_choice)
    if fid:
        _delete(lang, layer, fid, state)
        if layer in PHOTO_LAYERS:
            photo_section(bundle, lang, layer, fid)


def _group_widget(bundle: Bundle, lang: str, site_id: str, prefix: str) -> Any:
    """The Party group built on this site (把党小组建在示范基地上): pick one, or none."""
    orgs = bundle.party_orgs
    groups = orgs[orgs["level"] == "group"]
    names = feature_names(bundle, "party_orgs", lang)
    current = groups[groups["site_id"].astype("string") == site_id]["org_id"].astype(str).tolist()
    options = [None, *[str(g) for g in groups["org_id"]]]
    return st.selectbox(
        tr("edit_group_on_site", lang),
        options,
        index=options.index(current[0]) if current else 0,
        format_func=lambda g: tr("edit_none", lang) if g is None else names.get(g, g),
        key=f"{prefix}_group",
        help=tr("edit_group_on_site_help", lang),
        placeholder=tr("choose_placeholder", lang),
    )


def _submit(
    bundle: Bundle,
    lang: str,
    layer: str,
    fid: str,
    state: dict[str, Any],
    values: dict[str, Any],
    geometry: dict | None,
    note: str,
    group: str | None,
) -> None:
    if layer in VILLAGE_FROM_LOCATION and is_blank(values.get("village_code")) and geometry:
        values = {**values, "village_code": village_at(bundle, geometry)}  # typed coordinates
    typed, problems = validate(layer, values, bundle, geometry=geometry, new=not fid)
    if problems:
        st.error(
            tr("edit_fix_fields", lang)
            + "\n"
            + "\n".join(f"- {p.message(lang)}" for p in problems),
            icon=":material/error:",
        )
        return
    spec = LAYERS_BY_NAME[layer]
    new_id = str(typed[spec.id_field])
    change = changes.ChangeSet(
        layer,
        "",
        upserts=[record(layer, typed, geometry)],
        base={new_id: state["base"]},
        note=note,
    )
    result = try_save(change, lang)
    if result is None:
        if CONFLICT in st.session_state:
            st.rerun()
        return
    message = tr("edit_saved", lang).format(id=new_id, seq=result.seq)
    if layer == "sites":
        message += _link_group(bundle, lang, new_id, group, note)
    flash(message)
    _close()
    st.query_params["id"] = new_id
    st.rerun()


def _link_group(bundle: Bundle, lang: str, site_id: str, group: str | None, note: str) -> str:
    """Point the chosen Party group at the site (and unlink a group that no longer is)."""
    records = current_store().read_records("party_orgs")
    change = changes.ChangeSet("party_orgs", "", note=note)
    for org_id, rec in records.items():
        props = rec["properties"]
        if props.get("level") != "group":
            continue
        on_site = props.get("site_id") == site_id
        wanted = org_id == group
        if on_site != wanted:
            updated = {**rec, "properties": {**props, "site_id": site_id if wanted else None}}
            change.upserts.append(updated)
            change.base[org_id] = changes.feature_version(rec)
    if not change.upserts:
        return ""
    try:
        change.user = audit_name(require(current_user(), "edit"))
        result = current_store().save(change)
    except AtlasError as exc:
        return " " + tr("edit_group_not_linked", lang).format(reason=exc.message(lang))
    return " " + tr("edit_group_linked", lang).format(seq=result.seq)


def _delete(lang: str, layer: str, fid: str, state: dict[str, Any]) -> None:
    with st.popover(tr("edit_delete", lang), icon=":material/delete:", width="stretch"):
        st.write(tr("edit_delete_confirm", lang).format(id=md_escape(fid)))
        if st.button(tr("edit_delete_yes", lang), type="primary", key=f"delete_{layer}_{fid}"):
            change = changes.ChangeSet(layer, "", deletes=[fid], base={fid: state["base"]})
            result = try_save(change, lang)
            if result is not None:
                flash(tr("edit_deleted", lang).format(id=fid, seq=result.seq))
                _close()
                st.query_params["id"] = NEW
                st.rerun()
            elif CONFLICT in st.session_state:
                st.rerun()
