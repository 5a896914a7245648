"""PostgreSQL: each two neighbouring words of the search texts as one token, indexed (issue 7, W4)

Every search of two or more words is a phrase ("le loi" means Lê Lợi, not Lê … lợi). PostgreSQL's GIN index
on the words finds the reports holding all of them and then rechecks each one's tsvector for adjacency: for
two common words ("lê", "lợi") that is most of a large city's reports, 0.4 s at 1,000,000 reports only to
learn that the phrase is common, 1.4 s per page in all. Here each pair of neighbouring folded words is one
more token ("le loi phuong" -> "leloi loiphuong", in a generated column with its own GIN index), so the
index answers the pairs directly and only the phrase's own matches are rechecked (paht.search.engine).

A pair token can equal a real word ("leloi"): such a row is only a candidate, the phrase check on the words'
own tsvector keeps the answer exact. SQLite needs none of this: FTS5 checks phrases inside its own index.

Revision ID: 0014
Revises: 0013
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

SCOPES = ("staff", "public")


def pairs_expression(column: str) -> str:
    """Words 1+2, 3+4, … then 2+3, 4+5, … of the space-separated folded text, each pair run together."""
    odd = rf"regexp_replace({column}, '(\S+) (\S+)', '\1\2', 'g')"
    even = rf"regexp_replace(regexp_replace({column}, '^\S+ ?', ''), '(\S+) (\S+)', '\1\2', 'g')"
    return f"to_tsvector('simple'::regconfig, {odd} || ' ' || {even})"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for scope in SCOPES:
        op.execute(
            f"ALTER TABLE report_search ADD COLUMN {scope}_pairs tsvector "
            f"GENERATED ALWAYS AS ({pairs_expression(f'{scope}_folded')}) STORED"
        )
        op.execute(f"CREATE INDEX ix_report_search_{scope}_pairs ON report_search USING gin ({scope}_pairs)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for scope in SCOPES:
        op.execute(f"ALTER TABLE report_search DROP COLUMN {scope}_pairs")  # drops its index too
