"""Languages: Traditional Chinese by default, English, and Simplified Chinese."""

from __future__ import annotations

from datetime import datetime

from flask import request, session
from flask_babel import format_datetime, get_locale

from ..config import PROJECT_ROOT

DEFAULT = "zh_Hant_TW"
# Locale code -> the language's own name, shown in the language switcher.
LANGUAGES = {"zh_Hant_TW": "繁體中文", "en": "English", "zh_Hans_CN": "简体中文"}
TRANSLATIONS = str(PROJECT_ROOT / "translations")
COOKIE = "lang"
# Browser language tags -> our locales; Hong Kong and Macau read Traditional characters.
_BROWSER = {
    "zh-tw": "zh_Hant_TW", "zh-hant": "zh_Hant_TW", "zh-hk": "zh_Hant_TW", "zh-mo": "zh_Hant_TW",
    "zh-cn": "zh_Hans_CN", "zh-hans": "zh_Hans_CN", "zh-sg": "zh_Hans_CN", "zh": "zh_Hant_TW",
    "en": "en",
}


def select_locale() -> str:
    """Return the user's chosen language, else the browser's, else Traditional Chinese."""
    chosen = session.get(COOKIE) or request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    match = request.accept_languages.best_match(list(_BROWSER))
    if match:
        return _BROWSER[match]
    for tag, _quality in request.accept_languages:
        if tag.lower().startswith("en"):
            return "en"
    return DEFAULT


def template_globals() -> dict:
    """Return the language helpers templates use."""
    def code() -> str:
        return str(get_locale() or DEFAULT)

    def tag() -> str:
        # BCP 47 for <html lang>: zh_Hant_TW -> zh-Hant-TW.
        return code().replace("_", "-")

    return {"current_locale_code": code, "current_locale_tag": tag, "languages": LANGUAGES}


def localtime(value: str | datetime | None, style: str = "short") -> str:
    """Format an ISO time (as the index stores it) in the office's zone and the user's language."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return format_datetime(moment, style)
