"""Graphviz DOT for the organisation tree and the industry chains (for ``st.graphviz_chart``).

Names come from the data, so every label is escaped for a DOT quoted string: a quote or
backslash in a name can neither end the string nor start an escape sequence (``\\l``,
``\\N`` …), and line breaks are flattened. Node ids are generated, never taken from the
data. Graphviz draws labels as SVG text, never as HTML.
"""

from __future__ import annotations

from itertools import pairwise

from township_atlas.views.charts import CATEGORICAL, PARTY_RED, TARGET_GREY
from township_atlas.views.organisation import Chain, OrgNode, walk

FONT = "Noto Sans CJK SC"
# Fill colours by organisation level / branch kind (the committee in Party red).
FILLS = {
    "committee": PARTY_RED,
    "rural": "#FBE3E3",
    "other_branch": "#F6F3EE",
    "group": "#FFFFFF",
}
NEWLINE = "\\n"  # DOT's line break inside a quoted label


def dot_text(text: object) -> str:
    """``text`` as the body of a DOT double-quoted string."""
    flat = " ".join(str(text).split())
    return flat.replace("\\", "\\\\").replace('"', '\\"')


def _label(lines: list[str]) -> str:
    return NEWLINE.join(dot_text(line) for line in lines)


def node_width(lines: list[str], fontsize: float) -> float:
    """A node's minimum width in inches for its label.

    Graphviz (WASM in the browser) measures text with Latin font metrics, so Chinese
    labels would overflow their boxes; a CJK character is about one em wide, others
    about half an em.
    """
    ems = max((sum(1.0 if ord(ch) > 0x2E7F else 0.55 for ch in line) for line in lines), default=0)
    return round(ems * fontsize / 72 + 0.3, 2)


def org_tree_dot(roots: list[OrgNode], lang: str, members_label: str, committee_label: str) -> str:
    """The committee → branches → groups tree, left to right.

    Parameters
    ----------
    roots : from :func:`township_atlas.views.organisation.org_tree`
    lang : "zh" or "en" (which name to show)
    members_label : format string for a member count, e.g. "{n} 名党员"
    committee_label : format string for the committee's second line, with ``{branches}``
        and ``{n}`` (the members of its branches), e.g. "{branches} 个支部 · {n} 名党员"
    """
    out = [
        "digraph org {",
        "rankdir=LR; nodesep=0.1; ranksep=0.5; bgcolor=transparent;",
        f'node [shape=box, style="rounded,filled", fontname="{FONT}", '
        f'color="{TARGET_GREY}", penwidth=0.8, margin="0.1,0.03", height=0.4];',
        f'edge [color="{TARGET_GREY}", arrowsize=0.5];',
    ]
    ids: dict[int, str] = {}
    edges: list[tuple[str, str]] = []
    stack: list[tuple[int, str]] = []  # (depth, node id) of the current path
    for index, (depth, node) in enumerate(walk(roots)):
        node_id = f"n{index}"
        ids[id(node)] = node_id
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            edges.append((stack[-1][1], node_id))
        stack.append((depth, node_id))
        if node.level == "committee":
            second = committee_label.format(
                branches=len(node.children), n=sum(c.members for c in node.children)
            )
        else:
            second = members_label.format(n=node.members)
        text = [node.name(lang), second]
        # Sizes read on a projector at the graph's natural size.
        fontsize = {"committee": 15, "branch": 14}.get(node.level, 12)
        if node.level == "committee":
            style = f'fillcolor="{FILLS["committee"]}", fontcolor="white", color="{PARTY_RED}"'
        elif node.level == "branch":
            fill = FILLS["rural"] if node.branch_kind == "rural" else FILLS["other_branch"]
            style = f'fillcolor="{fill}", color="{PARTY_RED}"'
        else:
            style = f'fillcolor="{FILLS["group"]}"'
        out.append(
            f'{node_id} [label="{_label(text)}", width={node_width(text, fontsize)}, '
            f"fontsize={fontsize}, {style}];"
        )
    out.extend(f"{a} -> {b};" for a, b in edges)
    out.append("}")
    return "\n".join(out)


def chains_dot(chains: list[Chain], lang: str, built_on_label: str) -> str:
    """Each chain as a row of stages (stage name and site), with the branches built on it.

    ``built_on_label`` labels the dashed edge from a branch to its chain (e.g. "建在产业链上").
    """
    out = [
        "digraph chains {",
        "rankdir=LR; nodesep=0.2; ranksep=0.35; bgcolor=transparent; newrank=true;",
        f'node [shape=box, style="rounded,filled", fontname="{FONT}", fontsize=12, '
        f'fillcolor="white", color="{TARGET_GREY}", penwidth=0.8];',
        f'edge [color="{TARGET_GREY}", arrowsize=0.6, fontname="{FONT}", fontsize=11];',
    ]
    for ci, chain in enumerate(chains):
        colour = CATEGORICAL[ci % len(CATEGORICAL)]
        out.append(f"subgraph cluster_{ci} {{")
        out.append(
            f'label="{dot_text(chain.name(lang))}"; fontname="{FONT}"; '
            f'labeljust=l; style="rounded"; color="{colour}"; penwidth=1.5; fontsize=14;'
        )
        stage_ids = []
        for si, stage in enumerate(chain.stages):
            sid = f"c{ci}s{si}"
            stage_ids.append(sid)
            text = [f"{stage.seq}. {stage.stage(lang)}", stage.site_name(lang)]
            out.append(
                f'{sid} [label="{_label(text)}", width={node_width(text, 12)}, color="{colour}"];'
            )
        out.extend(f'{a} -> {b} [color="{colour}", penwidth=1.5];' for a, b in pairwise(stage_ids))
        for bi, branch in enumerate(chain.branches):
            bid = f"c{ci}b{bi}"
            fill = FILLS["rural"] if branch.branch_kind == "rural" else FILLS["other_branch"]
            name = branch.name(lang)
            out.append(
                f'{bid} [label="{dot_text(name)}", width={node_width([name], 12)}, '
                f'fillcolor="{fill}", color="{PARTY_RED}"];'
            )
            if stage_ids:
                out.append(
                    f'{bid} -> {stage_ids[0]} [style=dashed, color="{PARTY_RED}", '
                    f'label="{dot_text(built_on_label)}"];'
                )
        out.append("}")
    out.append("}")
    return "\n".join(out)
