"""导入: bring in the files people have (the county's Shapefile, a field app's KML, an Excel
sheet) — source coordinate system confirmed, fields mapped, a preview on the map, nothing
written until the planner accepts (导出 is :mod:`township_atlas.ui.edit_export`).

Checked on the server (the ``import`` action). Text from uploaded files (names, values,
messages quoting them) is shown in tables or escaped, never as markup.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import streamlit as st

from township_atlas import settings, transfer
from township_atlas.authz import PermissionDenied
from township_atlas.errors import AtlasError
from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import LAYERS_BY_NAME
from township_atlas.text.labels import headers, tr
from township_atlas.transfer.crs_candidates import PALETTE
from township_atlas.transfer.preview_tables import (
    PROBLEM_HEADERS,
    features_table,
    field_headers,
    problems_table,
    replaced_before,
)
from township_atlas.ui.auth import allowed, current_user
from township_atlas.ui.chrome import show_error
from township_atlas.ui.edit_common import ProgressBar, conflict_panel, flash, try_save
from township_atlas.ui.edit_map import candidates_map, diff_map
from township_atlas.ui.import_indicators import indicators_import
from township_atlas.ui.import_names import NAMES, chosen_names, names_to_fix
from township_atlas.ui.import_plans import chains_import, plans_import
from township_atlas.ui.text import md_escape

# Worker results for the current upload, keyed by (upload digest, choices): a small,
# bounded cache so a rerun with the same choices does not start the worker again.
CACHE = "edit_import_cache"
PLAN = "edit_import_plan"
CACHE_SIZE = 6  # previews kept per session (each is capped by the upload limits)
ENCODINGS = (None, "UTF-8", "GB18030", "BIG5")
# What the tab imports besides geodata layers: kind -> its page part (label xfer_ui_kind_*).
TABLE_IMPORTS = {
    "indicators": indicators_import,
    "plans": plans_import,
    "chains": chains_import,
}
UPLOAD_TYPES = ["geojson", "json", "gpkg", "zip", "kml", "kmz", "csv", "txt", "xlsx", "xls"]


def _note_lines(notes: list[Any], lang: str) -> str:
    return "\n".join(f"- {md_escape(n.message(lang))}" for n in notes)


def clear_import() -> None:
    """Drop everything the import kept in the session (after accepting, or a new file)."""
    for key in (CACHE, PLAN, NAMES):
        st.session_state.pop(key, None)


def _cached(key: tuple[Any, ...]) -> Any:
    cache = st.session_state.get(CACHE)
    return cache.get(key) if isinstance(cache, dict) else None


def _remember(key: tuple[Any, ...], digest: str, value: Any) -> None:
    cache = st.session_state.get(CACHE)
    if not isinstance(cache, dict):
        cache = {}
    cache = {k: v for k, v in cache.items() if k[1] == digest}  # only the current upload
    cache[key] = value
    while len(cache) > CACHE_SIZE:
        cache.pop(next(iter(cache)))
    st.session_state[CACHE] = cache


def run_preview(
    upload: Any,
    data: bytes,
    bundle: Bundle,
    lang: str,
    key: tuple[Any, ...],
    digest: str,
    label: str,
    **choices: Any,
) -> transfer.ImportPreview | transfer.TransferError:
    """The worker's preview for these choices (cached); an error is returned, not raised."""
    found = _cached(key)
    if found is not None:
        return found
    progress = ProgressBar(tr(label, lang))
    try:
        result: Any = transfer.preview_import(
            upload.name, data, bundle=bundle, progress=progress, lang=lang, **choices
        )
    except transfer.TransferError as exc:
        result = exc
    finally:
        progress.done()
    _remember(key, digest, result)
    return result


def refused(exc: AtlasError, lang: str) -> None:
    st.error(md_escape(exc.message(lang)), icon=":material/block:")
    st.caption(tr("xfer_ui_nothing_written", lang))


def upload_key(layer: str | None) -> str:
    """The file box's widget key: the 数据编辑 tab's, or one per layer fixed by a caller (the
    set-up guide's steps each keep their own file)."""
    return "edit_import_file" if layer is None else f"setup_import_file_{layer}"


def import_tab(bundle: Bundle, lang: str, layer: str | None = None) -> None:
    """The import: a file, the layer it goes into, the coordinate system and fields
    confirmed, a preview, then accept.

    Parameters
    ----------
    layer : the target layer fixed by the caller (one of ``transfer.IMPORTABLE_LAYERS``,
        e.g. the set-up guide's ``"villages"`` step); None: the planner chooses it
    """
    if layer is not None and layer not in transfer.IMPORTABLE_LAYERS:
        raise ValueError(f"not an importable layer: {layer!r}")
    fixed = layer
    if not allowed("import"):
        show_error(PermissionDenied(current_user(), "import"), lang)
        return
    if conflict_panel(lang, on_resolved=lambda: st.session_state.pop(PLAN, None)):
        return
    if fixed is None:  # the 数据编辑 tab also imports tables; a guide step fixes its layer
        kind = st.segmented_control(
            tr("xfer_ui_import_what", lang),
            ["layers", *TABLE_IMPORTS],
            default="layers",
            format_func=lambda k: tr(f"xfer_ui_kind_{k}", lang),
            key="edit_import_kind",
        )
        if kind in TABLE_IMPORTS:
            TABLE_IMPORTS[kind](bundle, lang)
            return
    st.caption(tr("xfer_ui_help", lang))
    upload = st.file_uploader(tr("xfer_ui_file", lang), type=UPLOAD_TYPES, key=upload_key(fixed))
    if upload is None:
        clear_import()
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    c1, c2, c3 = st.columns(3)
    if fixed is None:
        layer = c1.selectbox(
            tr("xfer_ui_target", lang),
            transfer.IMPORTABLE_LAYERS,
            index=transfer.IMPORTABLE_LAYERS.index("sites"),
            format_func=lambda n: LAYERS_BY_NAME[n].label(lang),
            key="edit_import_layer",
            placeholder=tr("choose_placeholder", lang),
        )
    else:
        layer = fixed
        c1.markdown(f"{tr('xfer_ui_target', lang)}:**{LAYERS_BY_NAME[layer].label(lang)}**")
    encoding = c2.selectbox(
        tr("xfer_ui_encoding", lang),
        ENCODINGS,
        format_func=lambda e: tr("xfer_ui_encoding_auto", lang) if e is None else e,
        key="edit_import_encoding",
        help=tr("xfer_ui_encoding_help", lang),
        placeholder=tr("choose_placeholder", lang),
    )
    source = st.session_state.get(f"edit_import_source_{digest}")
    # The order of a one-cell coordinate pair, once the planner said it (the file could not).
    order = st.session_state.get(f"edit_import_pair_{digest}")
    coordinates = transfer.CoordinateColumns(pair_order=order) if order else None
    # id(bundle): the data is loaded once per version and shared, so a new version (a save
    # by anyone) is a new object, and the suggestion and plan are made again against it.
    read_key = ("read", digest, id(bundle), layer, source, encoding, order)
    first = run_preview(
        upload,
        data,
        bundle,
        lang,
        read_key,
        digest,
        "xfer_ui_reading",
        target=layer,
        source=source,
        encoding=encoding,
        coordinates=coordinates,
    )
    if isinstance(first, transfer.CoordinateOrderNeeded):
        st.warning(md_escape(first.message(lang)), icon=":material/swap_horiz:")
    if isinstance(first, transfer.CoordinateOrderNeeded) or order:
        st.radio(
            tr("xfer_ui_pair_order", lang),
            ["lonlat", "latlon"],
            index=None,
            format_func=lambda o: tr(f"xfer_ui_pair_{o}", lang),
            key=f"edit_import_pair_{digest}",
            horizontal=True,
        )
    if isinstance(first, AtlasError):
        if not isinstance(first, transfer.CoordinateOrderNeeded):
            refused(first, lang)
        return
    if len(first.layers) > 1:
        names = {s.key: f"{s.name} ({s.feature_count or '?'})" for s in first.layers}
        c3.selectbox(
            tr("xfer_ui_source_layer", lang),
            list(names),
            index=list(names).index(first.source),
            format_func=names.get,
            key=f"edit_import_source_{digest}",
            placeholder=tr("choose_placeholder", lang),
        )
    if source != first.source:  # the same read, now also under the layer it chose
        read_key = ("read", digest, id(bundle), layer, first.source, encoding, order)
        _remember(read_key, digest, first)
    for note in first.upload_notes:
        st.caption(md_escape(note.message(lang)))
    # The plan made with the suggested choices is remembered under those choices.
    if first.plan is not None or first.plan_error is not None:
        plan_key = _plan_key(digest, bundle, layer, first.source, encoding, first, order=order)
        _remember(plan_key, digest, first)
    _after_read(
        upload, data, bundle, lang, layer, first, digest, encoding, upload_key(fixed), coordinates
    )


def _plan_key(
    digest: str,
    bundle: Bundle,
    layer: str,
    source: str,
    encoding: str | None,
    preview: Any,
    crs: Any = None,
    columns: dict[str, Any] | None = None,
    repair: bool = False,
    names: dict[str, dict[str, str]] | None = None,
    snap: float | None = None,
    order: str | None = None,
) -> tuple[Any, ...]:
    crs = crs if crs is not None else preview.crs
    columns = columns if columns is not None else preview.mapping.columns
    fields = tuple((f.name, columns.get(f.name)) for f in LAYERS_BY_NAME[layer].fields)
    chosen = tuple(sorted((f, n, i) for f, m in (names or {}).items() for n, i in m.items()))
    fixed = (repair, chosen, snap, order)
    return ("plan", digest, id(bundle), layer, source, encoding, crs, fields, *fixed)


def _after_read(
    upload: Any,
    data: bytes,
    bundle: Bundle,
    lang: str,
    layer: str,
    first: transfer.ImportPreview,
    digest: str,
    encoding: str | None,
    file_key: str,
    coordinates: transfer.CoordinateColumns | None = None,
) -> None:
    st.markdown(
        tr("xfer_ui_read", lang).format(
            name=md_escape(first.name),
            n=first.count,
            encoding=md_escape(first.encoding.codec) if first.encoding else "—",
        )
    )
    if first.encoding:
        st.caption(md_escape(first.encoding.reason.message(lang)))
    if first.notes:
        st.caption(_note_lines(first.notes, lang))
    choice = crs_choice(first, lang, digest, bundle=bundle)
    if choice is None:
        return
    # --- fields ----------------------------------------------------------------------
    st.subheader(tr("xfer_ui_fields", lang))
    spec = LAYERS_BY_NAME[layer]
    mapping = copy.deepcopy(first.mapping)
    columns = [None, *first.columns]
    chosen: dict[str, str | None] = {}
    grid = st.columns(3)
    for i, fld in enumerate(spec.fields):
        current = mapping.columns.get(fld.name)
        chosen[fld.name] = grid[i % 3].selectbox(
            fld.label(lang) + (" *" if fld.required else ""),
            columns,
            index=columns.index(current) if current in columns else 0,
            format_func=lambda c: tr("xfer_ui_no_column", lang) if c is None else str(c),
            key=f"edit_import_map_{digest}_{layer}_{fld.name}",
            placeholder=tr("choose_placeholder", lang),
        )
    mapping.columns = chosen
    names = chosen_names(digest)
    mapping.value_maps = {**mapping.value_maps, **names}
    used = set(chosen.values())
    unused = [c for c in first.columns if c not in used]
    if unused:
        st.caption(tr("xfer_ui_unused", lang).format(cols=md_escape("、".join(map(str, unused)))))
    repair = st.checkbox(tr("xfer_ui_repair", lang), key=f"edit_import_repair_{digest}")
    snap = None
    if layer == "villages":  # the plan notes how many pieces (and m²) this would fix
        tol = settings.tiling_snap_metres()
        label = tr("xfer_ui_snap", lang).format(tol=f"{tol:g}")
        snap = tol if st.checkbox(label, key=f"edit_import_snap_{digest}") else None
    # --- plan and preview (in the worker, unless these choices were planned already) --
    order = coordinates.pair_order if coordinates else None
    key = _plan_key(
        digest,
        bundle,
        layer,
        first.source,
        encoding,
        first,
        choice,
        chosen,
        repair,
        names,
        snap,
        order,
    )
    planned = run_preview(
        upload,
        data,
        bundle,
        lang,
        key,
        digest,
        "xfer_ui_checking",
        target=layer,
        source=first.source,
        encoding=encoding,
        crs=choice,
        mapping=mapping,
        repair_invalid=repair,
        snap_tolerance_m=snap,
        coordinates=coordinates,
    )
    if isinstance(planned, AtlasError):
        refused(planned, lang)
        return
    if planned.plan_error is not None:
        st.error(md_escape(planned.plan_error.message(lang)), icon=":material/block:")
        return
    if planned.plan is None:  # pragma: no cover - a CRS was given, so a plan was made
        st.warning(tr("xfer_ui_need_epsg", lang))
        return
    _preview(bundle, lang, planned.plan, digest, file_key)


def crs_choice(
    first: transfer.ImportPreview,
    lang: str,
    digest: str,
    *,
    prefix: str = "edit_import",
    bundle: Bundle | None = None,
) -> transfer.CrsChoice | None:
    """The source coordinate system, confirmed by the planner: the suggestion's reason with
    its evidence, and a choice among its options (or an EPSG code). None while undecided
    (a warning says what to choose). ``prefix`` keeps the widgets of different callers apart.
    """
    suggestion = first.suggestion
    options = list(suggestion.options)
    if suggestion.choice is not None and suggestion.choice not in options:
        options.insert(0, suggestion.choice)
    st.subheader(tr("xfer_ui_crs", lang))
    # The reason lists its evidence one per line; undecided (choice None) is a question.
    shown = st.info if suggestion.choice is not None else st.warning
    head, *evidence = suggestion.reason.message(lang).split("\n- ")
    lines = [md_escape(head, limit=1000), *(f"- {md_escape(e)}" for e in evidence)]
    shown("\n".join(lines), icon=":material/explore:")
    if first.declared:
        st.caption(tr("xfer_ui_declared", lang).format(crs=md_escape(first.declared)))
    if (
        bundle is not None
        and first.candidates
        and (
            suggestion.choice is None
            or st.toggle(tr("xfer_ui_candidates_compare", lang), key=f"{prefix}_compare_{digest}")
        )
    ):
        _candidates(bundle, first.candidates, lang, digest)
    choice = st.selectbox(
        tr("xfer_ui_crs_confirm", lang),
        [*options, "epsg"],
        index=options.index(suggestion.choice) if suggestion.choice in options else None,
        format_func=lambda c: tr("xfer_ui_crs_epsg", lang) if c == "epsg" else c.label(lang),
        key=f"{prefix}_crs_{digest}",
        placeholder=tr("choose_placeholder", lang),
    )
    if choice is None:  # nothing decided the coordinate system: the planner chooses first
        st.warning(tr("xfer_crs_ui_undecided", lang))
        return None
    if choice == "epsg":
        code = st.number_input(
            "EPSG",
            min_value=1024,
            max_value=999999,
            value=None,
            step=1,
            key=f"{prefix}_epsg_{digest}",
        )
        if code is None:
            st.warning(tr("xfer_ui_need_epsg", lang))
            return None
        choice = transfer.CrsChoice("epsg", epsg=int(code))
    return choice


def _preview(bundle: Bundle, lang: str, plan, digest: str, file_key: str) -> None:
    st.subheader(tr("xfer_ui_preview", lang))
    m = st.columns(4)
    m[0].metric(tr("xfer_ui_new", lang), len(plan.new_ids))
    m[1].metric(tr("xfer_ui_replaced", lang), len(plan.replaced_ids))
    m[2].metric(tr("xfer_ui_unchanged", lang), len(plan.unchanged_ids))
    m[3].metric(tr("xfer_ui_rejected", lang), len(plan.rejected_rows))
    for note in plan.notes:
        st.warning(md_escape(note.message(lang)), icon=":material/warning:")
    before = replaced_before(bundle, plan)
    st.caption(tr("xfer_ui_preview_legend", lang))
    diff_map(bundle, before, plan.features[:5000], key="edit_import_preview", height=420)
    names_to_fix(plan, lang, digest)
    if plan.problems:
        st.markdown(f"**{tr('xfer_ui_problems', lang)}**")
        st.dataframe(
            problems_table(plan, lang).rename(columns=headers(PROBLEM_HEADERS, lang)),
            hide_index=True,
            width="stretch",
            height=260,
        )
    if plan.features:
        table = features_table(plan).rename(columns=field_headers(plan.layer, lang))
        st.dataframe(table, hide_index=True, width="stretch", height=240)
    change = plan.to_change_set("")
    if not change.upserts:
        st.info(tr("xfer_ui_nothing_to_import", lang))
        return
    note = st.text_input(tr("edit_note", lang), key="edit_import_note")
    label = tr("xfer_ui_accept", lang).format(n=len(change.upserts))
    if plan.rejected_rows:
        label = tr("xfer_ui_accept_partial", lang).format(
            n=len(change.upserts), rejected=len(plan.rejected_rows)
        )
    if st.button(label, type="primary", icon=":material/done_all:", key="edit_import_accept"):
        change.note = note or tr("xfer_ui_note_default", lang).format(source=plan.source)
        result = try_save(change, lang, action="import")
        if result is not None:
            flash(tr("xfer_ui_imported", lang).format(n=len(change.upserts), seq=result.seq))
            clear_import()
            st.session_state.pop(file_key, None)
            st.rerun()
        elif st.session_state.get("edit_conflict"):
            st.rerun()


def _candidates(bundle: Bundle, candidates: list[Any], lang: str, digest: str) -> None:
    """The file under each candidate coordinate system, one colour each, with a legend."""
    st.caption(tr("xfer_ui_candidates_help", lang))
    layers, lines = [], []
    for c in candidates:
        index = PALETTE.index(c.colour) if c.colour in PALETTE else -1
        colour = tr(f"xfer_colour_{index}", lang) if index >= 0 else c.colour
        label = c.choice.label(lang)
        mark = tr("xfer_ui_candidate_suggested", lang) if c.suggested else ""
        short = tr("xfer_ui_candidate_line_no_township", lang)
        layers.append((short.format(colour=colour, crs=label, mark=mark), c.colour, c.geometries))
        line = tr("xfer_ui_candidate_line", lang) if c.inside is not None else short
        line = line.format(colour=colour, crs=label, inside=c.inside, total=c.total, mark=mark)
        lines.append(f"- {md_escape(line)}")
    candidates_map(
        bundle,
        layers,
        title=tr("xfer_ui_candidates_title", lang),
        key=f"edit_import_candidates_{digest}",
    )
    st.caption("\n".join(lines))
