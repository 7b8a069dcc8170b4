"""``flask --app app translate …``: keep the message catalogues in step with the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from babel.messages.pofile import read_po, write_po
from opencc import OpenCC

from ..config import PROJECT_ROOT
from . import i18n

POT = PROJECT_ROOT / "translations" / "messages.pot"
KEYWORDS = ("_", "gettext", "ngettext:1,2", "lazy_gettext", "_l", "N_")


def _pybabel(*args: str) -> None:
    cmd = [sys.executable, "-m", "babel.messages.frontend", *args]
    if subprocess.run(cmd, cwd=PROJECT_ROOT, check=False).returncode != 0:
        raise click.ClickException("pybabel " + " ".join(args[:1]) + " failed")


def extract() -> None:
    """Collect every message of the code and templates into messages.pot."""
    keywords = [arg for k in KEYWORDS for arg in ("-k", k)]
    _pybabel("extract", "-F", "babel.cfg", "--no-location", "--sort-output",
             "--project", "customer-archive", *keywords, "-o", str(POT), ".")


def catalogue(locale: str) -> Path:
    """Return the .po file of a locale."""
    return PROJECT_ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"


def simplify() -> None:
    """Derive the Simplified Chinese catalogue from the Traditional one with OpenCC."""
    convert = OpenCC("t2s").convert
    with catalogue(i18n.DEFAULT).open("rb") as handle:
        source = read_po(handle, locale=i18n.DEFAULT)
    target_path = catalogue("zh_Hans_CN")
    with target_path.open("rb") as handle:
        target = read_po(handle, locale="zh_Hans_CN")
    for message in source:
        if message.id and message.string and message.id in target:
            string = message.string
            target[message.id].string = (tuple(convert(s) for s in string)
                                         if isinstance(string, tuple) else convert(string))
            target[message.id].flags.discard("fuzzy")
    with target_path.open("wb") as handle:
        write_po(handle, target, width=0, omit_header=False)


@click.group("translate")
def translate() -> None:
    """Update and compile the translations."""


@translate.command("update")
def update_command() -> None:
    """Extract messages and merge them into every catalogue (new ones arrive empty)."""
    extract()
    for locale in i18n.LANGUAGES:
        if not catalogue(locale).exists():
            _pybabel("init", "-i", str(POT), "-d", "translations", "-l", locale)
        _pybabel("update", "-i", str(POT), "-d", "translations", "-l", locale,
                 "--no-fuzzy-matching", "--ignore-obsolete", "-w", "0")


@translate.command("simplify")
def simplify_command() -> None:
    """Fill zh_Hans_CN from zh_Hant_TW by character conversion."""
    simplify()


@translate.command("compile")
def compile_command() -> None:
    """Compile every catalogue to the .mo files the app reads."""
    _pybabel("compile", "-d", "translations", "--statistics")
