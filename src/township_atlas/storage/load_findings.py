"""The findings a load adds about the data's storage itself (both backends report them)."""

from __future__ import annotations

from township_atlas.errors import DataFileError
from township_atlas.model.bundle import Finding


def unreadable_finding(layer: str, exc: DataFileError) -> Finding:
    """An error: ``layer`` cannot be read, and is served empty until it is fixed."""
    return Finding(
        "error",
        "file_unreadable",
        layer,
        f"{exc.message_zh}。该图层暂按空图层处理,请修复文件后刷新。",
        f"{exc.message_en}. The layer is treated as empty until the file is fixed.",
        exc.feature,
    )


def stale_finding(layer: str, exc: DataFileError) -> Finding:
    """A warning: ``layer`` cannot be read now, and the last good copy is served."""
    return Finding(
        "warning",
        "file_stale",
        layer,
        f"{exc.message_zh}。可能正在被其他软件(如 QGIS)写入;"
        "在文件恢复正常之前,仍显示上一次读取的有效数据。",
        f"{exc.message_en}. It may be being written by another program (e.g. "
        "QGIS); the last good data is shown until the file is readable again.",
        exc.feature,
    )
