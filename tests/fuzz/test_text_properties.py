"""Properties of Vietnamese text hygiene (paht.text): what is stored and what search matches on.

`clean` is what every stored text goes through; `fold` is the accent-insensitive form search uses.
"""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from paht.text import clean, fold

RUNS = settings(max_examples=200, derandomize=True, database=None, deadline=None)
# Vietnamese letters with every tone on every vowel, in both compositions, plus the characters that
# hide in copied text: zero-width space/joiner/non-joiner, BOM, RTL override, soft hyphen, CR, NUL.
VIETNAMESE = "aăâeêioôơuưyAĂÂEÊIOÔƠUƯYđĐ"
TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
HIDDEN = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u202e", "\u00ad", "\r", "\x00", "\x1b"]
letters = st.builds(lambda base, tone: base + tone, st.sampled_from(VIETNAMESE), st.sampled_from(TONES))
vietnamese = st.lists(
    st.one_of(letters, st.sampled_from([" ", "\n", "\t", *HIDDEN]), st.characters(codec="utf-8")), max_size=30
).map("".join)


@RUNS
@given(text=vietnamese)
def test_clean_ignores_how_the_text_was_composed(text: str) -> None:
    assert clean(unicodedata.normalize("NFD", text)) == clean(unicodedata.normalize("NFC", text))


@RUNS
@given(text=vietnamese)
def test_clean_stores_nfc_without_hidden_characters_and_is_idempotent(text: str) -> None:
    stored = clean(text)
    assert stored is not None
    assert unicodedata.is_normalized("NFC", stored)
    assert all(ch in "\n\t" or unicodedata.category(ch)[0] != "C" for ch in stored)  # no zero-width, BOM, NUL, CR
    assert clean(stored) == stored


@RUNS
@given(text=vietnamese)
def test_fold_is_accent_and_case_insensitive(text: str) -> None:
    folded = fold(text)
    assert folded == fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))
    assert not any(unicodedata.combining(ch) for ch in folded)
    assert "đ" not in folded and "Đ" not in folded
    assert fold(folded) == folded


@RUNS
@given(words=st.lists(letters, max_size=20).map("".join))
def test_fold_ignores_case_of_vietnamese_letters(words: str) -> None:
    assert fold(words.upper()) == fold(words.lower()) == fold(words)


def _clean_by_definition(value: str) -> str:
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()


def _fold_by_definition(value: str) -> str:
    value = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in value if not unicodedata.combining(ch)).lower()


@settings(max_examples=500, derandomize=True, database=None, deadline=None)
@given(text=st.one_of(vietnamese, st.text()))
def test_the_character_tables_give_the_whole_string_definitions(text: str) -> None:
    """`clean` and `fold` translate character by character; the definitions work on the whole string."""
    assert clean(text) == _clean_by_definition(text)
    assert fold(text) == _fold_by_definition(text)


def test_fold_examples() -> None:
    assert fold("Đường Lê Lợi") == fold("duong le loi") == "duong le loi"
    assert fold("Phường Phú Hội") == "phuong phu hoi"
    assert clean("Đèn\u200b đường\ufeff hỏng\r\n") == "Đèn đường hỏng"
