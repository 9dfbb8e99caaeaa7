"""Photos on the pages: thumbnails, and a larger view in a dialog on click.

The bytes are read by the server from the store, after the role check, and handed to
``st.image``: photos are never published under the public ``static/`` folder."""

from __future__ import annotations

import streamlit as st

from township_atlas.errors import AtlasError
from township_atlas.text.labels import tr
from township_atlas.ui.auth import allowed
from township_atlas.ui.data import current_store
from township_atlas.ui.text import md_escape, shorten
from township_atlas.views.photos import PhotoItem

# A thumbnail's width in CSS pixels: two across on a 390 px phone, three in the map's
# details panel on a 1920 px projector, a row of them on the village page.
THUMB_WIDTH = 160
# A caption under a thumbnail is cut to this many characters (the larger view shows it all).
THUMB_CAPTION_CHARS = 40


def _bytes(name: str, lang: str) -> bytes | None:
    """The stored file's bytes for someone allowed to view, else None (and says why)."""
    if allowed("view") is None:
        st.caption(tr("photo_not_allowed", lang))
        return None
    try:
        return current_store().photo_file(name)
    except AtlasError as exc:
        st.caption(tr("photo_missing", lang).format(reason=exc.message(lang)))
        return None


def _caption(item: PhotoItem, lang: str) -> str:
    """The caption in the page's language (Chinese when there is no English) and date."""
    caption = item.caption(lang)
    parts = [caption] if caption else []
    if item.taken:
        parts.append(tr("photo_taken", lang).format(taken=item.taken[:10]))
    return " · ".join(parts)


def _larger(item: PhotoItem, lang: str) -> None:
    data = _bytes(item.file, lang)
    if data is not None:
        st.image(data, caption=_caption(item, lang) or None, width="stretch")


def photo_gallery(items: list[PhotoItem], lang: str, *, key: str) -> None:
    """Thumbnails of ``items`` with their captions; a button under each opens the larger
    picture. Nothing at all when there are no photos."""
    if not items:
        return
    if allowed("view") is None:
        st.caption(tr("photo_not_allowed", lang))
        return
    # A wrapping row (not st.columns, which a phone stacks into one full-width column).
    with st.container(horizontal=True, wrap=True, gap="small"):
        for item in items:
            with st.container(width=THUMB_WIDTH, gap="small"):
                data = _bytes(item.thumb, lang)
                if data is None:
                    continue
                caption = _caption(item, lang)
                # An image caption is plain text (no Markdown), as the data wrote it.
                st.image(
                    data,
                    caption=shorten(caption, THUMB_CAPTION_CHARS) or None,
                    width="stretch",
                    alt=shorten(caption, 200) or tr("photo_heading", lang),
                )
                if st.button(
                    tr("photo_enlarge", lang),
                    key=f"{key}_{item.photo_id}",
                    icon=":material/zoom_in:",
                    type="tertiary",
                ):
                    # A dialog's title is Markdown: the caption is escaped (no link, no image).
                    title = md_escape(item.caption(lang)) or tr("photo_heading", lang)
                    st.dialog(title, width="large")(_larger)(item, lang)
