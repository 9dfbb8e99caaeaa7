"""The photos of sites and organisations as pages show them: ordered items of the index
(``photos.csv``) for a feature, and a village's photos grouped by its sites and
organisations. Only names of stored files; the bytes are read by the page from the store
after its role check, never published under ``static/``."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import LAYERS_BY_NAME, PHOTO_LAYERS
from township_atlas.text.bilingual import bilingual, pick


@dataclass(frozen=True)
class PhotoItem:
    """One photo as shown: captions (Chinese, English or ""), date taken, the stored
    picture and thumbnail names."""

    photo_id: str
    caption_zh: str
    caption_en: str
    taken: str
    file: str
    thumb: str
    width: int
    height: int

    def caption(self, lang: str) -> str:
        """The caption in ``lang``; the Chinese one when there is no English caption."""
        return bilingual(self, "caption", lang)


def photo_volume(bundle: Bundle) -> int:
    """Bytes of the township's photo files by the index's ``bytes`` column (picture +
    thumbnail of each row), known without reading a picture: what the township's photo
    limit and the page export's photo limit count."""
    return int(pd.to_numeric(bundle.photos["bytes"], errors="coerce").fillna(0).sum())


def feature_photos(bundle: Bundle, layer: str, feature_id: str) -> pd.DataFrame:
    """The feature's photo rows (``photos.csv`` columns) in their order."""
    photos = bundle.photos
    if photos.empty:
        return photos
    mine = photos[
        (photos["layer"].astype(str) == layer) & (photos["feature_id"].astype(str) == feature_id)
    ]
    return mine.sort_values(["seq", "photo_id"], kind="stable")


def _text(value: object) -> str:
    return (
        ""
        if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA
        else str(value)
    )


def photo_items(bundle: Bundle, layer: str, feature_id: str) -> list[PhotoItem]:
    """The feature's photos, in order (empty for a layer that holds no photos)."""
    if layer not in PHOTO_LAYERS:
        return []
    return [
        PhotoItem(
            str(row["photo_id"]),
            _text(row["caption_zh"]),
            _text(row["caption_en"]),
            _text(row["taken"]),
            str(row["file"]),
            str(row["thumb"]),
            int(row["width"]),
            int(row["height"]),
        )
        for _, row in feature_photos(bundle, layer, feature_id).iterrows()
    ]


def village_photos(bundle: Bundle, code: str, lang: str) -> list[tuple[str, list[PhotoItem]]]:
    """(feature name, its photos) for the village's sites, then its organisations; only
    features that have photos."""
    out: list[tuple[str, list[PhotoItem]]] = []
    if bundle.photos.empty:
        return out
    for layer in PHOTO_LAYERS:
        spec = LAYERS_BY_NAME[layer]
        frame = bundle.layer(layer)
        mine = frame[frame["village_code"].astype("string") == code]
        for _, row in mine.iterrows():
            items = photo_items(bundle, layer, str(row[spec.id_field]))
            if items:
                en = row.get("name_en")
                name = pick(
                    lang, str(row["name_zh"]), en if isinstance(en, str) else "", fallback=True
                )
                out.append((name, items))
    return out
