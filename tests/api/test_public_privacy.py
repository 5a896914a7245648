"""No personal data in public output: a crawl of every unauthenticated GET finds no trace of a planted reporter.

The reporter's name, phone and e-mail are searched in every form they could be rendered in (as typed, E.164,
without the trunk 0, any letter case, with or without Vietnamese diacritics, URL- or JSON-escaped), and so are
the original description and exact address that the IOC replaced when publishing.
"""

from __future__ import annotations

import contextlib
import html
import io
import itertools
import json
import re
import unicodedata
import zipfile
from typing import Any
from urllib.parse import unquote_plus

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from paht.models import Attachment
from tests.api.test_permissions import BODY_B, World, walk_routes

NAME = "Lưu Quỳnh Khuê"
PHONE = "0905 111 222"
EMAIL = "Khue.Planted@Example.VN"
ADDRESS = "Kiệt 42/7 Nguyễn Trãi, phường Tây Lộc"
DESCRIPTION = "Cống thoát nước trước nhà bị tắc ba ngày nay, nước thải tràn vào sân; gọi tôi số 0905 111 222."
LAT, LON = 16.471234, 107.583456
RESULT_NAMING_THE_REPORTER = "Đã nạo vét cống; đã gọi chị Lưu Quỳnh Khuê (0905 111 222) xác nhận."

CONTACT: dict[str, list[str]] = {
    "name": [NAME, unicodedata.normalize("NFD", NAME), NAME.upper(), "Luu Quynh Khue"],
    "phone": [PHONE, "0905111222", "+84905111222", "+84 905 111 222", "84905111222", "905111222", "0905-111-222"],
    "email": [EMAIL, EMAIL.lower(), EMAIL.upper(), "khue.planted%40example.vn", "khue.planted"],
}
ORIGINALS: dict[str, list[str]] = {
    "address": [ADDRESS, "Kiệt 42/7 Nguyễn Trãi"],
    "description": [DESCRIPTION, "nước thải tràn vào sân"],
    "result": [RESULT_NAMING_THE_REPORTER],
}
PUBLIC_NEVER = CONTACT | ORIGINALS
EXACT_COORDINATES = ("16.4712", "107.5834")  # public locations are rounded to 3 decimals

SUBMISSION = {
    "title": "Cống thoát nước bị tắc",
    "description": DESCRIPTION,
    "location": {"lat": LAT, "lon": LON, "address": ADDRESS},
    "reporter": {"name": NAME, "phone": PHONE, "email": EMAIL},
}
IOC_EDITS = {
    "title": "Nạo vét cống thoát nước đường Nguyễn Trãi",
    "description": "Cống thoát nước trên đường Nguyễn Trãi bị tắc, gây ngập cục bộ.",
    "result": "Đã nạo vét, thông cống.",
}
PAYLOADS = {"submit_result": {"result": RESULT_NAMING_THE_REPORTER}, "publish": IOC_EDITS}


def fold(text: str) -> str:
    """Case-, diacritic- and separator-insensitive form: 'Lưu Quỳnh Khuê' and 'LUU-QUYNH KHUE' fold alike."""
    stripped = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[\s.\-()]", "", stripped.replace("đ", "d").replace("Đ", "D").casefold())


def find_leaks(text: str, groups: dict[str, list[str]], *, exact: tuple[str, ...] = ()) -> list[str]:
    """Which planted forms appear in `text`; `exact` strings are matched as they are (coordinates)."""
    views = [text, unquote_plus(text)]
    with contextlib.suppress(ValueError):  # JSON may escape non-ASCII characters as \\uXXXX
        views.append(json.dumps(json.loads(text), ensure_ascii=False))
    folded = "\n".join(fold(view) for view in views)
    found = [f"{label} «{form}»" for label, forms in groups.items() for form in forms if fold(form) in folded]
    # A clock time can spell a coordinate ("…T10:36:16.471234Z" holds 16.4712, as every page's
    # data-server-now once did in CI): times are taken out before the exact forms are looked for.
    timeless = CLOCK_TIME.sub("", text)
    return found + [f"exact «{c}»" for c in exact if c in timeless]


CLOCK_TIME = re.compile(r"\d{2}:\d{2}:\d{2}(?:\.\d+)?")


def jpeg_with_metadata() -> bytes:
    """A phone photo whose EXIF names the reporter and holds the exact GPS position."""
    exif = Image.Exif()
    exif[0x013B] = "Luu Quynh Khue"  # Artist
    exif[0x010E] = "goi 0905 111 222"  # ImageDescription
    exif.get_ifd(0x8825).update({1: "N", 2: (16.0, 28.0, 16.44), 3: "E", 4: (107.0, 35.0, 0.44)})
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 110, 180)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def plant_reports(world: World) -> dict[str, dict[str, Any]]:
    """The planted reporter's reports in every state, through every way in; published ones edited by the IOC."""
    made = {}
    for state in ("received", "dispatched", "processing", "returned", "awaiting_approval", "approved", "rejected"):
        made[state] = world.report(state, by="anonymous", submission=SUBMISSION, payloads=PAYLOADS)
    made["duplicate"] = world.report("duplicate", BODY_B, by="anonymous", submission=SUBMISSION, payloads=PAYLOADS)
    made["published"] = world.report("published", by="citizen", submission=SUBMISSION, payloads=PAYLOADS)
    made["published_with_photo"] = world.report(
        "published", BODY_B, by="anonymous", photo=jpeg_with_metadata(), submission=SUBMISSION, payloads=PAYLOADS
    )
    hotline = SUBMISSION | {"channel": "hotline", "anonymous": True}
    made["hotline"] = world.report("processing", by="ioc_operator", submission=hotline, payloads=PAYLOADS)
    reopened = world.report("published", by="anonymous", submission=SUBMISSION, payloads=PAYLOADS)
    made["reopened"] = world.flow.act(reopened, "ioc_operator", "reopen", reason="Người dân báo cống lại tắc")
    rated = world.client.post(
        f"/api/v1/reports/{made['published']['id']}/rating",
        json={"rating": 2, "comment": f"Tôi là {NAME}, gọi {PHONE} nếu cần"},
        headers=world.headers("citizen"),
    )
    assert rated.status_code == 200, rated.text
    return made


def fillers(world: World, made: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Values for every path parameter a GET route may take; a route with another parameter fails the crawl."""
    with world.db.read() as session:
        photos = [str(a) for a in session.scalars(select(Attachment.id))]
    codes = [r["code"] for r in made.values()]
    categories = [c["code"] for c in world.client.get("/api/v1/categories").json()]
    return {
        "code": codes + [c.lower().replace("-", " ") for c in codes],  # as a citizen might type it
        "service_request_id": codes,
        "report_id": [r["id"] for r in made.values()],
        "attachment_id": photos,
        "fmt": ["json", "xml", "csv", "xlsx", "geojson"],
        "service_code": categories[:3],
        "token": ["khong-co-ma-nay"],
        "lang": ["vi", "en"],
        "rule_id": ["1"],
    }


def query_variants(
    path: str, route: Any, values: dict[str, list[str]], *, english: bool = True
) -> list[dict[str, str]]:
    declared = {param.alias for param in getattr(getattr(route, "dependant", None), "query_params", [])}
    variants: list[dict[str, str]] = [{}, {"lang": "en"}] if english else [{}]
    variants += [{"limit": "1"}] if "limit" in declared else []
    variants += [{"code": code} for code in values["code"]] if "code" in declared else []
    if path.startswith("/open311/"):  # Open311 reads its arguments from the query string itself
        variants += [{"extensions": "true"}, {"service_request_id": ",".join(values["service_request_id"])}]
    return variants


def crawl(
    app: Any,
    values: dict[str, list[str]],
    *,
    headers: dict[str, str] | None = None,
    under: str = "/",
    english: bool = True,
) -> dict[str, Any]:
    """GET every route under `under` (without credentials unless `headers`), with every parameter value,
    following pagination cursors; each URL in Vietnamese and, with `english`, in English too."""
    seen = {}
    client = TestClient(app, raise_server_exceptions=False, headers=headers)  # record a crash, go on crawling
    for method, path, route in walk_routes(app.routes):
        names = re.findall(r"{(\w+)}", path)
        if method != "GET" or not path.startswith(under):
            continue
        unknown = [n for n in names if n not in values]
        assert not unknown, f"GET {path}: add values for {unknown} to fillers()"
        for combination in itertools.product(*(values[n] for n in names)):
            url = path.format(**dict(zip(names, combination, strict=True)))
            for params in query_variants(path, route, values, english=english):
                while True:
                    response = client.get(url, params=params)
                    seen[f"{response.request.url}"] = response
                    cursor = _next_cursor(response)
                    if cursor is None:
                        break
                    params = params | {"cursor": cursor}
    return seen


def _next_cursor(response: Any) -> str | None:
    if not response.headers.get("content-type", "").startswith("application/json") or response.status_code != 200:
        return None
    body = response.json()
    return body.get("next_cursor") if isinstance(body, dict) else None


def readable(response: Any) -> str:
    """What a reader of the response could see: the text, inside spreadsheets (zip) too, HTML entities decoded."""
    content = response.content
    if content.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    if response.headers.get("content-type", "").startswith("image/"):
        return content.decode("latin-1")
    return response.text + "\n" + html.unescape(response.text)


def test_public_endpoints_never_show_the_reporter_or_the_text_the_ioc_replaced(client, personas, db, app):
    world = World(client, personas, db)
    made = plant_reports(world)
    seen = crawl(app, fillers(world, made))

    leaks = [
        f"{url}: {found}"
        for url, response in seen.items()
        if (found := find_leaks(readable(response), PUBLIC_NEVER, exact=EXACT_COORDINATES))
    ]
    staff_view = client.get(f"/api/v1/reports/{made['published']['id']}", headers=personas["ioc_operator"]).text
    assert {f.split()[0] for f in find_leaks(staff_view, PUBLIC_NEVER)} >= {"name", "phone", "email", "address"}
    assert not leaks, "\n" + "\n".join(leaks)
    # The crawl did reach the published results, their photos and every tracking page.
    published = {made[k]["code"] for k in ("published", "published_with_photo")}
    listed = {item["code"] for item in seen["http://testserver/api/v1/public/reports"].json()["items"]}
    assert listed == published
    for report in made.values():
        assert seen[f"http://testserver/api/v1/track/{report['code']}"].status_code == 200
    public = seen[f"http://testserver/api/v1/public/reports/{made['published']['code']}"].json()
    assert public["description"] == IOC_EDITS["description"]
    assert (public["lat"], public["lon"]) == (round(LAT, 3), round(LON, 3))
    photo_urls = [u for u, r in seen.items() if "/public/attachments/" in u and r.status_code == 200]
    assert photo_urls, "the published photo was not reachable"
    crashes = sorted(url for url, response in seen.items() if response.status_code >= 500)
    assert not crashes, "public pages that crash:\n" + "\n".join(crashes)


def test_public_photos_carry_no_metadata_while_the_staff_original_keeps_it(client, personas, db):
    world = World(client, personas, db)
    report = world.report("published", by="anonymous", photo=jpeg_with_metadata(), submission=SUBMISSION)
    photo = client.get(f"/api/v1/public/reports/{report['code']}").json()["photos"][0]
    public = client.get(photo["url"])
    assert public.status_code == 200
    assert public.headers["content-type"] == "image/jpeg"
    assert b"Exif" not in public.content
    assert b"Luu Quynh Khue" not in public.content and b"0905 111 222" not in public.content
    assert not Image.open(io.BytesIO(public.content)).getexif()
    original = client.get(
        f"/api/v1/reports/{report['id']}/attachments/{photo['id']}?original=true", headers=personas["ioc_operator"]
    )
    assert b"Luu Quynh Khue" in original.content  # the metadata was really there to strip


def test_public_search_does_not_match_the_reporter_or_the_replaced_text(client, personas, db, app):
    parameters = app.openapi()["paths"]["/api/v1/public/reports"]["get"].get("parameters", [])
    if "q" not in {p["name"] for p in parameters}:
        pytest.skip("the public list has no search parameter yet")
    world = World(client, personas, db)
    world.report("published", by="anonymous", submission=SUBMISSION, payloads=PAYLOADS)
    edited = client.get("/api/v1/public/reports", params={"q": "nạo vét cống"}).json()["items"]
    assert len(edited) == 1, "searching the published text should find the report"
    for label, forms in PUBLIC_NEVER.items():
        for form in forms:
            items = client.get("/api/v1/public/reports", params={"q": form}).json()["items"]
            assert items == [], f"public search for the {label} «{form}» matched a published report"


def test_a_title_made_from_the_description_uses_the_ioc_edited_description(client, personas, db):
    """A reporter who gave no title: when the IOC rewrites the description, the public title must not quote the
    original description (it may hold the reporter's phone, as here)."""
    world = World(client, personas, db)
    untitled = SUBMISSION | {"title": None}
    edits = {"publish": {"description": IOC_EDITS["description"]}}
    report = world.report("published", by="anonymous", submission=untitled, payloads=edits)
    public = client.get(f"/api/v1/public/reports/{report['code']}")
    assert find_leaks(public.text, PUBLIC_NEVER, exact=EXACT_COORDINATES) == []
    assert public.json()["description"] == IOC_EDITS["description"]
