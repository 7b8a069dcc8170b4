"""Read a CSV file: find its text encoding and its delimiter, then its rows as text cells.

Taiwanese offices' CSVs come as UTF-8 (often with Excel's BOM) or as Big5 from older software;
Excel's "Unicode text" is UTF-16 with tabs. The encoding chosen by the user wins; otherwise a
BOM decides, then strict UTF-8, then CP950 (Microsoft's Big5, a superset of it), and only when
none of those decodes cleanly does charset-normalizer guess among the remaining candidates.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

from ..records.files.messages import N_
from .model import Cell, Limits, SheetError, Table
from .tables import Row, build_table

NOT_TEXT = N_("The file holds binary data, not CSV text; upload an .xlsx workbook or a CSV "
              "file.")
WRONG_ENCODING = N_("The file cannot be read as %(encoding)s text; choose another encoding.")
UNKNOWN_ENCODING = N_("%(encoding)s is not a text encoding this server knows.")
UNDETECTED = N_("The file's text encoding could not be recognised; save it as a UTF-8 CSV or "
                "as .xlsx.")
GUESSED = N_("The file's encoding was guessed as %(encoding)s: check the names in the preview, "
             "or choose the encoding.")
BROKEN = N_("The CSV file cannot be read near row %(row)s: check its quotes.")

_DELIMITERS = (",", "\t", ";", "|")
# Encodings charset-normalizer may choose from when UTF-8 and CP950 both fail.
_CANDIDATES = ["big5hkscs", "gb18030", "shift_jis", "utf_16", "cp1252"]


def decode(data: bytes, encoding: str | None) -> tuple[str, str, bool]:
    """Return (text, encoding, guessed) for a CSV's bytes."""
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError as exc:
            raise SheetError(UNKNOWN_ENCODING, encoding=encoding) from exc
        if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
            codec = "utf-8-sig"
        try:
            return data.decode(codec), codec, False
        except UnicodeDecodeError as exc:
            raise SheetError(WRONG_ENCODING, encoding=encoding) from exc
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data, "utf-8-sig"), "utf-8-sig", False
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16"), "utf-16", False
    if b"\x00" in data:
        raise SheetError(NOT_TEXT)
    for codec in ("utf-8", "cp950"):
        try:
            return data.decode(codec), codec, False
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_CANDIDATES).best()
    if best is None or not best.encoding:
        raise SheetError(UNDETECTED)
    return str(best), best.encoding, True


def _strict(data: bytes, codec: str) -> str:
    """Decode text whose BOM names the encoding; refuse it if it does not decode."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise SheetError(WRONG_ENCODING, encoding=codec) from exc


def delimiter(text: str) -> str:
    """Return the delimiter that splits the first rows most consistently (comma on a tie)."""
    first = text[:20].splitlines()[0] if text[:20] else ""
    if first.lower().startswith("sep=") and len(first) == 5:
        return first[4]  # Excel's own hint: "sep=;" on the first line
    sample = text[:64 * 1024]
    best, best_score = ",", (0.0, 0)
    for candidate in _DELIMITERS:
        counts = []
        try:
            for record in csv.reader(io.StringIO(sample, newline=""), delimiter=candidate):
                if any(field.strip() for field in record):
                    counts.append(len(record))
                if len(counts) >= 30:
                    break
        except csv.Error:
            continue
        wide = [n for n in counts if n > 1]
        if not wide:
            continue
        common = max(set(wide), key=wide.count)
        score = (wide.count(common) / len(counts), common)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _records(text: str, sep: str) -> Iterator[Row]:
    """Yield (record number, cells) for every record; quoted cells may hold line breaks."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            yield number, [Cell(value if value != "" else None) for value in record]
    except csv.Error as exc:
        raise SheetError(BROKEN, row=number + 1) from exc


def read_csv(data: bytes, filename: str, *, encoding: str | None, limits: Limits) -> Table:
    """Return the table of a CSV file; every cell is text."""
    text, codec, guessed = decode(data, encoding)
    if "\x00" in text:
        raise SheetError(NOT_TEXT)
    table = build_table(_records(text, delimiter(text)), limits, filename=filename, kind="csv",
                        encoding=codec)
    if guessed:
        table.notes.append((GUESSED, {"encoding": codec}))
    return table
