"""A stored photo made the size it is printed at, so a village sheet with forty photos
stays small enough to send from a phone.

The stored pictures are up to 2048 px (the upload worker's bound, see
:mod:`township_atlas.transfer.photos`), about three times what a half-A4-width cell needs
at 300 dpi; embedding them as they are made an all-villages sheet of 6 × 7 photos over
20 MB. These are the project's own files, already re-encoded by the upload worker, so
decoding them here in the server is safe; the decode is still bounded
(:data:`MAX_STORED_PIXELS`, and the JPEG decoder's own scaling via ``draft``).
"""

from __future__ import annotations

import io
import math

from PIL import Image

#: JPEG quality of a sized picture (the upload worker stores at 85; a print at its cell's
#: size shows no difference, and the file is about a quarter).
QUALITY = 82

#: A stored picture with more pixels than this is not one the upload worker wrote
#: (2048 × 2048 at most); it is treated as unreadable rather than decoded.
MAX_STORED_PIXELS = 2048 * 2048


def print_px(mm: float, dpi: int = 300) -> int:
    """Pixels ``mm`` millimetres take at ``dpi`` (rounded up)."""
    return math.ceil(mm / 25.4 * dpi)


def sized_jpeg(data: bytes, width_px: int, height_px: int) -> bytes | None:
    """``data`` (a stored JPEG) fitted whole within ``width_px`` × ``height_px``.

    Parameters
    ----------
    data : bytes
        A stored picture as the store reads it.
    width_px, height_px : int
        The box the picture is drawn in, in pixels at the output's resolution.

    Returns
    -------
    bytes or None
        ``data`` itself when it already fits (no second loss of quality); else a new
        JPEG at :data:`QUALITY`, its aspect kept, without metadata. None when the bytes
        cannot be decoded as a JPEG (truncated, damaged, not a JPEG, or more pixels than
        :data:`MAX_STORED_PIXELS`): the renderers draw the "photo file missing" note, as
        for a file the store cannot read.
    """
    try:
        with Image.open(io.BytesIO(data), formats=["JPEG"]) as im:
            if im.width * im.height > MAX_STORED_PIXELS:
                return None
            if im.width <= width_px and im.height <= height_px:
                im.load()  # a damaged file is caught here, not in the PDF reader
                return data
            scale = min(width_px / im.width, height_px / im.height)
            size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
            # The decoder scales by 1/2, 1/4 or 1/8 while decoding, never below ``size``.
            im.draft("RGB", size)
            small = im.convert("RGB").resize(size, Image.Resampling.LANCZOS)
            buf = io.BytesIO()
            small.save(buf, "JPEG", quality=QUALITY, optimize=True)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    return buf.getvalue()
