"""Tokens, folding, tone placement and query parsing: the one definition both engines share."""

from __future__ import annotations

import unicodedata

from paht.search.engine import Scope, fts5_expression, tsquery_text
from paht.search.text import canonical_tone, folded_tokens, indexed, parse, raw_tokens


def test_folding_covers_d_with_stroke_nfd_and_case():
    assert folded_tokens("ĐƯỜNG Nguyễn Huệ, ổ gà!") == ["duong", "nguyen", "hue", "o", "ga"]
    assert folded_tokens(unicodedata.normalize("NFD", "Nguyễn Đình")) == ["nguyen", "dinh"]
    assert folded_tokens("PA-7K3M9QXZ a_b") == ["pa", "7k3m9qxz", "a", "b"]


def test_tone_placement_is_canonical_only_where_it_varies():
    assert canonical_tone("hòa") == canonical_tone("hoà") == "hoà"
    assert canonical_tone("khỏe") == canonical_tone("khoẻ")
    assert canonical_tone("thủy") == canonical_tone("thuỷ")
    assert canonical_tone("hoàng") == "hoàng"  # a closed syllable: one placement only
    assert canonical_tone("quý") == "quý"
    assert raw_tokens("Thuận Hòa") == raw_tokens("THUẬN HOÀ") == ["thuận", "hoà"]
    assert raw_tokens("gà") != raw_tokens("ga")


def test_indexed_texts_are_space_separated_tokens():
    raw, folded = indexed(["Đường Nguyễn-Huệ", None, "bị ngập"])
    assert raw == "đường nguyễn huệ bị ngập"
    assert folded == "duong nguyen hue bi ngap"


def test_parsing_quotes_prefixes_and_words():
    query = parse('"nguyễn huệ" ngập nguy* x*')
    assert [[t.folded for t in g] for g in query.phrases] == [["nguyen", "hue"]]
    assert [[(t.folded, t.prefix) for t in w] for w in query.words] == [
        [("ngap", False)],
        [("nguy", True)],
        [("x", False)],
    ]
    assert query.can_relax
    assert parse("!!! ' \"").empty


def test_engine_syntax_quotes_every_token():
    query = parse('"bị ngập" hue*')
    assert fts5_expression(query.strict(), Scope.staff) == 'staff_folded : ("bi" + "ngap") AND staff_folded : ("hue" *)'
    assert fts5_expression(query.relaxed(), Scope.public).startswith("public_folded : (")
    assert tsquery_text(query.strict()) == "('bi' <-> 'ngap') & ('hue':*)"
