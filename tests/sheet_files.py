"""Build real messy spreadsheets for the import tests: workbooks with openpyxl, CSVs in each
encoding, and the bad files an office might upload (old .xls, macros, zip bombs)."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

TWSE = Path("/work/shared/data/twse-listed-companies-2023-08.csv")
ROC_FORMAT = 'yyyy"年"m"月"d"日"'


def twse_rows() -> list[dict[str, str]]:
    """Return the 992 listed companies as the exchange published them."""
    with TWSE.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def save(workbook: openpyxl.Workbook) -> bytes:
    """Return a workbook's XLSX bytes."""
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def text_cell(sheet: Any, ref: str, value: str) -> None:
    """Write a string cell even when it starts with '=' (openpyxl would make it a formula)."""
    sheet[ref] = value
    sheet[ref].data_type = "s"


def with_saved_values(data: bytes, saved: dict[str, Any], sheet: int = 2) -> bytes:
    """Return the XLSX with Excel's saved values added to formula cells (openpyxl writes none).

    ``saved`` maps a cell reference to its value: a str is stored as a formula string result.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    member = f"xl/worksheets/sheet{sheet}.xml"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == member:
                xml = body.decode("utf-8")
                for ref, value in saved.items():
                    kind = ' t="str"' if isinstance(value, str) else ""
                    pattern = re.compile(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/>')
                    xml, count = pattern.subn(
                        lambda m, ref=ref, kind=kind, value=value:
                        f'<c r="{ref}"{m.group(1)}{kind}><f>{m.group(2)}</f><v>{value}</v>', xml)
                    assert count == 1, ref
                body = xml.encode("utf-8")
            target.writestr(info, body)
    return out.getvalue()


# What the messy sheet's data rows hold, and what a careful person would have typed.
HEADINGS = ["客戶名稱", "統編", "負責人", "資本額", "設立\n日期", "\u3000電話\u3000", "地址",
            "業務員", "等級", "網址", "備註"]


def messy_workbook() -> bytes:
    """Return a clerk's workbook: an instructions sheet first, then the customers under a
    merged title, with blank rows and a blank first column."""
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "填寫說明"
    notes["A1"] = "填寫說明"
    notes["A2"] = "統一編號請填 8 碼,日期可填民國年。"
    notes["A3"] = "業務員請填帳號"
    sheet = book.create_sheet("客戶名冊")
    sheet["B1"] = "2023 客戶名冊"
    sheet.merge_cells("B1:L1")
    for col, heading in enumerate(HEADINGS, start=2):
        sheet.cell(row=3, column=col, value=heading)
    # Row 4: a number-cell 統一編號 that lost its zero, a real date cell in a Chinese format.
    row4: list[Any] = ["亞洲水泥股份有限公司", 3244509, "徐旭東", "35,465,628,810",
                       datetime.datetime(1957, 3, 21), "(02)2733-8000",
                       "台北市大安區敦化南路2段\n207號30、31樓", "wang.li", "a", None,
                       "  重要客戶  "]
    for col, value in enumerate(row4, start=2):
        sheet.cell(row=4, column=col, value=value)
    sheet["F4"].number_format = ROC_FORMAT
    text_cell(sheet, "K4", '=HYPERLINK("http://www.acc.com.tw","亞泥")')
    # Row 6 (row 5 blank): full-width digits and spaces, 萬, an ROC date, +886.
    row6 = ["\u3000臺灣水泥股份有限公司 ", "１１９１３５０２", "\u3000張安平\u3000", "3,000萬",
            "民國39年12月29日", "+886-2-2531-7099", "台北市中山北路2段113號", "陳大文", "Ｂ",
            "www.taiwancement.com", None]
    for col, value in enumerate(row6, start=2):
        sheet.cell(row=6, column=col, value=value)
    # Row 7: inner spaces kept, a real formula with a saved value, 85/3/1, a phone number cell.
    row7: list[Any] = ["CHEN, STEVE 貿易有限公司", "12345678", "永井 淳一", "=1000*10000",
                       "85/3/1", 227338000, "No. 5, Lane 3\nTaipei", "", "c", None, "=B7&C7"]
    for col, value in enumerate(row7, start=2):
        sheet.cell(row=7, column=col, value=value)
    # Row 9 (row 8 blank): cells a person must fix.
    row9: list[Any] = ["壞資料公司", "1234", "李四", "-5", "2023/2/30", "#N/A", "高雄市",
                       None, "E", None, None]
    for col, value in enumerate(row9, start=2):
        sheet.cell(row=9, column=col, value=value)
    sheet["G9"].data_type = "e"
    return with_saved_values(save(book), {"E7": 10000000})


def workbook_of(rows: list[list[Any]], title: str = "Sheet") -> bytes:
    """Return a one-sheet workbook holding ``rows`` from A1."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    return save(book)


def csv_bytes(rows: list[list[str]], encoding: str, delimiter: str = ",") -> bytes:
    """Return rows as CSV text in an encoding (utf-8-sig writes the BOM)."""
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def zip_of(members: dict[str, bytes]) -> bytes:
    """Return a zip holding the members, deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, body in members.items():
            target.writestr(name, body)
    return out.getvalue()


def members_of(data: bytes) -> dict[str, bytes]:
    """Return the members of a zip."""
    source = zipfile.ZipFile(io.BytesIO(data))
    return {name: source.read(name) for name in source.namelist()}


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def excel_style_workbook(sheet_data: str, shared: list[str]) -> bytes:
    """Return an XLSX written the way Excel writes it: shared strings, styles, cached values.

    ``sheet_data`` is the <sheetData> body; style 1 is a date format (yyyy/m/d).
    """
    strings = "".join(f"<si>{s}</si>" for s in shared)
    members = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
            'org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
            '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"'
            '/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {_NS} xmlns:r="{_REL}"><sheets>'
            '<sheet name="客戶" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>'),
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet {_NS}><numFmts count="1">'
            '<numFmt numFmtId="164" formatCode="yyyy/m/d"/></numFmts><fonts count="1"><font/>'
            '</fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs><cellXfs count="2">'
            '<xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            '</cellStyles>'
            '</styleSheet>'),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS} count="{len(shared)}" '
            f'uniqueCount="{len(shared)}">{strings}</sst>'),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><dimension ref="A1:F4"/>'
            f'<sheetData>{sheet_data}</sheetData></worksheet>'),
    }
    return zip_of({name: body.encode("utf-8") for name, body in members.items()})
