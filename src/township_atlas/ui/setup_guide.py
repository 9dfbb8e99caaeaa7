"""建立本乡数据: the browser guide that takes a planner from an empty data folder to a
checked township, step by step (:data:`township_atlas.onboard.STEPS`).

The guide keeps nothing in the session that matters: which steps are done, their counts
and the checks' findings are read from the data on every run, so it can be left and
resumed. Every upload is parsed in the worker (:func:`township_atlas.transfer.preview_import`),
every save goes through :func:`.edit_common.try_save` (role checked on the server,
undoable, in the history).

Others call :func:`send_to_guide` (a page that cannot show a township yet),
:func:`missing_note` (a page short of some data) and :func:`setup_guide` (pages/setup.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, NoReturn

import streamlit as st
from shapely.geometry import shape

from township_atlas import settings
from township_atlas.authz import PermissionDenied, audit_name
from township_atlas.errors import AtlasError, EmptyDataFolder
from township_atlas.geo.measure import geodesic_area_m2
from township_atlas.model.bundle import Bundle, LoadResult
from township_atlas.onboard import (
    REPORTED_FIGURES,
    STEPS,
    OnboardError,
    StepState,
    TownshipForm,
    boundary_feature,
    start_township,
    step_states,
    township_change,
)
from township_atlas.onboard.township import boundary_mapping, boundary_names
from township_atlas.storage import opening
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import headers, tr
from township_atlas.transfer.preview_tables import PROBLEM_HEADERS, problems_table
from township_atlas.ui.auth import allowed, current_user, require_action
from township_atlas.ui.chrome import show_error
from township_atlas.ui.data import current_store, load_current
from township_atlas.ui.edit_common import conflict_panel, flash, show_flash, try_save
from township_atlas.ui.edit_import import (
    UPLOAD_TYPES,
    clear_import,
    crs_choice,
    import_tab,
    refused,
    run_preview,
)
from township_atlas.ui.edit_map import diff_map
from township_atlas.ui.import_indicators import indicators_import
from township_atlas.ui.import_plans import chains_import, plans_import
from township_atlas.ui.text import md_escape
from township_atlas.views.summary import FINDING_HEADERS, findings_table

SETUP_PAGE = "pages/setup.py"
LOGIN_PAGE = "pages/login.py"
MAP_PAGE = "pages/map.py"

STEP_KEY = "setup_step"  # the step the planner looks at (one widget per data version)
BOUNDARY_FILE = "setup_boundary_file"

# Plans a boundary file before the form is complete (its figures only fill the plan's
# properties; the saved record takes them from the form), so the preview does not wait for
# the form and is not planned again with every figure typed.
_PROVISIONAL = TownshipForm("乡镇", "preview", {f[0]: 1 for f in REPORTED_FIGURES})


# --- for every page -------------------------------------------------------------------
def setup_notice(lang: str) -> None:
    """What a viewer or anonymous visitor sees while the township is being set up."""
    st.info(tr("setup_viewer_notice", lang), icon=":material/construction:")
    st.page_link(LOGIN_PAGE, label=tr("page_login", lang), icon=":material/login:")


def send_to_guide(lang: str) -> NoReturn:
    """A page that cannot show a township yet: planners and administrators go to the guide,
    anyone else is told to come back later (with a login link); the page stops."""
    if allowed("edit"):
        st.switch_page(SETUP_PAGE)
    setup_notice(lang)
    st.stop()


def missing_note(bundle: Bundle, lang: str, steps: Sequence[str]) -> list[str]:
    """One short note naming the set-up ``steps`` (keys of :data:`STEPS`) that have no data
    yet, with a link to the guide for those who can set them up. Returns the missing keys,
    so the page leaves out what would be empty."""
    done = {s.step.key: s.done for s in step_states(bundle, [])}
    missing = [key for key in steps if not done[key]]
    if missing:
        labels = [s.label(lang) for s in STEPS if s.key in missing]
        what = pick(lang, "、", ", ").join(labels)
        st.info(tr("setup_missing", lang).format(what=what), icon=":material/hourglass_empty:")
        if allowed("edit"):
            st.page_link(SETUP_PAGE, label=tr("setup_go_guide", lang), icon=":material/checklist:")
    return missing


# --- the guide ------------------------------------------------------------------------
def setup_guide(lang: str) -> None:
    """The whole guide: step 0 while the folder is empty, else the steps and the current
    one. Call it for a planner or administrator (pages/setup.py checks first)."""
    show_flash()
    try:
        result = load_current()
    except EmptyDataFolder as exc:
        folder_step(lang, exc)
        return
    except AtlasError as exc:
        show_error(exc, lang, "data_folder_error")
        return
    st.caption(tr("setup_intro", lang))
    states = step_states(result.bundle, result.findings)
    step_list(states, result, lang)
    state = _current_step(states, result.fingerprint, lang)
    _show_step(state, result.bundle, lang)


def folder_step(lang: str, reason: AtlasError) -> None:
    """Step 0: the data folder is missing or empty; one button creates it."""
    st.subheader(tr("setup_step0", lang))
    st.caption(md_escape(reason.message(lang)))
    if opening.storage() != "files":
        st.info(tr("setup_step0_not_files", lang))
        return
    path = settings.data_dir()
    st.markdown(tr("setup_step0_help", lang).format(path=md_escape(str(path))))
    if st.button(
        tr("setup_step0_button", lang),
        type="primary",
        icon=":material/create_new_folder:",
        key="setup_create_folder",
    ):
        user = require_action("edit", stop=False)  # checked again at the click, on the server
        if user is None:
            return
        try:
            start_township(path, audit_name(user))
        except AtlasError as exc:
            show_error(exc, lang)
            return
        flash(tr("setup_step0_done", lang))
        st.rerun()


def _status(state: StepState, lang: str) -> str:
    parts = [tr("setup_step_done" if state.done else "setup_step_todo", lang)]
    if state.step.optional:
        parts.append(tr("setup_step_optional", lang))
    parts.append(tr("setup_step_count", lang).format(n=state.count))
    if state.errors or state.warnings:
        parts.append(
            tr("setup_step_findings", lang).format(
                errors=len(state.errors), warnings=len(state.warnings)
            )
        )
    return " · ".join(parts)


def step_list(states: list[StepState], result: LoadResult, lang: str) -> None:
    """Every step with done / not done, its count and its findings; "完成" when all is."""
    st.subheader(tr("setup_steps", lang))
    for n, state in enumerate(states, start=1):
        mark = ("⚠️" if state.errors else "✅") if state.done else "⬜"
        st.markdown(f"{mark} **{n}. {state.step.label(lang)}** — {_status(state, lang)}")
    complete = all(s.done or s.step.optional for s in states)
    if complete and not result.errors:
        st.success(tr("setup_all_done", lang), icon=":material/task_alt:")
        st.page_link(MAP_PAGE, label=tr("setup_open_map", lang), icon=":material/map:")
    elif complete:
        st.warning(tr("setup_remaining_errors", lang).format(n=len(result.errors)))


def _first_to_do(states: list[StepState]) -> str:
    for state in states:
        if not state.done and not state.step.optional:
            return state.step.key
    return next((s.step.key for s in states if not s.done), states[0].step.key)


def _current_step(states: list[StepState], fingerprint: str, lang: str) -> StepState:
    """The step shown: the planner's choice, or after any change of the data the first
    step still to do (so a save moves the guide on). The choice is a widget of this data
    version: the browser, which keeps a widget's last value, then starts afresh too."""
    keys = [s.step.key for s in states]
    labels = {s.step.key: f"{i}. {s.step.label(lang)}" for i, s in enumerate(states, start=1)}
    key = st.radio(
        tr("setup_choose_step", lang),
        keys,
        index=keys.index(_first_to_do(states)),
        format_func=labels.get,
        horizontal=True,
        key=f"{STEP_KEY}_{fingerprint}",
    )
    return states[keys.index(key or keys[0])]


def _show_step(state: StepState, bundle: Bundle, lang: str) -> None:
    n = STEPS.index(state.step) + 1
    st.subheader(tr("setup_step_heading", lang).format(n=n, label=state.step.label(lang)))
    st.caption(pick(lang, state.step.hint_zh, state.step.hint_en))
    findings = [*state.errors, *state.warnings]
    if findings:
        st.markdown(f"**{tr('setup_findings', lang)}**")
        st.dataframe(
            findings_table(findings, lang).rename(columns=headers(FINDING_HEADERS, lang)),
            hide_index=True,
            width="stretch",
        )
    STEP_RENDERERS[state.step.key](bundle, lang)


# --- step 1: the township -------------------------------------------------------------
def _form(props: dict[str, Any], lang: str) -> TownshipForm:
    """The township's name, code and the report's figures, prefilled from the record."""
    st.markdown(f"**{tr('setup_form', lang)}**")
    c1, c2, c3 = st.columns(3)
    name = c1.text_input(
        tr("setup_name_zh", lang), value=props.get("name_zh") or "", key="setup_name_zh"
    )
    code = c2.text_input(tr("setup_code", lang), value=props.get("code") or "", key="setup_code")
    name_en = c3.text_input(
        tr("setup_name_en", lang), value=props.get("name_en") or "", key="setup_name_en"
    )
    grid = st.columns(3)
    reported: dict[str, float] = {}
    for i, (fname, _key, zh, en, integer) in enumerate(REPORTED_FIGURES):
        current = props.get(fname)
        label = pick(lang, zh, en) + " *"
        value = grid[i % 3].number_input(
            label,
            min_value=0 if integer else 0.0,
            value=(int(current) if integer else float(current)) if current is not None else None,
            step=1 if integer else 0.1,
            format=None if integer else "%.3f",
            key=f"setup_{fname}",
        )
        if value is not None:
            reported[fname] = value
    return TownshipForm(str(name), str(code), reported, name_en=str(name_en))


def township_step(bundle: Bundle, lang: str) -> None:
    """Step 1: the boundary file (read in the worker), the form, the CRS when undecided,
    the feature when the file holds several, a preview with the area, then 保存."""
    if not allowed("import"):
        show_error(PermissionDenied(current_user(), "import"), lang)
        return
    if conflict_panel(lang, on_resolved=clear_import):
        return
    form = _form(bundle.township_props, lang)
    problems = form.problems()
    upload = st.file_uploader(tr("setup_boundary_file", lang), type=UPLOAD_TYPES, key=BOUNDARY_FILE)
    if upload is None:
        clear_import()
        _form_problems(problems, lang)
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    source_key = f"setup_boundary_source_{digest}"
    source = st.session_state.get(source_key)
    read_key = ("read", digest, id(bundle), "township", source)
    first = run_preview(
        upload,
        data,
        bundle,
        lang,
        read_key,
        digest,
        "xfer_ui_reading",
        target="township",
        source=source,
        plan=False,
    )
    if isinstance(first, AtlasError):
        refused(first, lang)
        return
    if len(first.layers) > 1:  # a GeoPackage or KML of several layers: which one
        names = {s.key: f"{s.name} ({s.feature_count or '?'})" for s in first.layers}
        st.selectbox(
            tr("xfer_ui_source_layer", lang),
            list(names),
            index=list(names).index(first.source),
            format_func=names.get,
            key=source_key,
            placeholder=tr("choose_placeholder", lang),
        )
    for note in [*first.upload_notes, *first.notes]:
        st.caption(md_escape(note.message(lang)))
    choice = crs_choice(first, lang, digest, prefix="setup_boundary", bundle=bundle)
    if choice is None:
        return
    try:
        mapping = boundary_mapping(first.mapping, _PROVISIONAL, first.count)
    except OnboardError as exc:
        refused(exc, lang)
        return
    plan_key = (
        "plan",
        digest,
        id(bundle),
        "township",
        first.source,
        choice,
        mapping.columns["name_zh"],
    )
    planned = run_preview(
        upload,
        data,
        bundle,
        lang,
        plan_key,
        digest,
        "xfer_ui_checking",
        target="township",
        source=first.source,
        crs=choice,
        mapping=mapping,
    )
    if isinstance(planned, AtlasError):
        refused(planned, lang)
        return
    if planned.plan_error is not None:
        refused(planned.plan_error.error(), lang)
        return
    if planned.plan is None:  # pragma: no cover - a CRS was chosen, so a plan was made
        st.warning(tr("xfer_ui_need_epsg", lang))
        return
    plan = planned.plan
    if plan.problems:
        st.markdown(f"**{tr('xfer_ui_problems', lang)}**")
        st.dataframe(
            problems_table(plan, lang).rename(columns=headers(PROBLEM_HEADERS, lang)),
            hide_index=True,
            width="stretch",
        )
    feature_name = _feature_choice(plan, form, digest, lang)
    try:
        chosen = boundary_feature(plan, feature_name)
    except OnboardError as exc:
        refused(exc, lang)
        return
    current = current_store().read_records("township")
    _boundary_preview(bundle, list(current.values()), chosen, form, lang)
    _form_problems(problems, lang)
    if st.button(
        tr("setup_save", lang),
        type="primary",
        icon=":material/save:",
        key="setup_save_township",
        disabled=bool(problems),
    ):
        _save_township(plan, form, current, feature_name, lang)


def _feature_choice(plan: Any, form: TownshipForm, digest: str, lang: str) -> str | None:
    """The feature of a file holding several: the one named like the form's township
    first, else the planner picks."""
    names = boundary_names(plan)
    if len(names) < 2:
        return None
    try:
        guess = boundary_feature(plan, form.name_zh)["properties"].get("name_zh")
    except OnboardError:
        guess = None
    return st.selectbox(
        tr("setup_feature", lang).format(n=len(names)),
        names,
        index=names.index(guess) if guess in names else None,
        key=f"setup_boundary_feature_{digest}",
        placeholder=tr("choose_placeholder", lang),
    )


def _boundary_preview(
    bundle: Bundle, before: list[dict], chosen: dict, form: TownshipForm, lang: str
) -> None:
    st.subheader(tr("setup_boundary_preview", lang))
    computed = geodesic_area_m2(shape(chosen["geometry"])) / 1e6
    reported = form.reported.get("reported_area_km2")
    m1, m2 = st.columns(2)
    m1.metric(tr("setup_area_computed", lang), f"{computed:.3f}")
    m2.metric(
        tr("setup_area_reported", lang),
        f"{reported:.3f}" if reported is not None else "—",
        delta=f"{computed - reported:+.3f}" if reported else None,
        delta_color="off",
    )
    diff_map(bundle, before, [chosen], key="setup_boundary_map", height=380)


def _form_problems(problems: list[tuple[str, str]], lang: str) -> None:
    if problems:
        lines = "\n".join(f"- {md_escape(pick(lang, zh, en))}" for zh, en in problems)
        st.warning(f"{tr('setup_form_missing', lang)}\n{lines}", icon=":material/edit_note:")


def _save_township(
    plan: Any, form: TownshipForm, current: dict, feature_name: str | None, lang: str
) -> None:
    try:
        change = township_change(plan, form, current, "", feature_name=feature_name)
    except OnboardError as exc:
        show_error(exc, lang)
        st.caption(tr("xfer_ui_nothing_written", lang))
        return
    saved = try_save(change, lang, action="import")
    if saved is not None:
        flash(tr("setup_saved", lang).format(name=md_escape(form.name_zh.strip()), seq=saved.seq))
        clear_import()
        st.session_state.pop(BOUNDARY_FILE, None)
        st.rerun()
    elif st.session_state.get("edit_conflict"):
        st.rerun()
    else:
        st.caption(tr("setup_save_failed_hint", lang))


# --- which step is drawn by what --------------------------------------------------------
# Step key -> render(bundle, lang): the same importers as the 数据编辑 page's import tab.
STEP_RENDERERS: dict[str, Callable[[Bundle, str], None]] = {
    "township": township_step,
    "villages": partial(import_tab, layer="villages"),
    "sites": partial(import_tab, layer="sites"),
    "party_orgs": partial(import_tab, layer="party_orgs"),
    "chains": chains_import,
    "indicators": indicators_import,
    "plans": plans_import,
}
