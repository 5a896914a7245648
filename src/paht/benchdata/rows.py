"""The columns the generator fills, per table, and the batch it fills them into.

Column lists follow the models; the writer checks them against the live table so that a column added
by a later migration is either nullable (left empty, a filler may fill it) or reported clearly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

COLUMNS: dict[str, tuple[str, ...]] = {
    "reports": (
        "id", "code", "version", "state", "channel", "urgent", "title", "description", "category_id",
        "lat", "lon", "address", "reporter_user_id", "reporter_name", "reporter_phone", "reporter_email",
        "reporter_token_hash", "anonymous", "consent", "consent_notice_version", "created_by_id",
        "current_organization_id", "current_assignment_id", "duplicate_of_id", "close_reason", "result",
        "approved_result", "public_title", "public_description", "public_result", "rating", "rating_comment",
        "rated_at", "created_at", "updated_at", "dispatched_at", "closed_at", "published_at",
    ),
    "assignments": (
        "id", "report_id", "organization_id", "dispatched_by_id", "note", "dispatched_at", "ack_due_at",
        "acknowledged_at", "acknowledged_by_id", "ack_on_time", "returned_at", "return_reason",
        "suggested_organization_id", "resolve_due_at", "result_submitted_at", "result_submitted_by_id",
        "resolve_on_time", "send_backs", "approve_due_at", "approved_at", "approved_by_id", "approve_on_time",
        "publish_due_at", "published_at", "publish_on_time", "ended_at",
    ),
    "sla_clocks": (
        "id", "report_id", "assignment_id", "organization_id", "stage", "started_at", "due_at", "stopped_at",
        "breached_at",
    ),
    "events": (
        "id", "report_id", "kind", "action", "from_state", "to_state", "actor_id", "actor_role",
        "organization_id", "assignment_id", "payload", "created_at",
    ),
    "jobs": (
        "id", "kind", "payload", "status", "dedupe_key", "attempts", "run_after", "claimed_at", "claimed_by",
        "finished_at", "last_error", "created_at",
    ),
    "attachments": (
        "id", "report_id", "kind", "content_type", "original_path", "public_path", "size_bytes", "width",
        "height", "sha256", "uploaded_by_id", "created_at",
    ),
}  # fmt: skip

# Parents first, so that foreign keys hold at every commit.
TABLE_ORDER: tuple[str, ...] = ("reports", "assignments", "sla_clocks", "events", "jobs", "attachments")
# Tables whose integer ids the generator assigns itself (so that rows can reference each other).
COUNTED_TABLES: tuple[str, ...] = ("assignments", "sla_clocks", "events", "jobs")


@dataclass
class Batch:
    """Rows of several reports per table, one tuple per row in `columns[table]` order."""

    columns: dict[str, tuple[str, ...]]
    rows: dict[str, list[tuple]] = field(init=False)

    def __post_init__(self) -> None:
        self.rows = {table: [] for table in self.columns}

    def add(self, table: str, row: tuple) -> None:
        self.rows[table].append(row)

    def __len__(self) -> int:
        return sum(len(r) for r in self.rows.values())
