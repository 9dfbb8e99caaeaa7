"""Adding photos to a site or Party organisation, and editing their captions and order.

The sequence (see README "照片 / Photos"):

1. :func:`prepare_photo` checks the limits, has the upload worker check and re-encode the
   upload (:func:`~.worker_jobs.process_photo_isolated`: nothing is decoded in the
   server) and writes the stored picture and thumbnail as content-named files
   (``DataStore.put_photo_files``). A refused upload writes nothing.
2. :func:`add_photos_change` is the index change (``photos.csv`` rows) the caller saves
   with ``store.save``: history, undo and restore work as for any change. Files written
   for a change that is never saved are orphans: harmless, never shown.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from township_atlas.model.schema import LAYERS_BY_NAME, PHOTO_LAYERS, PHOTOS
from township_atlas.storage.changes import ChangeSet, feature_version
from township_atlas.transfer.errors import PhotoLimitReached, TransferError
from township_atlas.transfer.photos import PhotoLimits
from township_atlas.transfer.worker_jobs import process_photo_isolated
from township_atlas.views.photos import feature_photos, photo_volume

if TYPE_CHECKING:
    from township_atlas.model.bundle import Bundle
    from township_atlas.storage.datastore import DataStore
    from township_atlas.transfer.worker_sandbox import WorkerLimits

_MB = 2**20
#: A caption (Chinese or English) is cut to this many characters, as the forms allow.
CAPTION_CHARS = 200


@dataclass(frozen=True)
class PhotoQuota:
    """The photo limits of the settings (README 设置).

    Attributes
    ----------
    max_per_feature : photos one site or organisation may hold
    max_file_bytes : size of one uploaded file
    max_township_bytes : stored pictures and thumbnails of the township together
    distance_m : GPS distance from the feature beyond which the page asks
    """

    max_per_feature: int = 12
    max_file_bytes: int = 20 * _MB
    max_township_bytes: int = 2048 * _MB
    distance_m: float = 300.0

    @classmethod
    def from_settings(cls) -> PhotoQuota:
        from township_atlas import settings

        return cls(
            settings.photo_max_per_feature(),
            settings.photo_max_file_mb() * _MB,
            settings.photo_max_township_mb() * _MB,
            float(settings.photo_distance_m()),
        )


@dataclass(frozen=True)
class PreparedPhoto:
    """A processed photo whose files are written, ready to be indexed.

    Attributes
    ----------
    file, thumb : the content names of the picture and thumbnail
    width, height, size : the stored picture's pixels, and picture + thumbnail bytes
    taken : the date taken, or ""
    distance_m : metres from the feature to the photo's GPS position (None: unknown)
    far : ``distance_m`` is beyond the quota's distance: ask "is this the right place?"
    name : the uploaded file's name (shown, not stored)
    """

    file: str
    thumb: str
    width: int
    height: int
    size: int
    taken: str
    distance_m: float | None
    far: bool
    name: str


def feature_name(bundle: Bundle, layer: str, feature_id: str) -> str | None:
    """The feature's Chinese name, or None when ``layer`` has no such feature."""
    spec = LAYERS_BY_NAME[layer]
    frame = bundle.layer(layer)
    match = frame[frame[spec.id_field].astype(str) == str(feature_id)]
    if match.empty:
        return None
    return str(match.iloc[0].get("name_zh") or feature_id)


def feature_point(bundle: Bundle, layer: str, feature_id: str) -> tuple[float, float] | None:
    """The (lon, lat) photos of the feature are compared with (a point inside an
    outline), or None when it has no geometry."""
    spec = LAYERS_BY_NAME[layer]
    frame = bundle.layer(layer)
    match = frame[frame[spec.id_field].astype(str) == str(feature_id)]
    if match.empty:
        return None
    geom = match.geometry.iloc[0]
    if geom is None or geom.is_empty:
        return None
    point = geom if geom.geom_type == "Point" else geom.representative_point()
    return float(point.x), float(point.y)


def _check_feature(bundle: Bundle, layer: str, feature_id: str) -> str:
    name = feature_name(bundle, layer, feature_id) if layer in PHOTO_LAYERS else None
    if name is None:
        raise TransferError("xfer_photo_no_feature", layer=layer, feature=feature_id)
    return name


def check_quota(
    bundle: Bundle,
    layer: str,
    feature_id: str,
    *,
    adding: int,
    adding_bytes: int,
    quota: PhotoQuota,
) -> None:
    """Refuse ``adding`` more photos of ``adding_bytes`` stored bytes when a limit would be
    passed.

    Raises
    ------
    PhotoLimitReached : the feature's count or the township's total would pass its limit
    TransferError : the feature does not exist
    """
    name = _check_feature(bundle, layer, feature_id)
    existing = len(feature_photos(bundle, layer, feature_id))
    if existing + adding > quota.max_per_feature:
        raise PhotoLimitReached(
            "xfer_photo_limit_count",
            feature=name,
            existing=existing,
            adding=adding,
            limit=quota.max_per_feature,
        )
    used = photo_volume(bundle)
    if used + adding_bytes > quota.max_township_bytes:
        raise PhotoLimitReached(
            "xfer_photo_limit_township",
            used_mb=f"{used / _MB:.1f}",
            adding_mb=f"{adding_bytes / _MB:.1f}",
            limit_mb=f"{quota.max_township_bytes / _MB:.0f}",
        )


def prepare_photo(
    store: DataStore,
    bundle: Bundle,
    layer: str,
    feature_id: str,
    filename: str,
    data: bytes,
    *,
    quota: PhotoQuota | None = None,
    already: int = 0,
    worker: WorkerLimits | None = None,
) -> PreparedPhoto:
    """Check, process (in the upload worker) and write one photo's files.

    Parameters
    ----------
    store, bundle : where the files go, and the data the feature and limits are read from
    layer, feature_id : the site (``sites``) or organisation (``party_orgs``)
    filename, data : the upload
    quota : the limits (default: the settings)
    already : photos of this batch prepared before this one (they count to the limit)

    Raises
    ------
    PhotoLimitReached : the feature already holds its maximum
    UploadRefused, UnsupportedFormat, UnreadableFile : the upload is refused (see
        :func:`~.photos.process_photo`); nothing is written
    WorkerFailed : the worker crashed or hit its limits; nothing is written
    StorageError : the store cannot write the files (folder not writable, database
        unreachable)
    """
    quota = quota or PhotoQuota.from_settings()
    check_quota(bundle, layer, feature_id, adding=already + 1, adding_bytes=0, quota=quota)
    processed = process_photo_isolated(
        filename,
        data,
        feature_point=feature_point(bundle, layer, feature_id),
        limits=PhotoLimits(max_bytes=quota.max_file_bytes),
        worker=worker,
    )
    file, thumb = store.put_photo_files(processed.image, processed.thumb)
    far = processed.distance_m is not None and processed.distance_m > quota.distance_m
    return PreparedPhoto(
        file=file,
        thumb=thumb,
        width=processed.width,
        height=processed.height,
        size=len(processed.image) + len(processed.thumb),
        taken=processed.taken,
        distance_m=processed.distance_m,
        far=far,
        name=filename,
    )


def _caption(captions: list[str] | None, index: int) -> str:
    """The caption at ``index`` of ``captions``, trimmed and cut short ("" for none)."""
    if captions is None or index >= len(captions) or not captions[index]:
        return ""
    return captions[index].strip()[:CAPTION_CHARS]


def _record(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"properties": {f.name: row.get(f.name) for f in PHOTOS.fields}}


def add_photos_change(
    store: DataStore,
    bundle: Bundle,
    layer: str,
    feature_id: str,
    photos: list[PreparedPhoto],
    *,
    captions: list[str] | None = None,
    captions_en: list[str] | None = None,
    user: str,
    quota: PhotoQuota | None = None,
) -> ChangeSet:
    """The index change adding ``photos`` (in this order, after the feature's photos) to
    the feature; save it with ``store.save``.

    ``captions`` and ``captions_en`` are the Chinese and English captions, in the order of
    ``photos`` (either may be shorter or missing: no caption); each is trimmed and cut to
    :data:`CAPTION_CHARS` characters.

    Raises
    ------
    PhotoLimitReached : a limit would be passed (counted again at the change)
    TransferError : the feature does not exist
    """
    quota = quota or PhotoQuota.from_settings()
    check_quota(
        bundle,
        layer,
        feature_id,
        adding=len(photos),
        adding_bytes=sum(p.size for p in photos),
        quota=quota,
    )
    current = store.read_records(PHOTOS.name)
    seqs = [
        int(r["properties"]["seq"])
        for r in current.values()
        if r["properties"].get("layer") == layer
        and str(r["properties"].get("feature_id")) == str(feature_id)
    ]
    start = max(seqs, default=0)
    upserts, base = [], {}
    for n, photo in enumerate(photos, start=1):
        photo_id = "PH" + uuid.uuid4().hex[:12]
        upserts.append(
            _record(
                {
                    "photo_id": photo_id,
                    "layer": layer,
                    "feature_id": str(feature_id),
                    "seq": start + n,
                    "caption_zh": _caption(captions, n - 1) or None,
                    "caption_en": _caption(captions_en, n - 1) or None,
                    "taken": photo.taken or None,
                    "file": photo.file,
                    "thumb": photo.thumb,
                    "width": photo.width,
                    "height": photo.height,
                    "bytes": photo.size,
                }
            )
        )
        base[photo_id] = None
    return ChangeSet(PHOTOS.name, user, upserts=upserts, base=base, note=f"{layer}:{feature_id}")


def photo_edits_change(
    store: DataStore,
    layer: str,
    feature_id: str,
    rows: list[Mapping[str, Any]],
    *,
    user: str,
) -> ChangeSet:
    """The change that gives the feature's photos the captions and order of ``rows`` (one
    per photo kept, each with ``photo_id``, ``caption_zh`` and optionally ``caption_en``,
    in the new order) and deletes the feature's photos not in ``rows``. A row without a
    ``caption_en`` key leaves the English caption as it is. The files stay (undo brings
    rows back).
    """
    current = store.read_records(PHOTOS.name)
    mine = {
        key: r
        for key, r in current.items()
        if r["properties"].get("layer") == layer
        and str(r["properties"].get("feature_id")) == str(feature_id)
    }
    upserts, base, kept = [], {}, set()
    for seq, row in enumerate(rows, start=1):
        key = str(row["photo_id"])
        old = mine.get(key)
        if old is None:
            continue
        kept.add(key)
        props = dict(old["properties"])
        props["seq"] = seq
        for name in ("caption_zh", "caption_en") if "caption_en" in row else ("caption_zh",):
            caption = str(row.get(name) or "").strip()[:CAPTION_CHARS]
            # A blank caption reads back as "" or None: only a different text is a change.
            if caption != str(props.get(name) or ""):
                props[name] = caption or None
        if props != old["properties"]:
            upserts.append({"properties": props})
            base[key] = feature_version(old)
    deletes = [key for key in mine if key not in kept]
    for key in deletes:
        base[key] = feature_version(mine[key])
    return ChangeSet(
        PHOTOS.name, user, upserts=upserts, deletes=deletes, base=base, note=f"{layer}:{feature_id}"
    )
