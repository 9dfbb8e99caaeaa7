"""照片: the photos part of a site's or organisation's form on the editing page — the
photos with their captions and order, and adding several at once (on a phone the
browser's picker offers the camera; ``st.camera_input`` is a second way).

Each upload is checked and re-encoded in the sandboxed upload worker
(:func:`township_atlas.transfer.photo_add.prepare_photo`); the index change is saved like
any edit, so history and undo work as for any change."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from township_atlas.authz import require
from township_atlas.errors import AtlasError
from township_atlas.model.bundle import Bundle
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.transfer.photo_add import (
    CAPTION_CHARS,
    PhotoQuota,
    PreparedPhoto,
    add_photos_change,
    feature_name,
    photo_edits_change,
    prepare_photo,
)
from township_atlas.transfer.photos import EXTENSIONS, PhotoLimits, heif_available
from township_atlas.ui.auth import current_user
from township_atlas.ui.chrome import show_error
from township_atlas.ui.data import current_store
from township_atlas.ui.edit_common import flash, try_save
from township_atlas.ui.photos import photo_gallery
from township_atlas.ui.text import md_escape
from township_atlas.views.photos import photo_items

PENDING = "photo_pending"  # processed photos waiting for "is this the right place?"
REFUSED = "photo_refused"  # what was refused, shown after the rerun that follows
NONCE = "photo_nonce"  # bumped after a save: a fresh uploader


def _types() -> list[str]:
    return [e for e, fmt in EXTENSIONS.items() if fmt != "HEIF" or heif_available()]


def photo_section(bundle: Bundle, lang: str, layer: str, fid: str) -> None:
    """The photos of feature ``fid`` of ``layer`` (``sites`` or ``party_orgs``): shown,
    captions and order editable, and more added."""
    st.divider()
    st.subheader(tr("photo_heading", lang))
    items = photo_items(bundle, layer, fid)
    if items:
        photo_gallery(items, lang, key=f"edit_photo_{layer}_{fid}")
        _edit_existing(bundle, lang, layer, fid)
    else:
        st.caption(tr("photo_none", lang))
    st.markdown(f"**{tr('photo_add_heading', lang)}**")
    photo_adder(bundle, lang, layer, fid)


def photo_adder(bundle: Bundle, lang: str, layer: str, fid: str) -> None:
    """Choose several photos (or take one) with captions and add them to ``fid``: the
    editing page's form and the map's details panel both use it. Only offered to people
    who may edit; the save checks it again on the server."""
    try:
        quota = PhotoQuota.from_settings()
    except AtlasError as exc:
        show_error(exc, lang)
        return
    _add(bundle, lang, layer, fid, quota)


def _edit_existing(bundle: Bundle, lang: str, layer: str, fid: str) -> None:
    items = photo_items(bundle, layer, fid)
    frame = pd.DataFrame(
        {
            "keep": [True] * len(items),
            "order": list(range(1, len(items) + 1)),
            "caption": [i.caption_zh for i in items],
            "caption_en": [i.caption_en for i in items],
            "taken": [i.taken for i in items],
        },
        index=[i.photo_id for i in items],
    )
    key = f"photo_edit_{layer}_{fid}_{st.session_state.get(NONCE, 0)}"
    with st.expander(tr("photo_edit_heading", lang)):
        edited = st.data_editor(
            frame,
            key=key,
            hide_index=True,
            num_rows="fixed",
            width="stretch",
            column_config={
                "keep": st.column_config.CheckboxColumn(tr("photo_col_keep", lang)),
                "order": st.column_config.NumberColumn(
                    tr("photo_col_order", lang), min_value=1, step=1
                ),
                "caption": st.column_config.TextColumn(
                    tr("photo_col_caption", lang), max_chars=CAPTION_CHARS
                ),
                "caption_en": st.column_config.TextColumn(
                    tr("photo_col_caption_en", lang), max_chars=CAPTION_CHARS
                ),
                "taken": st.column_config.TextColumn(tr("photo_col_taken", lang), disabled=True),
            },
        )
        if st.button(tr("photo_edit_save", lang), key=f"{key}_save", icon=":material/save:"):
            kept = edited[edited["keep"].astype(bool)].copy()
            kept["pos"] = range(len(kept))
            kept = kept.sort_values(["order", "pos"], kind="stable")
            rows = [
                {
                    "photo_id": pid,
                    "caption_zh": str(row["caption"] or ""),
                    "caption_en": str(row["caption_en"] or ""),
                }
                for pid, row in kept.iterrows()
            ]
            change = photo_edits_change(current_store(), layer, fid, rows, user="")
            if not change.upserts and not change.deletes:
                st.info(tr("photo_unchanged", lang), icon=":material/info:")
                return
            result = try_save(change, lang)
            if result is not None:
                flash(tr("photo_edited", lang).format(seq=result.seq))
                st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1
                st.rerun()


def _add(bundle: Bundle, lang: str, layer: str, fid: str, quota: PhotoQuota) -> None:
    heic = heif_available()
    st.caption(
        tr("photo_add_help", lang).format(
            heic=pick(lang, "、HEIC", ", HEIC") if heic else "",
            side=PhotoLimits().max_side,
        )
        + " "
        + tr("photo_limits", lang).format(
            per_feature=quota.max_per_feature, file_mb=quota.max_file_bytes // 2**20
        )
    )
    nonce = st.session_state.get(NONCE, 0)
    prefix = f"photo_{layer}_{fid}_{nonce}"
    uploads: list[Any] = list(
        st.file_uploader(
            tr("photo_files", lang),
            type=_types(),
            accept_multiple_files=True,
            key=f"{prefix}_files",
        )
        or []
    )
    if st.toggle(tr("photo_use_camera", lang), key=f"{prefix}_camera_on"):
        shot = st.camera_input(tr("photo_camera", lang), key=f"{prefix}_camera")
        if shot is not None:
            uploads.append(shot)
    captions = [
        st.text_input(
            tr("photo_caption_for", lang).format(name=md_escape(up.name)),
            key=f"{prefix}_caption_{n}",
            max_chars=CAPTION_CHARS,
        )
        for n, up in enumerate(uploads)
    ]
    captions_en = _english_captions(lang, prefix, uploads)
    for refused in st.session_state.pop(REFUSED, []):
        st.error(refused, icon=":material/no_photography:")  # kept across the rerun
    pending_key = f"{PENDING}_{layer}_{fid}"
    pending = st.session_state.get(pending_key)
    if pending is not None:
        _confirm_far(bundle, lang, layer, fid, quota, pending, pending_key)
        return
    if uploads and st.button(
        tr("photo_add_button", lang),
        type="primary",
        key=f"{prefix}_add",
        icon=":material/add_a_photo:",
    ):
        try:
            require(current_user(), "edit")  # checked on the server before any work
        except AtlasError as exc:
            show_error(exc, lang)
            return
        prepared: list[PreparedPhoto] = []
        kept_captions: list[str] = []
        kept_captions_en: list[str] = []
        store = current_store()
        for up, caption, caption_en in zip(uploads, captions, captions_en, strict=True):
            try:
                prepared.append(
                    prepare_photo(
                        store,
                        bundle,
                        layer,
                        fid,
                        up.name,
                        up.getvalue(),
                        quota=quota,
                        already=len(prepared),
                    )
                )
                kept_captions.append(caption)
                kept_captions_en.append(caption_en)
            except AtlasError as exc:
                refused = tr("photo_refused", lang).format(
                    name=md_escape(up.name), message=exc.message(lang)
                )
                st.session_state.setdefault(REFUSED, []).append(refused)
        if not prepared:
            st.rerun()
        if any(p.far for p in prepared):
            st.session_state[pending_key] = {
                "photos": prepared,
                "captions": kept_captions,
                "captions_en": kept_captions_en,
            }
            st.rerun()  # the question replaces the add button
        _save(bundle, lang, layer, fid, quota, prepared, kept_captions, kept_captions_en)


def _english_captions(lang: str, prefix: str, uploads: list[Any]) -> list[str]:
    """An English caption box per upload, optional, folded away in one expander so the
    form stays short on a phone; "" for each when none is typed."""
    if not uploads:
        return []
    with st.expander(tr("photo_captions_en", lang)):
        return [
            st.text_input(
                tr("photo_caption_en_for", lang).format(name=md_escape(up.name)),
                key=f"{prefix}_caption_en_{n}",
                max_chars=CAPTION_CHARS,
            )
            for n, up in enumerate(uploads)
        ]


def _confirm_far(
    bundle: Bundle,
    lang: str,
    layer: str,
    fid: str,
    quota: PhotoQuota,
    pending: dict[str, Any],
    pending_key: str,
) -> None:
    """Ask "is this the right place?" for photos taken far from the feature."""
    name = feature_name(bundle, layer, fid) or fid
    for photo in pending["photos"]:
        if photo.far:
            st.warning(
                tr("photo_far", lang).format(
                    name=md_escape(photo.name),
                    feature=md_escape(name),
                    distance=f"{photo.distance_m:.0f}",
                    limit=f"{quota.distance_m:.0f}",
                ),
                icon=":material/wrong_location:",
            )
    sure = st.checkbox(tr("photo_far_confirm", lang), key=f"{pending_key}_sure")
    c1, c2 = st.columns(2)
    if c1.button(tr("photo_add_button", lang), type="primary", key=f"{pending_key}_add"):
        if not sure:
            st.error(tr("photo_far_unconfirmed", lang), icon=":material/wrong_location:")
            return
        st.session_state.pop(pending_key, None)
        _save(
            bundle,
            lang,
            layer,
            fid,
            quota,
            pending["photos"],
            pending["captions"],
            pending["captions_en"],
        )
    if c2.button(tr("photo_cancel", lang), key=f"{pending_key}_cancel"):
        st.session_state.pop(pending_key, None)
        st.rerun()


def _save(
    bundle: Bundle,
    lang: str,
    layer: str,
    fid: str,
    quota: PhotoQuota,
    prepared: list[PreparedPhoto],
    captions: list[str],
    captions_en: list[str],
) -> None:
    try:
        change = add_photos_change(
            current_store(),
            bundle,
            layer,
            fid,
            prepared,
            captions=captions,
            captions_en=captions_en,
            user="",
            quota=quota,
        )
    except AtlasError as exc:
        show_error(exc, lang)
        return
    result = try_save(change, lang)
    if result is None:
        return
    flash(tr("photo_added", lang).format(n=len(prepared), seq=result.seq))
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1
    st.rerun()
