"""search index, areas and report places, routing rules and models, "me too" supporters

The search index's engine-specific parts are created here only (not in the ORM models): on SQLite an
FTS5 external-content table over `report_search` kept by triggers; on PostgreSQL generated tsvector
columns with GIN indexes. Existing reports are indexed at the end.

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-28 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

FTS5 = [
    "CREATE VIRTUAL TABLE report_search_fts USING fts5(staff_folded, public_folded, content='report_search', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0', detail=full)",
    "CREATE TRIGGER report_search_ai AFTER INSERT ON report_search BEGIN "
    "INSERT INTO report_search_fts(rowid, staff_folded, public_folded) "
    "VALUES (new.id, new.staff_folded, new.public_folded); END",
    "CREATE TRIGGER report_search_ad AFTER DELETE ON report_search BEGIN "
    "INSERT INTO report_search_fts(report_search_fts, rowid, staff_folded, public_folded) "
    "VALUES ('delete', old.id, old.staff_folded, old.public_folded); END",
    "CREATE TRIGGER report_search_au AFTER UPDATE ON report_search BEGIN "
    "INSERT INTO report_search_fts(report_search_fts, rowid, staff_folded, public_folded) "
    "VALUES ('delete', old.id, old.staff_folded, old.public_folded); "
    "INSERT INTO report_search_fts(rowid, staff_folded, public_folded) "
    "VALUES (new.id, new.staff_folded, new.public_folded); END",
]
TSVECTOR = [
    "ALTER TABLE report_search ADD COLUMN staff_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, staff_folded)) STORED",
    "ALTER TABLE report_search ADD COLUMN public_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, public_folded)) STORED",
    "CREATE INDEX ix_report_search_staff_tsv ON report_search USING gin (staff_tsv)",
    "CREATE INDEX ix_report_search_public_tsv ON report_search USING gin (public_tsv)",
]


def _areas() -> None:
    op.create_table(
        "areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("min_lon", sa.Double(), nullable=False),
        sa.Column("min_lat", sa.Double(), nullable=False),
        sa.Column("max_lon", sa.Double(), nullable=False),
        sa.Column("max_lat", sa.Double(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_areas_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_areas")),
        sa.UniqueConstraint("code", name=op.f("uq_areas_code")),
    )
    op.create_index("ix_areas_bbox", "areas", ["min_lon", "max_lon", "min_lat", "max_lat"])
    op.create_index(op.f("ix_areas_organization_id"), "areas", ["organization_id"])
    op.create_table(
        "report_places",
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_report_places_area_id_areas")),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_report_places_report_id_reports")),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_report_places")),
    )
    op.create_index(op.f("ix_report_places_area_id"), "report_places", ["area_id"])


def _routing() -> None:
    op.create_table(
        "routing_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_routing_rules_area_id_areas")),
        sa.ForeignKeyConstraint(
            ["category_id"], ["categories.id"], name=op.f("fk_routing_rules_category_id_categories")
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_routing_rules_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_routing_rules_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rules")),
    )
    op.create_index("ix_routing_rules_match", "routing_rules", ["category_id", "area_id"])
    op.create_table(
        "routing_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("examples", sa.Integer(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_models")),
    )
    op.create_index("ix_routing_models_kind", "routing_models", ["kind", "id"])
    op.create_table(
        "report_supporters",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("device_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_report_supporters_report_id_reports")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_report_supporters_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_supporters")),
        sa.UniqueConstraint("report_id", "device_hash", name="uq_report_supporters_device"),
        sa.UniqueConstraint("report_id", "user_id", name="uq_report_supporters_user"),
    )
    op.create_index(op.f("ix_report_supporters_report_id"), "report_supporters", ["report_id"])


def _search() -> None:
    op.create_table(
        "report_search",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("staff_raw", sa.Text(), nullable=False),
        sa.Column("staff_folded", sa.Text(), nullable=False),
        sa.Column("public_raw", sa.Text(), nullable=False),
        sa.Column("public_folded", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_report_search_report_id_reports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_search")),
        sa.UniqueConstraint("report_id", name=op.f("uq_report_search_report_id")),
    )
    for statement in FTS5 if op.get_bind().dialect.name == "sqlite" else TSVECTOR:
        op.execute(statement)


def _index_existing_reports() -> None:
    from paht.search.text import indexed

    connection = op.get_bind()
    reports = sa.table(
        "reports",
        *(
            sa.column(name)
            for name in (
                "code",
                "title",
                "description",
                "address",
                "result",
                "approved_result",
                "public_title",
                "public_description",
                "public_result",
            )
        ),
        sa.column("id", sa.Uuid()),
    )
    search = sa.table(
        "report_search",
        sa.column("report_id", sa.Uuid()),
        *(sa.column(n) for n in ("staff_raw", "staff_folded", "public_raw", "public_folded")),
    )
    rows = []
    for r in connection.execute(sa.select(reports)).mappings():
        staff = [r["code"], r["title"], r["description"], r["address"], r["result"], r["approved_result"]]
        public = [r["public_title"], r["public_description"], r["public_result"]]
        staff_raw, staff_folded = indexed(staff + public)
        public_raw, public_folded = indexed(public)
        rows.append(
            {
                "report_id": r["id"],
                "staff_raw": staff_raw,
                "staff_folded": staff_folded,
                "public_raw": public_raw,
                "public_folded": public_folded,
            }
        )
        if len(rows) >= 1000:
            connection.execute(search.insert(), rows)
            rows = []
    if rows:
        connection.execute(search.insert(), rows)


def upgrade() -> None:
    _areas()
    _routing()
    _search()
    _index_existing_reports()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("report_search_ai", "report_search_ad", "report_search_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS report_search_fts")
    for name in ("report_search", "report_supporters", "routing_models", "routing_rules", "report_places", "areas"):
        op.drop_table(name)
