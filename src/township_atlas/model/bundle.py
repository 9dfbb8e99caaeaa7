"""The loaded data as one typed bundle, and the findings the checks report about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import pandas as pd

from township_atlas.text.bilingual import Messaged, pick

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Finding(Messaged):
    """One problem found in the data, said in plain words in Chinese and English.

    ``location`` is a (lon, lat) point in WGS84 where the problem is spatial, so a map can
    show it; ``feature`` is the feature's id (or row) in ``layer``.
    """

    severity: Severity
    check: str
    layer: str
    message_zh: str
    message_en: str
    feature: str | None = None
    location: tuple[float, float] | None = None


def _empty_photos() -> pd.DataFrame:
    from township_atlas.model.schema import PHOTOS

    return pd.DataFrame({f.name: pd.Series(dtype="object") for f in PHOTOS.fields})


@dataclass
class Bundle:
    """Every layer and document of one data folder, typed, in WGS84 lon/lat."""

    township: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    party_orgs: gpd.GeoDataFrame
    chains: pd.DataFrame
    chain_stages: pd.DataFrame
    indicator_catalogue: pd.DataFrame
    indicators: pd.DataFrame
    plans: dict[str, Any] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)
    # The photos index (model.schema.PHOTOS); empty for a folder without photos.
    photos: pd.DataFrame = field(default_factory=lambda: _empty_photos())

    def layer(self, name: str) -> pd.DataFrame:
        return getattr(self, name)

    @property
    def township_props(self) -> dict[str, Any]:
        """The township's attributes (an empty mapping when the layer is empty)."""
        if self.township.empty:
            return {}
        return self.township.drop(columns="geometry").iloc[0].to_dict()

    def village_name(self, code: str, lang: str = "zh") -> str:
        match = self.villages[self.villages["code"] == code]
        if match.empty:
            return str(code)
        return str(match.iloc[0][pick(lang, "name_zh", "name_en")])


@dataclass
class LoadResult:
    """What loading a folder produced: the bundle, the findings, and the folder's fingerprint."""

    bundle: Bundle
    findings: list[Finding]
    fingerprint: str

    @property
    def errors(self) -> list[Finding]:
        """The findings of severity "error" (the data cannot be trusted as it is)."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """The findings of severity "warning"."""
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def all_parts_read(self) -> bool:
        """No file (or stored layer) was unreadable or served from an earlier load."""
        return not any(f.check in ("file_unreadable", "file_stale") for f in self.findings)
