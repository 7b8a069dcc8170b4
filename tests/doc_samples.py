"""Small real files of each format a customer file keeps, and hostile ones it must refuse."""

from __future__ import annotations

import io
import struct
import zipfile

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
WEBP = (b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00"
        b"\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")
TIFF = b"II*\x00\x08\x00\x00\x00\x00\x00"
TEXT = "客戶來函摘要\n交貨日期：2026-12-01\n".encode()
CSV = "產品,數量\n電阻,100\n".encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 32
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
SVG_XML = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'
TEXT_WITH_HTML = b"Dear customer,\n<html><script>alert(1)</script>"

_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_WORD_MACRO = "application/vnd.ms-word.document.macroEnabled.main+xml"


def ooxml(main: str = _WORD_MAIN, part: str = "/word/document.xml",
          extra: dict[str, bytes] | None = None) -> bytes:
    """Return a minimal Office Open XML package whose main part has ``main`` as its type."""
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
             '.org/package/2006/content-types"><Default Extension="xml" ContentType="applicati'
             f'on/xml"/><Override PartName="{part}" ContentType="{main}"/></Types>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", types)
        package.writestr(part.lstrip("/"), "<document/>")
        for name, data in (extra or {}).items():
            package.writestr(name, data)
    return out.getvalue()


def docx() -> bytes:
    return ooxml()


def xlsx() -> bytes:
    return ooxml(_EXCEL_MAIN, "/xl/workbook.xml")


def docm() -> bytes:
    return ooxml(_WORD_MACRO, extra={"word/vbaProject.bin": b"\x00" * 16})


def odt() -> bytes:
    """Return a minimal OpenDocument text: ``mimetype`` stored first, then the content."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("evil.exe", EXE)
    return out.getvalue()


def ole(stream: str = "WordDocument") -> bytes:
    """Return a minimal OLE compound file (512-byte sectors) with a root and one stream."""
    free, end, fat_sect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I I I I I I I I", header, 44, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *([free] * 108))
    fat = struct.pack("<128I", fat_sect, end, *([free] * 126))

    def entry(name: str, kind: int) -> bytes:
        raw = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        raw[:len(encoded)] = encoded
        struct.pack_into("<HB", raw, 64, len(encoded), kind)
        struct.pack_into("<III", raw, 68, free, free, free)
        return bytes(raw)

    directory = entry("Root Entry", 5) + entry(stream, 2) + bytes(256)
    return bytes(header) + fat + directory
