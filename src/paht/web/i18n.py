"""Message catalogues (Babel): Vietnamese by default, English on request.

Templates and web code write English msgids and call `_()`; `src/paht/locale/<lang>/LC_MESSAGES/messages.po`
holds the translations. `make install` compiles them to `.mo`; when a `.mo` is missing or older than its
`.po` (a fresh clone, an edited catalogue) the `.po` is compiled in memory instead, so pages never fall
back to raw msgids.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from fastapi import Request

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
LANGUAGE_COOKIE = "lang"


def N_(message: str) -> str:
    """Marks a message for extraction where it is translated later (tables of labels)."""
    return message


@cache
def translations(lang: str) -> gettext.NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return Translations(handle, domain="messages")
    if po.exists():
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain="messages")
    return gettext.NullTranslations()


@dataclass(frozen=True)
class Translator:
    lang: str

    def gettext(self, message: str, **values: object) -> str:
        text = translations(self.lang).gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        text = translations(self.lang).ngettext(singular, plural, count)
        return text % ({"num": count} | values)

    _ = gettext


def language_of(request: Request) -> str:
    """`?lang=` then the cookie, else Vietnamese: the portal is Vietnamese whatever the browser prefers."""
    for value in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if value in LANGUAGES:
            return value
    return DEFAULT_LANGUAGE
