"""The search index's content table: one row per report, the texts as the search engine sees them."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from paht.models.base import Base, BigId


class ReportSearch(Base):
    """Tokenised texts of a report, kept in step with it by `paht.search.index.sync_report`.

    `*_raw` keeps the diacritics (NFC, lower case, tone marks in one canonical place) for ranking exact
    matches first; `*_folded` has them removed and is what both engines index: on SQLite the FTS5 table
    `report_search_fts` (external content = this table, kept by triggers), on PostgreSQL the generated
    `staff_tsv`/`public_tsv` tsvector columns with GIN indexes. Those engine-specific objects live only
    in migration 0005, not in this model. `staff_*` covers what staff may search (the citizen's and the
    officer's text, the address, the code); `public_*` only the IOC-edited public text.
    """

    __tablename__ = "report_search"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    report_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("reports.id"), unique=True)
    staff_raw: Mapped[str] = mapped_column(Text, default="")
    staff_folded: Mapped[str] = mapped_column(Text, default="")
    public_raw: Mapped[str] = mapped_column(Text, default="")
    public_folded: Mapped[str] = mapped_column(Text, default="")
