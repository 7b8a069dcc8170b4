"""Tell a document's type from its bytes (R13), never from its name or the browser's word.

Only an allow-list of formats a customer file needs is accepted: PDF, images, Office and
OpenDocument files, plain UTF-8 text. Everything else — programs, HTML, SVG, macro-enabled
Office files, archives — is refused, because a file kept in the archive and downloaded again
by colleagues must not be able to run script or code.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

from intranet.records.files.messages import N_


@dataclass(frozen=True)
class FileType:
    """A recognised format: the extension it is stored under, its MIME type, its name."""

    ext: str
    content_type: str
    label: str
    aliases: tuple[str, ...] = ()  # other extensions a user's name may rightly carry

    @property
    def extensions(self) -> tuple[str, ...]:
        """Return every extension a file of this type may be named with."""
        return (self.ext, *self.aliases)


PDF = FileType("pdf", "application/pdf", N_("PDF document"))
PNG = FileType("png", "image/png", N_("PNG image"))
JPEG = FileType("jpg", "image/jpeg", N_("JPEG image"), ("jpeg", "jpe"))
GIF = FileType("gif", "image/gif", N_("GIF image"))
WEBP = FileType("webp", "image/webp", N_("WebP image"))
TIFF = FileType("tif", "image/tiff", N_("TIFF image"), ("tiff",))
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument."
                "wordprocessingml.document", N_("Word document"))
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                N_("Excel workbook"))
PPTX = FileType("pptx", "application/vnd.openxmlformats-officedocument."
                "presentationml.presentation", N_("PowerPoint presentation"))
ODT = FileType("odt", "application/vnd.oasis.opendocument.text", N_("OpenDocument text"))
ODS = FileType("ods", "application/vnd.oasis.opendocument.spreadsheet",
               N_("OpenDocument spreadsheet"))
ODP = FileType("odp", "application/vnd.oasis.opendocument.presentation",
               N_("OpenDocument presentation"))
DOC = FileType("doc", "application/msword", N_("Word 97–2003 document"))
XLS = FileType("xls", "application/vnd.ms-excel", N_("Excel 97–2003 workbook"))
PPT = FileType("ppt", "application/vnd.ms-powerpoint", N_("PowerPoint 97–2003 presentation"))
TEXT = FileType("txt", "text/plain; charset=utf-8", N_("Text"))
CSV = FileType("csv", "text/csv; charset=utf-8", N_("CSV table"))

TYPES = (PDF, PNG, JPEG, GIF, WEBP, TIFF, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT,
         TEXT, CSV)
BY_EXT = {t.ext: t for t in TYPES}



class Refused(ValueError):
    """A file that may not be kept: a translatable msgid and the values it mentions."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message.format(**params))
        self.message = message
        self.params = params


_MAGIC: tuple[tuple[bytes, FileType], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
)
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The main part of an Office Open XML package says what it is ([Content_Types].xml).
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
_ODF = {ODT.content_type: ODT, ODS.content_type: ODS, ODP.content_type: ODP}
# Legacy Office files are OLE compound files; their main stream names the application.
_OLE_STREAMS = {"worddocument": DOC, "workbook": XLS, "book": XLS, "powerpoint document": PPT}
_XML_LIMIT = 1 << 20  # a [Content_Types].xml larger than this is not an honest document
# Text that a browser could take for markup, whatever it is called.
_MARKUP = re.compile(rb"<\s*(?:!doctype|html|script|svg|\?xml|body|iframe|object|embed)",
                     re.IGNORECASE)
_TEXT_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff(data: bytes, name_hint: str = "") -> FileType:
    """Return the type of ``data``, or raise Refused; ``name_hint`` only tells CSV from text."""
    if not data:
        raise Refused(N_("The file is empty."))
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(_ZIP):
        return _package(data)
    if data.startswith(_OLE):
        return _ole(data)
    return _text(data, name_hint)


def _refuse_type() -> Refused:
    # The message says what would be accepted, so the person uploading knows what to send.
    return Refused(N_("This kind of file cannot be kept in a customer file. Accepted: PDF, "
                      "images (PNG, JPEG, GIF, WebP, TIFF), Word, Excel, PowerPoint, "
                      "OpenDocument or plain UTF-8 text."))


def _package(data: bytes) -> FileType:
    """Return the type of a ZIP-based document (OOXML or ODF) from its manifest entries."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
            if names and names[0] == "mimetype":
                mimetype = _small(package, "mimetype").decode("ascii", "replace").strip()
                if mimetype in _ODF and not any(n.lower().startswith("basic/") for n in names):
                    return _ODF[mimetype]
            if "[Content_Types].xml" in names:
                kind = _ooxml(_small(package, "[Content_Types].xml"))
                if kind and not any(n.lower().endswith("vbaproject.bin") for n in names):
                    return kind
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, ValueError,
            RuntimeError, EOFError):
        raise Refused(N_("The file looks like an Office document but is damaged.")) from None
    raise _refuse_type()


def _small(package: zipfile.ZipFile, name: str) -> bytes:
    """Read one small entry, refusing one that would unpack into something huge."""
    info = package.getinfo(name)
    if info.file_size > _XML_LIMIT:
        raise ValueError(f"{name} is too large")
    with package.open(info) as entry:
        return entry.read(_XML_LIMIT + 1)[:_XML_LIMIT]


def _ooxml(content_types: bytes) -> FileType | None:
    """Return the OOXML type whose main part [Content_Types].xml declares (macros refused)."""
    if b"<!DOCTYPE" in content_types or b"<!ENTITY" in content_types:
        return None  # no document type declarations: nothing to expand
    try:
        root = ElementTree.fromstring(content_types)
    except ElementTree.ParseError:
        return None
    found = None
    for element in root:
        declared = element.get("ContentType", "")
        if "macroEnabled" in declared:
            return None
        found = found or _OOXML_MAIN.get(declared)
    return found


def _ole(data: bytes) -> FileType:
    """Return the legacy Office type of an OLE compound file from its directory's streams."""
    try:
        names = _ole_names(data)
    except (struct.error, ValueError, IndexError):
        raise Refused(N_("The file looks like an Office document but is damaged.")) from None
    if any(n.startswith("_vba_project") or n in ("macros", "vba") for n in names):
        raise _refuse_type()
    for name in names:
        if name in _OLE_STREAMS:
            return _OLE_STREAMS[name]
    raise _refuse_type()


def _ole_names(data: bytes) -> list[str]:
    """Return the (lower-case) names in an OLE compound file's directory."""
    shift, = struct.unpack_from("<H", data, 30)
    if shift not in (9, 12):
        raise ValueError("bad sector size")
    size = 1 << shift
    fat_count, first_dir = struct.unpack_from("<I I", data, 44)
    first_difat, difat_count = struct.unpack_from("<I I", data, 68)
    fat_sectors = [s for s in struct.unpack_from("<109I", data, 76) if s < 0xFFFFFFFA]
    sector, seen = first_difat, 0
    while sector < 0xFFFFFFFA and seen < difat_count:
        entries = struct.unpack_from(f"<{size // 4}I", data, (sector + 1) * size)
        fat_sectors += [s for s in entries[:-1] if s < 0xFFFFFFFA]
        sector, seen = entries[-1], seen + 1
    fat: list[int] = []
    for s in fat_sectors[:fat_count]:
        fat += struct.unpack_from(f"<{size // 4}I", data, (s + 1) * size)
    names: list[str] = []
    sector, steps = first_dir, 0
    while sector < 0xFFFFFFFA and steps < len(fat) + 1:
        block = data[(sector + 1) * size:(sector + 2) * size]
        for offset in range(0, len(block) - 127, 128):
            length, = struct.unpack_from("<H", block, offset + 64)
            if 2 <= length <= 64:
                raw = block[offset:offset + length - 2]
                names.append(raw.decode("utf-16-le", "replace").lower())
        sector, steps = fat[sector], steps + 1
    return names


def _text(data: bytes, name_hint: str) -> FileType:
    """Return TEXT or CSV for plain UTF-8 text that no browser would take for markup."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse_type() from None
    if _TEXT_CONTROL.search(text) or _MARKUP.search(data[:4096]) \
            or text.lstrip().startswith("<"):
        raise _refuse_type()
    return CSV if name_hint.lower().endswith(".csv") else TEXT
