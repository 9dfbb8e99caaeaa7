"""A slide's picture — its map or its chart — as PNG bytes, drawn locally; and the
village's photos a renderer draws, read through the reader it is given."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from township_atlas.briefing.chart_image import render_chart
from township_atlas.briefing.model import Photo, Slide, pick_photos
from township_atlas.briefing.static_map import render_map
from township_atlas.errors import AtlasError
from township_atlas.model.bundle import Bundle


def slide_picture(
    bundle: Bundle,
    slide: Slide,
    lang: str,
    *,
    width_in: float,
    height_in: float,
    dpi: int = 150,
    font_pt: float = 12.0,
) -> bytes | None:
    """The slide's chart if it has one, else its map, else None (``width_in`` ×
    ``height_in`` inches at ``dpi``; ``font_pt`` is the size of names and labels)."""
    if slide.chart is not None:
        return render_chart(
            slide.chart, lang, width_in=width_in, height_in=height_in, dpi=dpi, font_pt=font_pt
        )
    if slide.map is not None:
        return render_map(
            bundle,
            slide.map,
            lang,
            width_in=width_in,
            height_in=height_in,
            dpi=dpi,
            font_pt=font_pt,
        )
    return None


#: Reads a stored photo or thumbnail by its name in the photos index (``photos/ab/….jpg``);
#: made by the caller from its store after the role check (``store.photo_file``), so the
#: renderers never open a path and nothing is served from the public static folder.
PhotoReader = Callable[[str], bytes]

#: Photos shown under the map of a village slide (page and PowerPoint), and on the photo
#: page of a village sheet.
SLIDE_PHOTOS = 4
SHEET_PHOTOS = 6

_JPEG = b"\xff\xd8\xff"


@dataclass(frozen=True)
class ShownPhoto:
    """A photo to draw, with its bytes, or ``data=None`` when its file could not be read
    (the renderer shows a short note in its place)."""

    photo: Photo
    data: bytes | None


def shown_photos(
    slide: Slide, reader: PhotoReader | None, n: int, *, thumb: bool = True
) -> tuple[list[ShownPhoto], int]:
    """The photos a renderer draws for ``slide`` and how many more the village has.

    Parameters
    ----------
    slide : Slide
        A slide of the deck (only village slides carry photos).
    reader : callable or None
        Reads a stored file's bytes; None draws no photos at all (as before photos).
    n : int
        At most this many (:func:`~township_atlas.briefing.model.pick_photos`).
    thumb : bool
        Read the thumbnail (slides) or the stored picture (the printed sheet).

    Returns
    -------
    (list of ShownPhoto, int)
        The photos in order, each with its bytes or None when the store could not read
        them (an :class:`~township_atlas.errors.AtlasError`) or they are not a JPEG; and
        the number of the village's photos not drawn.
    """
    if reader is None or not slide.photos:
        return [], 0
    chosen = pick_photos(slide.photos, n)
    out = []
    for photo in chosen:
        try:
            data: bytes | None = reader(photo.thumb if thumb else photo.file)
        except AtlasError:
            data = None
        if data is not None and not data.startswith(_JPEG):
            data = None
        out.append(ShownPhoto(photo, data))
    return out, len(slide.photos) - len(chosen)
