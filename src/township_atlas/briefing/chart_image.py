"""A slide's chart as a picture (matplotlib): one indicator by village, bars coloured by
status against target (the dashboard's colours), targets as grey ticks, values written at
the bars so the chart reads without its axis from the back of the room."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from township_atlas.briefing.fonts import font_properties
from township_atlas.briefing.model import ChartSpec
from township_atlas.text.labels import tr
from township_atlas.text.numbers import number
from township_atlas.views.charts import NO_STATUS_GREY, RAG_COLOURS, TARGET_GREY


def render_chart(
    chart: ChartSpec,
    lang: str = "zh",
    *,
    width_in: float = 8.0,
    height_in: float = 5.0,
    dpi: int = 150,
    font_pt: float = 12.0,
) -> bytes:
    """Horizontal bars (best at the top, as ranked in ``chart``) as PNG bytes."""
    fig = Figure(figsize=(width_in, height_in), dpi=dpi, facecolor="white", layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    font = font_properties(size=font_pt)
    n = len(chart.categories)
    ys = list(range(n))
    values = [v if v is not None else 0.0 for v in chart.values]
    colours = [RAG_COLOURS.get(s or "", NO_STATUS_GREY) for s in chart.statuses]
    ax.barh(ys, values, color=colours, height=0.62, zorder=2)
    top = max([*values, *(t for t in chart.targets if t is not None), 1e-9])
    for y, target in zip(ys, chart.targets, strict=True):
        if target is not None:
            ax.plot([target, target], [y - 0.42, y + 0.42], color=TARGET_GREY, lw=3, zorder=3)
    for y, value, target in zip(ys, chart.values, chart.targets, strict=True):
        # Written past the bar and its target tick, so neither hides the number.
        ax.text(
            max(value or 0, target or 0) + top * 0.02,
            y,
            number(value),
            va="center",
            ha="left",
            fontproperties=font,
            color="#1F2328",
            zorder=4,
        )
    ax.set_yticks(ys, list(chart.categories))
    for label in ax.get_yticklabels():
        label.set_fontproperties(font)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.18)
    ax.tick_params(axis="x", labelsize=font_pt * 0.8)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", linestyle="--", alpha=0.4, zorder=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    if chart.unit:
        ax.set_xlabel(chart.unit, fontproperties=font_properties(size=font_pt * 0.85))
    handles = [
        Patch(color=RAG_COLOURS[s], label=tr(f"status_{s}", lang))
        for s in ("green", "amber", "red")
    ]
    handles.append(Line2D([], [], color=TARGET_GREY, lw=3, label=chart.target_label))
    ax.legend(
        handles=handles,
        loc="lower center",
        ncols=4,
        frameon=False,
        prop=font_properties(size=font_pt * 0.85),
        bbox_to_anchor=(0.5, 1.0),
    )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
