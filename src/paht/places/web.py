"""The public map page (/ban-do): published results on a Leaflet map, loaded by bounding box and clustered."""

from __future__ import annotations

from pathlib import Path

from fastapi.responses import FileResponse, Response
from sqlalchemy import select

from paht.deps import ReadSession
from paht.models import Category
from paht.web.context import PageViewer, render
from paht.web.routing import web_router

router = web_router()
SCRIPT = Path(__file__).with_name("public_map.js")

# The page's own words (the shared catalogue belongs to the web package): Vietnamese first.
TEXT = {
    "vi": {
        "title": "Bản đồ phản ánh",
        "intro": "Các phản ánh đã xử lý và công khai. Kéo, thu phóng bản đồ để xem khu vực khác.",
        "search": "Tìm kiếm",
        "placeholder": "ví dụ: đèn đường Lê Lợi",
        "category": "Lĩnh vực",
        "all": "Tất cả lĩnh vực",
        "submit": "Tìm",
        "precision": "Vị trí hiển thị với độ chính xác khoảng 100 m.",
        "shown": "Số phản ánh trên bản đồ:",
        "truncated": "Chỉ hiện các phản ánh mới nhất; hãy phóng to để xem thêm.",
        "list": "Xem dạng danh sách",
    },
    "en": {
        "title": "Map of reports",
        "intro": "Reports handled and published. Drag and zoom the map to see other places.",
        "search": "Search",
        "placeholder": "e.g. street light Lê Lợi",
        "category": "Category",
        "all": "All categories",
        "submit": "Search",
        "precision": "Places are shown at about 100 m precision.",
        "shown": "Reports on the map:",
        "truncated": "Only the newest reports are shown; zoom in to see more.",
        "list": "See them as a list",
    },
}


@router.get("/ban-do")
def public_map(viewer: PageViewer, session: ReadSession, q: str = "", category_id: str = "") -> Response:
    categories = [
        {"id": c.id, "name": (c.name_en or c.name) if viewer.lang == "en" else c.name}
        for c in session.scalars(select(Category).where(Category.active).order_by(Category.name))
    ]
    return render(
        viewer,
        "places/map.html",
        text=TEXT.get(viewer.lang, TEXT["vi"]),
        categories=categories,
        q=q[:200],
        category_id=category_id if category_id.isdigit() else "",
    )


@router.get("/ban-do/ban-do.js")
def public_map_script() -> Response:
    return FileResponse(SCRIPT, media_type="text/javascript", headers={"Cache-Control": "public, max-age=300"})
