"""The organisation page's tables: branches, sites still without a Party group, chains.

Tables have stable English column keys; a page turns them into zh/en headers with
:func:`township_atlas.text.labels.headers` and the ``*_HEADERS`` mapping next to each table.
"""

from __future__ import annotations

import pandas as pd

from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import BRANCH_KIND_LABELS, SITE_KIND_LABELS, code_label
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.views.organisation import Chain, OrgNode, chains

# Column key -> label key of the header, for each table below.
BRANCH_HEADERS: dict[str, str] = {
    "branch": "branches",
    "kind": "branch_kind",
    "members": "members",
    "groups": "groups",
    "group_members": "group_members",
    "chain": "built_on_chain",
}
UNCOVERED_HEADERS: dict[str, str] = {
    "site": "site",
    "kind": "kind",
    "village": "village",
    "households": "households_involved",
}
CHAIN_HEADERS: dict[str, str] = {
    "chain": "chain",
    "stages": "stages",
    "branches": "branches_on_chain",
}


def branch_table(bundle: Bundle, branches: list[OrgNode], lang: str) -> pd.DataFrame:
    """One row per branch: name, kind, members, its groups and their members, its chain.

    Parameters
    ----------
    bundle : Bundle
        The township's data (for the chains' names).
    branches : list[OrgNode]
        The branches, in the order shown (from :func:`township_atlas.views.organisation.walk`).
    lang : str
        ``"zh"`` or ``"en"``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`BRANCH_HEADERS`; a branch on no chain shows "—".
    """
    chain_names = {c.chain_id: c.name(lang) for c in chains(bundle)}
    return pd.DataFrame(
        {
            "branch": [b.name(lang) for b in branches],
            "kind": [code_label(BRANCH_KIND_LABELS, b.branch_kind, lang) for b in branches],
            "members": [b.members for b in branches],
            "groups": [len(b.children) for b in branches],
            "group_members": [sum(g.members for g in b.children) for b in branches],
            "chain": [chain_names.get(b.chain_id, "—") for b in branches],
        },
        columns=list(BRANCH_HEADERS),
    )


def uncovered_table(bundle: Bundle, missing: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The sites still without a Party group, to read: name, kind, village, households.

    Parameters
    ----------
    missing : pandas.DataFrame
        :func:`township_atlas.views.organisation.uncovered_sites`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`UNCOVERED_HEADERS`; a site without an English name keeps its
        Chinese one.
    """
    return pd.DataFrame(
        {
            "site": [
                pick(lang, zh, en if isinstance(en, str) else "", fallback=True)
                for zh, en in zip(missing["name_zh"], missing["name_en"], strict=True)
            ],
            "kind": [code_label(SITE_KIND_LABELS, k, lang) for k in missing["kind"]],
            "village": [bundle.village_name(v, lang) for v in missing["village_code"]],
            "households": missing["households"].to_numpy(),
        },
        columns=list(UNCOVERED_HEADERS),
    )


def chain_table(chain_list: list[Chain], lang: str) -> pd.DataFrame:
    """One row per chain: its name, its stages in order, the branches built on it.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CHAIN_HEADERS`; a chain no branch stands on says so.
    """
    return pd.DataFrame(
        {
            "chain": [c.name(lang) for c in chain_list],
            "stages": [" → ".join(s.stage(lang) for s in c.stages) for c in chain_list],
            "branches": [
                "、".join(b.name(lang) for b in c.branches) or tr("no_chain_branch", lang)
                for c in chain_list
            ],
        },
        columns=list(CHAIN_HEADERS),
    )
