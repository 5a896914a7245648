from pathlib import Path

from paht.workflow.diagram import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "workflow.md"


def test_docs_workflow_md_is_generated_from_the_table():
    assert DOC.read_text(encoding="utf-8") == render(), "docs/workflow.md is stale: run `paht workflow-docs`"


def test_every_transition_appears_in_the_diagram():
    text = render()
    assert "awaiting_approval --> approved: approve (leader)" in text
    assert "approved --> processing: send_back (ioc_editor)" in text
    assert "published --> dispatched: reopen (ioc_operator)" in text
