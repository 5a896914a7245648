"""Vietnamese by default, English on request, every message translated, no text outside the catalogues."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "src" / "paht" / "locale"
TEMPLATES = ROOT / "src" / "paht" / "templates"
METHODS = [("src/paht/web/**.py", "python"), ("src/paht/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def _extracted() -> set[str]:
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), METHODS, {}, KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_message_has_a_vietnamese_translation_and_an_english_entry():
    messages = _extracted()
    assert len(messages) > 300
    with (LOCALE / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        vi = read_po(handle, locale="vi")
    with (LOCALE / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        en = read_po(handle, locale="en")
    untranslated = sorted(m for m in messages if not (vi.get(m) and vi.get(m).string and not vi.get(m).fuzzy))
    assert untranslated == [], "run `make messages` and translate these in vi/messages.po"
    assert sorted(m for m in messages if en.get(m) is None) == []


# What may appear as text in a template outside {{ _() }}: symbols, and the language switch's own names.
ALLOWED = re.compile(r"^[\s★☰✓—·→←↩+*:,()/–%…|\-\d]*$|^(VI|EN|PA|PA-…|· PAHT)$")


def test_templates_hold_no_text_outside_the_catalogues():
    offenders = []
    mine = [
        p for p in TEMPLATES.rglob("*.html") if p.parent.name in ("templates", "public", "console", "admin", "partials")
    ]
    assert len(mine) > 30
    for path in mine:
        source = path.read_text(encoding="utf-8")
        source = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
        source = re.sub(r"<script.*?</script>|<style.*?</style>", " ", source, flags=re.S)
        for text in re.findall(r">([^<]+)<", source):
            if text.strip() and not ALLOWED.match(text.strip()):
                offenders.append((path.name, text.strip()))
    assert offenders == []


def test_pages_are_vietnamese_by_default_whatever_the_browser_prefers(browser):
    page = browser(None).get("/ket-qua", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="vi">' in page.text and "Kết quả đã công khai" in page.text


def test_the_language_switch_remembers_english(browser):
    visitor = browser(None)
    switch = visitor.get("/ngon-ngu/en?next=/ket-qua")
    assert switch.status_code == 303 and switch.headers["location"] == "/ket-qua"
    assert "lang=en" in switch.headers["set-cookie"]
    page = visitor.get("/ket-qua")
    assert '<html lang="en">' in page.text and "Published results" in page.text
    assert "Kết quả đã công khai" not in page.text
    assert "Kết quả đã công khai" in visitor.get("/ket-qua?lang=vi").text
    visitor.get("/ngon-ngu/vi?next=/")
    assert "Gửi phản ánh" in visitor.get("/").text


def test_state_labels_and_durations_follow_the_language(browser, client, personas, db):
    from tests.flow import Flow

    report = Flow(client, personas, db).to_state("published")
    visitor = browser(None)
    vi = visitor.get(f"/tra-cuu?code={report['code']}").text
    en = visitor.get(f"/tra-cuu?code={report['code']}&lang=en").text
    assert "Đã công khai" in vi and "0 phút" in vi
    assert "Published" in en and "0 minutes" in en
