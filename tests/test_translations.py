"""Translations: every message of the code and templates is translated, catalogues compiled."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from intranet.web.translate import KEYWORDS

ROOT = Path(__file__).resolve().parent.parent
COMPLETE = ("zh_Hant_TW", "zh_Hans_CN")


def _keywords() -> dict:
    table = {}
    for keyword in KEYWORDS:
        name, _, spec = keyword.partition(":")
        table[name] = tuple(int(n) for n in spec.split(",")) if spec else None
    return table


def source_messages() -> set[str]:
    """Return every msgid the code and templates use, as pybabel extracts them."""
    method_map = [("intranet/**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, keywords=_keywords()):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalogue(locale: str):
    with (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


@pytest.mark.parametrize("locale", COMPLETE)
def test_every_message_is_translated(locale):
    po = catalogue(locale)
    missing = sorted(m for m in source_messages() if not (po.get(m) and po.get(m).string))
    assert missing == [], f"{len(missing)} untranslated in {locale}: {missing[:20]}"
    fuzzy = sorted(m.id for m in po if m.id and m.fuzzy)
    assert fuzzy == []


@pytest.mark.parametrize("locale", (*COMPLETE, "en"))
def test_compiled_catalogues_match_their_sources(locale):
    po = catalogue(locale)
    with (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        mo = read_mo(handle)
    expected = {_hashable(m.id): _hashable(m.string) for m in po
                if m.id and m.string and not m.fuzzy}
    # read_mo gives a plural message's id and strings as lists, read_po as tuples.
    compiled = {_hashable(m.id): _hashable(m.string) for m in mo if m.id and m.string}
    assert compiled == expected, "run: flask --app app translate compile"


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def test_placeholders_survive_translation():
    for locale in COMPLETE:
        for message in catalogue(locale):
            if not message.id or not message.string or isinstance(message.id, tuple):
                continue
            for token in ("%(", "{"):
                names = sorted(_names(message.id, token))
                assert names == sorted(_names(message.string, token)), (locale, message.id)


def _names(text: str, token: str) -> list[str]:
    close = ")" if token == "%(" else "}"
    names, pos = [], 0
    while (start := text.find(token, pos)) != -1:
        end = text.find(close, start)
        names.append(text[start + len(token):end])
        pos = end + 1
    return names


@pytest.mark.parametrize("lang, word", [("zh_Hant_TW", "登入"), ("en", "Sign in"),
                                         ("zh_Hans_CN", "登录")])
def test_the_chosen_language_is_used_and_remembered(web, lang, word):
    from .conftest import csrf_token

    token = csrf_token(web, "/login")
    response = web.post("/language", data={"lang": lang, "next": "/login",
                                           "csrf_token": token})
    assert response.status_code == 302
    assert word in web.get("/login").get_data(as_text=True)


def test_browser_language_decides_until_a_choice_is_made(web):
    page = web.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Sign in" in page.get_data(as_text=True)
    page = web.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "登录" in page.get_data(as_text=True)
    page = web.get("/login", headers={"Accept-Language": "fr"})
    assert "登入" in page.get_data(as_text=True)


def test_form_messages_are_ours_not_wtforms_simplified_ones(web):
    from .conftest import csrf_token

    token = csrf_token(web, "/login")
    page = web.post("/login", data={"username": "", "password": "x" * 300,
                                    "csrf_token": token}).get_data(as_text=True)
    assert "必填" in page and "最多 200 個字元" in page
    assert "该字段是必填字段" not in page  # WTForms' own Simplified catalogue
