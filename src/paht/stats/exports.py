"""CSV and XLSX exports of reports and of statistics, streamed so that a million rows use flat memory.

Rows come from a server-side cursor in batches (`yield_per`) as plain tuples, never ORM objects; CSV is
written a batch at a time; XLSX goes through openpyxl's write-only workbook into a temporary file that is
then streamed and deleted. Which reports and columns: the caller's visibility scope decides the rows;
anonymous callers get published reports' public text only; reporter contacts only for IOC staff who ask.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from paht.auth.actor import Actor
from paht.config import Settings
from paht.db import Database
from paht.errors import NotPermitted
from paht.models import Category, Organization, Report
from paht.reports.audit import record_contact_view
from paht.reports.queries import visible
from paht.stats.definitions import zone
from paht.workflow.states import LABELS as STATE_LABELS
from paht.workflow.states import ReportState

log = logging.getLogger("paht.stats.exports")

BATCH = 2000
CHUNK_BYTES = 64 * 1024
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-][0-9 ().]*\Z")  # a phone number such as +84905111222 is no formula
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Column:
    key: str
    vi: str
    en: str

    def header(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


@dataclass(frozen=True)
class Table:
    """An export: its columns and a generator of rows (plain Python values)."""

    name: str
    columns: Sequence[Column]
    rows: Callable[[], Iterator[Sequence[Any]]]


@dataclass(frozen=True)
class ReportExportFilter:
    created_from: date | None = None
    created_to: date | None = None
    state: Sequence[str] | None = None
    organization_id: int | None = None
    category_id: int | None = None


PUBLIC = "public"
STAFF = "staff"
CONTACTS = "contacts"

C = Column
COMMON = [
    C("code", "Mã phản ánh", "Tracking code"),
    C("state", "Trạng thái", "State"),
    C("category", "Lĩnh vực", "Category"),
    C("organization", "Đơn vị xử lý", "Handling body"),
    C("urgent", "Khẩn cấp", "Urgent"),
]
PUBLIC_COLUMNS = [
    *COMMON,
    C("public_title", "Tiêu đề", "Title"),
    C("public_description", "Nội dung", "Description"),
    C("public_result", "Kết quả xử lý", "Result"),
    C("lat", "Vĩ độ", "Latitude"),
    C("lon", "Kinh độ", "Longitude"),
    C("created_at", "Thời điểm tiếp nhận", "Received at"),
    C("published_at", "Thời điểm công khai", "Published at"),
    C("rating", "Đánh giá", "Rating"),
]
STAFF_COLUMNS = [
    *COMMON,
    C("channel", "Kênh", "Channel"),
    C("title", "Tiêu đề", "Title"),
    C("description", "Nội dung", "Description"),
    C("address", "Địa chỉ", "Address"),
    C("lat", "Vĩ độ", "Latitude"),
    C("lon", "Kinh độ", "Longitude"),
    C("result", "Kết quả xử lý", "Result"),
    C("created_at", "Thời điểm tiếp nhận", "Received at"),
    C("dispatched_at", "Thời điểm chuyển xử lý", "Dispatched at"),
    C("published_at", "Thời điểm công khai", "Published at"),
    C("closed_at", "Thời điểm đóng", "Closed at"),
    C("rating", "Đánh giá", "Rating"),
]
CONTACT_COLUMNS = [
    C("reporter_name", "Người phản ánh", "Reporter"),
    C("reporter_phone", "Điện thoại", "Phone"),
    C("reporter_email", "Email", "E-mail"),
    C("anonymous", "Ẩn danh", "Anonymous"),
]
SOURCE = {  # export column → Report column it reads
    "code": Report.code,
    "state": Report.state,
    "category": Report.category_id,
    "organization": Report.current_organization_id,
    "urgent": Report.urgent,
    "public_title": Report.public_title,
    "public_description": Report.public_description,
    "public_result": Report.public_result,
    "lat": Report.lat,
    "lon": Report.lon,
    "created_at": Report.created_at,
    "published_at": Report.published_at,
    "rating": Report.rating,
    "channel": Report.channel,
    "title": Report.title,
    "description": Report.description,
    "address": Report.address,
    "result": Report.approved_result,
    "dispatched_at": Report.dispatched_at,
    "closed_at": Report.closed_at,
    "reporter_name": Report.reporter_name,
    "reporter_phone": Report.reporter_phone,
    "reporter_email": Report.reporter_email,
    "anonymous": Report.anonymous,
}


def audience(actor: Actor, *, contacts: bool) -> str:
    """Which columns the caller gets; asking for contacts without an IOC role is refused."""
    if contacts and not actor.sees_contacts:
        raise NotPermitted("Chỉ cán bộ IOC được xuất thông tin người phản ánh (only IOC staff may export contacts).")
    if actor.is_anonymous:
        return PUBLIC
    return CONTACTS if contacts else STAFF


def report_columns(kind: str) -> list[Column]:
    if kind == PUBLIC:
        return PUBLIC_COLUMNS
    return STAFF_COLUMNS + (CONTACT_COLUMNS if kind == CONTACTS else [])


def _query(actor: Actor, kind: str, columns: Sequence[Column], f: ReportExportFilter, timezone: str) -> Select:
    query = select(*(SOURCE[c.key] for c in columns), Report.result)
    # Anonymous callers see published reports only; everyone else their visibility scope.
    query = query.where(Report.state == ReportState.published if kind == PUBLIC else visible(actor))
    if f.created_from is not None:
        query = query.where(Report.created_at >= _local_midnight(f.created_from, timezone))
    if f.created_to is not None:
        query = query.where(Report.created_at < _local_midnight(f.created_to + timedelta(days=1), timezone))
    if f.state:
        query = query.where(Report.state.in_(list(f.state)))
    if f.organization_id is not None:
        query = query.where(Report.current_organization_id == f.organization_id)
    if f.category_id is not None:
        query = query.where(Report.category_id == f.category_id)
    return query.order_by(Report.created_at, Report.id)


def _local_midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone(timezone))


def reports_table(
    db: Database, actor: Actor, settings: Settings, *, kind: str, filters: ReportExportFilter, lang: str
) -> Table:
    columns = report_columns(kind)
    decimals = settings.public_location_decimals

    code_index = [c.key for c in columns].index("code")

    def rows() -> Iterator[Sequence[Any]]:
        exported: list[str] = []
        with db.reader() as session:
            names = _names(session, lang)
            query = _query(actor, kind, columns, filters, settings.timezone).execution_options(yield_per=BATCH)
            for row in session.execute(query):
                values = zip(columns, row, strict=False)  # the row ends with the officer's result
                yield [_cell(c.key, value, row, names, kind, decimals, lang) for c, value in values]
                if kind == CONTACTS:
                    exported.append(row[code_index])
                    if len(exported) >= BATCH:
                        _audit_contact_export(db, actor, exported)
                        exported = []
        if kind == CONTACTS:
            _audit_contact_export(db, actor, exported)
            log.info("report export with reporter contacts by user %s", actor.user_id)

    return Table("reports", columns, rows)


def _audit_contact_export(db: Database, actor: Actor, codes: list[str]) -> None:
    """Every staff read of reporter contact details is audited, an export's rows included (one event each)."""
    if not codes:
        return
    with db.write() as session:
        for report in session.scalars(select(Report).where(Report.code.in_(codes))):
            record_contact_view(session, report, actor, purpose="export:reports")


def _names(session: Session, lang: str) -> dict[str, dict[int, str]]:
    orgs = {o.id: (o.name_en or o.name) if lang == "en" else o.name for o in session.scalars(select(Organization))}
    cats = {c.id: c.name_en if lang == "en" else c.name for c in session.scalars(select(Category))}
    return {"organization": orgs, "category": cats}


def _cell(key: str, value: Any, row: Any, names: dict, kind: str, decimals: int, lang: str) -> Any:
    if key in ("organization", "category"):
        return names[key].get(value) if value is not None else None
    if key == "state":
        vi, en = STATE_LABELS[ReportState(value)]
        return en if lang == "en" else vi
    if key in ("lat", "lon") and value is not None and kind == PUBLIC:
        return round(value, decimals)
    if key == "result":
        return value or row[-1]  # the approved result, else the officer's
    if isinstance(value, bool):
        return ("yes" if value else "no") if lang == "en" else ("có" if value else "không")
    return value


# --- writing -----------------------------------------------------------------------------------------


def _plain(value: Any, timezone: str) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(zone(timezone)).replace(tzinfo=None)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def csv_stream(table: Table, lang: str, timezone: str) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # so that spreadsheet programs read the Vietnamese as UTF-8
    writer.writerow([c.header(lang) for c in table.columns])
    for row in table.rows():
        writer.writerow([_csv_value(v, timezone) for v in row])
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _csv_value(value: Any, timezone: str) -> Any:
    value = _plain(value, timezone)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value):
        return "'" + value  # a leading = + - @ would run as a formula in a spreadsheet (CSV injection)
    return value


def xlsx_stream(table: Table, lang: str, timezone: str) -> Iterator[bytes]:
    handle, path = tempfile.mkstemp(prefix="paht-export-", suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(table, lang, timezone, path)
        with open(path, "rb") as stream:
            while chunk := stream.read(CHUNK_BYTES):
                yield chunk
    finally:
        os.unlink(path)


def write_xlsx(table: Table, lang: str, timezone: str, path: str) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.name)
    sheet.append([c.header(lang) for c in table.columns])
    for row in table.rows():
        sheet.append([_xlsx_cell(sheet, v, timezone) for v in row])
    workbook.save(path)


def _xlsx_cell(sheet: Any, value: Any, timezone: str) -> Any:
    value = _plain(value, timezone)
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, never a formula
        return cell
    return value


def stream(table: Table, fmt: str, lang: str, timezone: str) -> Iterator[bytes]:
    return csv_stream(table, lang, timezone) if fmt == "csv" else xlsx_stream(table, lang, timezone)


def write_file(table: Table, fmt: str, lang: str, timezone: str, path: str) -> None:
    if fmt == "xlsx":
        write_xlsx(table, lang, timezone, path)
        return
    with open(path, "wb") as out:
        for chunk in csv_stream(table, lang, timezone):
            out.write(chunk)


def rows_of(items: Iterable[Sequence[Any]]) -> Callable[[], Iterator[Sequence[Any]]]:
    return lambda: iter(items)
