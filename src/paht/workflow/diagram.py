"""Render docs/workflow.md from the transition table (a test fails when the file is stale)."""

from __future__ import annotations

from paht.workflow.actions import LABELS as ACTION_LABELS
from paht.workflow.states import LABELS as STATE_LABELS
from paht.workflow.states import ReportState
from paht.workflow.transitions import TRANSITIONS


def render() -> str:
    lines = [
        "# The PAHT workflow",
        "",
        "Generated from `src/paht/workflow/transitions.py` by `paht workflow-docs`; do not edit by hand.",
        "",
        "```mermaid",
        "stateDiagram-v2",
        "    [*] --> received",
        "    [*] --> held",  # a reporter on the abuse list (paht.abuse.entries)
    ]
    for row in TRANSITIONS:
        roles = ", ".join(sorted(r.value for r in row.roles))
        for source in sorted(row.sources, key=list(ReportState).index):
            lines.append(f"    {source.value} --> {row.target.value}: {row.action.value} ({roles})")
    lines += ["    published --> [*]", "    rejected --> [*]", "    duplicate --> [*]", "```", ""]
    lines += ["| State | Nhãn | Label |", "|---|---|---|"]
    lines += [f"| `{s.value}` | {vi} | {en} |" for s, (vi, en) in STATE_LABELS.items()]
    lines += [
        "",
        "| Action | Nhãn | From | To | Roles | Who | Requires | Note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in TRANSITIONS:
        sources = ", ".join(f"`{s.value}`" for s in sorted(row.sources, key=list(ReportState).index))
        roles = ", ".join(f"`{r.value}`" for r in sorted(row.roles))
        requires = ", ".join(f"`{f}`" for f in row.requires) or "—"
        vi = ACTION_LABELS[row.action][0]
        lines.append(
            f"| `{row.action.value}` | {vi} | {sources} | `{row.target.value}` | {roles} | {row.scope.value} "
            f"| {requires} | {row.note or '—'} |"
        )
    return "\n".join(lines) + "\n"
