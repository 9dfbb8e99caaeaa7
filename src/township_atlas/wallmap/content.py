"""What the sheet says, computed from the data: title, legend, headline figures checked
against the report, the village table and the footer. No drawing here, so the tests can
compare the PDF's text with these values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from township_atlas.maps.choropleth import Choropleth, choropleth
from township_atlas.maps.style import ORG_SYMBOLS, SITE_SYMBOLS
from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import SITE_KIND_LABELS, SITE_KINDS, code_label
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.text.numbers import MISSING, is_blank, is_missing, text
from township_atlas.views.indicators import catalogue, latest_year
from township_atlas.views.summary import headline, reported_comparison, village_table
from township_atlas.wallmap.errors import WallMapError
from township_atlas.wallmap.layout import check_choice


@dataclass(frozen=True)
class WallMapOptions:
    """The choices of one wall map (the page and the command offer the same).

    Parameters
    ----------
    paper, orientation : "A0"–"A3"; "landscape" or "portrait"
    village : a village code to map that village alone, or None for the whole township
    indicator, year : colour the villages by this indicator in this year (both or neither)
    graticule : draw a longitude/latitude grid with labels on the frame
    lang : "zh" or "en"
    """

    paper: str = "A0"
    orientation: str = "landscape"
    village: str | None = None
    indicator: str | None = None
    year: int | None = None
    graticule: bool = False
    lang: str = "zh"


@dataclass(frozen=True)
class LegendEntry:
    """One symbol of the legend: ``kind`` says how to draw it, ``colour`` its colour."""

    kind: str  # "line:township", "line:village", "site:<kind>", "area", "org:<level>", "chain", "fill"
    label: str
    colour: str = ""


@dataclass(frozen=True)
class HeadlineRow:
    label: str
    computed: str
    reported: str
    check: str
    agrees: bool | None


@dataclass(frozen=True)
class SheetContent:
    """Every text of the sheet except the map's own labels."""

    title: str
    subtitle: str
    sample: bool
    legend: list[LegendEntry]
    choropleth: Choropleth | None
    headline: list[HeadlineRow]
    village_columns: list[str]
    village_rows: list[list[str]]
    footer: list[str] = field(default_factory=list)


def figure_text(value: float, area: bool = False) -> str:
    """A headline figure as the sheet writes it: area with two decimals, counts whole."""
    if value is None or pd.isna(value):
        return MISSING
    return f"{value:,.2f}" if area else f"{round(value):,d}"


def validate(bundle: Bundle, options: WallMapOptions) -> None:
    """Raise :class:`WallMapError` for a choice the data cannot give a map of."""
    check_choice(options.paper, options.orientation)
    boundary = bundle.township.geometry.dropna() if not bundle.township.empty else []
    if len(boundary) == 0 or all(g.is_empty for g in boundary):
        raise WallMapError("wall_err_no_boundary")
    codes = [str(c) for c in bundle.villages["code"]]
    if options.village is not None and options.village not in codes:
        raise WallMapError(
            "wall_err_village", code=options.village, example=codes[0] if codes else "V01"
        )
    if (options.indicator is None) != (options.year is None):
        raise WallMapError("wall_err_year")
    keys = list(catalogue(bundle))
    if options.indicator is not None and options.indicator not in keys:
        raise WallMapError(
            "wall_err_indicator", key=options.indicator, example=keys[0] if keys else "—"
        )


def title_year(bundle: Bundle, options: WallMapOptions, today: dt.date) -> int:
    """The year in the title: the indicator's, else the data's latest, else this year."""
    return options.year or latest_year(bundle) or today.year


def _legend(bundle: Bundle, lang: str, choro: Choropleth | None) -> list[LegendEntry]:
    entries = [
        LegendEntry("line:township", tr("wall_legend_township", lang)),
        LegendEntry("line:village", tr("wall_legend_village", lang)),
    ]
    kinds = set(bundle.sites["kind"].dropna())
    for kind in SITE_KINDS:
        if kind in kinds and kind in SITE_SYMBOLS:
            entries.append(
                LegendEntry(
                    f"site:{kind}", code_label(SITE_KIND_LABELS, kind, lang), SITE_SYMBOLS[kind][1]
                )
            )
    geoms = bundle.sites.geometry.dropna()
    if geoms.geom_type.isin(["Polygon", "MultiPolygon"]).any():
        entries.append(LegendEntry("area", tr("wall_legend_site_area", lang), "#7A7A7A"))
    levels = set(bundle.party_orgs["level"].dropna())
    for level in ORG_SYMBOLS:
        if level in levels:
            entries.append(LegendEntry(f"org:{level}", tr(f"wall_legend_{level}", lang)))
    if not bundle.chains.empty and not bundle.chain_stages.empty:
        entries.append(LegendEntry("chain", tr("wall_legend_chain", lang)))
    if choro is not None:
        entries += [LegendEntry("fill", label, colour) for colour, label in choro.rows]
    return entries


def _headline(bundle: Bundle, lang: str) -> list[HeadlineRow]:
    head = headline(bundle)
    rows = []
    for key, computed, reported, agrees in reported_comparison(bundle, head):
        area = key == "area"
        unit = f"({tr('unit_km2', lang)})" if area else ""
        check = (
            tr("wall_not_reported", lang)
            if agrees is None
            else tr("wall_agrees" if agrees else "wall_differs", lang)
        )
        rows.append(
            HeadlineRow(
                tr(key, lang) + unit,
                figure_text(computed, area),
                figure_text(reported, area) if reported is not None else MISSING,
                check,
                agrees,
            )
        )
    rows.append(HeadlineRow(tr("groups", lang), figure_text(head.groups), MISSING, "", None))
    for kind, n in head.sites_by_kind.items():
        if n:
            label = code_label(SITE_KIND_LABELS, kind, lang)
            rows.append(HeadlineRow(label, figure_text(n), MISSING, "", None))
    return rows


def _cell(value) -> str:
    return MISSING if is_blank(value) else text(value)


def village_rows(
    bundle: Bundle, lang: str, village: str | None
) -> tuple[list[str], list[list[str]]]:
    """(column headers, rows) of the village table: one village or every village."""
    table = village_table(bundle, lang)
    if village is not None:
        table = table[table["code"] == village]
    columns = [
        tr(k, lang)
        for k in (
            "wall_col_village",
            "wall_col_industry",
            "wall_col_population",
            "wall_col_members",
            "wall_col_sites",
            "wall_col_area",
        )
    ]
    rows = []
    for r in table.to_dict("records"):
        rows.append(
            [
                _cell(r["name"]),
                _cell(r["leading_industry"]),
                MISSING if is_missing(r["population"]) else f"{int(r['population']):,d}",
                MISSING if is_missing(r["members"]) else f"{int(r['members']):,d}",
                f"{int(r['sites']):,d}",
                f"{float(r['area_km2']):.2f}",
            ]
        )
    return columns, rows


def sheet_content(
    bundle: Bundle, options: WallMapOptions, today: dt.date, version: str = ""
) -> SheetContent:
    """Everything the sheet says besides the map, for ``options`` (checked first).

    Raises
    ------
    WallMapError
        See :func:`validate`.
    """
    validate(bundle, options)
    lang = options.lang
    props = bundle.township_props
    township = text(pick(lang, props.get("name_zh"), props.get("name_en"), fallback=True))
    year = title_year(bundle, options, today)
    if options.village is not None:
        title = tr("wall_title_village", lang).format(
            township=township, village=bundle.village_name(options.village, lang)
        )
    else:
        title = tr("wall_title", lang).format(township=township)
    title += tr("wall_title_year", lang).format(year=year)
    choro = (
        choropleth(bundle, options.indicator, int(options.year), lang)
        if options.indicator is not None and options.year is not None
        else None
    )
    columns, rows = village_rows(bundle, lang, options.village)
    report = bundle.report or {}
    report_title = text(report.get(pick(lang, "title_zh", "title_en"))) or text(
        report.get("title_zh")
    )
    data_year = latest_year(bundle)
    footer = [
        tr("wall_data_date", lang).format(year=data_year if data_year else MISSING),
        tr("wall_source", lang).format(
            report=tr("wall_source_report", lang).format(title=report_title) if report_title else ""
        ),
    ]
    if version:
        footer.append(tr("wall_data_version", lang).format(version=version))
    footer.append(tr("wall_printed", lang).format(date=today.isoformat()))
    return SheetContent(
        title=title,
        subtitle=tr("wall_subtitle", lang),
        sample=bool(props.get("sample")) is True and not pd.isna(props.get("sample")),
        legend=_legend(bundle, lang, choro),
        choropleth=choro,
        headline=_headline(bundle, lang),
        village_columns=columns,
        village_rows=rows,
        footer=footer,
    )
