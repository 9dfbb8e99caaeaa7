"""The overview page's cards and tables, built from a small township without Streamlit."""

from __future__ import annotations

from tests.factory import make_bundle
from township_atlas.model.bundle import Finding
from township_atlas.views.summary import (
    COMPARISON_HEADERS,
    FINDING_HEADERS,
    comparison_table,
    findings_table,
    headline,
    headline_cards,
    report_title,
)


def test_headline_cards_carry_units_and_the_area_help():
    bundle = make_bundle()
    head = headline(bundle)
    cards = headline_cards(head, "zh")
    assert cards[0][0] == "乡域面积(平方公里)" and cards[0][1] == f"{head.area_km2:.1f}"
    assert "亩" in cards[0][2]
    assert ("党员", "23 名", None) in cards
    assert ("Party members", "23", None) in headline_cards(head, "en")


def test_comparison_table_agrees_with_the_reported_counts():
    bundle = make_bundle()
    table = comparison_table(bundle, headline(bundle), "en")
    assert list(table.columns) == list(COMPARISON_HEADERS)
    members = table.set_index("figure").loc["Party members"]
    assert members.to_dict() == {"computed": "23", "reported": "23", "agrees": "✓ agrees"}
    bundle.township.loc[0, "reported_members"] = None
    members = comparison_table(bundle, headline(bundle), "zh").set_index("figure").loc["党员"]
    assert (members["reported"], members["agrees"]) == ("—", "—")


def test_findings_table_reads_each_finding_in_the_chosen_language():
    spatial = Finding("error", "c", "sites", "点位在乡外", "Site outside", "S1", (105.7, 35.9))
    other = Finding("warning", "c", "nowhere", "中", "en")
    table = findings_table([spatial, other], "en")
    assert list(table.columns) == list(FINDING_HEADERS)
    assert table.to_dict("records") == [
        {
            "severity": "Error",
            "layer": "Sites",
            "feature": "S1",
            "message": "Site outside",
            "location": "105.70000, 35.90000",
        },
        {"severity": "Warning", "layer": "nowhere", "feature": "", "message": "en", "location": ""},
    ]


def test_report_title_in_the_chosen_language_and_none_without_a_report():
    bundle = make_bundle()
    assert report_title(bundle, "zh") is None
    bundle.report = {"title_zh": "报告", "title_en": "Report"}
    assert (report_title(bundle, "zh"), report_title(bundle, "en")) == ("报告", "Report")
