"""LoadResult sorts its findings by severity for the pages (overview, edit)."""

from __future__ import annotations

from township_atlas.model.bundle import Finding, LoadResult

from .factory import make_bundle


def test_errors_and_warnings_are_the_findings_of_that_severity():
    findings = [
        Finding("error", "ids_unique", "sites", "重复", "duplicate"),
        Finding("warning", "in_village", "sites", "村外", "outside"),
        Finding("info", "note", "sites", "注", "note"),
        Finding("error", "links", "party_orgs", "断链", "broken link"),
    ]
    result = LoadResult(make_bundle(), findings, "fp")
    assert [f.check for f in result.errors] == ["ids_unique", "links"]
    assert [f.check for f in result.warnings] == ["in_village"]
    assert not result.ok
    assert LoadResult(make_bundle(), [], "fp").warnings == []
