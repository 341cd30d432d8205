"""A small streaming xlsx writer: the synthetic bundle (hv.sample) and the annotated copies of
non-xlsx inputs (hv.report.annotate).

xlsxwriter manages about 65,000 cells a second on the 2-core reference machine, so a
million-person roster (27 million cells) would take seven minutes on its own. The bundle needs
only inline strings, numbers, date cells, wrapped header cells and merged ranges, which this
module writes straight into the zip at well over a million cells a second.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from hv.layout import column_letter

Cell = str | int | float | date | None

EXCEL_EPOCH = date(1899, 12, 30)
DATE_STYLE = 1  # cellXfs index: yyyy-mm-dd
WRAP_STYLE = 2  # cellXfs index: wrapped text, for header cells with a line break
CHUNK_ROWS = 2000

_CONTROL = {chr(c): None for c in range(32) if c not in (9, 10)}  # not allowed in XML 1.0
XML_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", **_CONTROL})


_LETTERS = [column_letter(i) for i in range(16_384)]  # every column Excel has


@dataclass
class Sheet:
    """One worksheet: its rows from Excel row 1 (None cells stay empty) and merged ranges."""

    name: str
    rows: Sequence[Sequence[Cell]]
    merges: list[str] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)


def _cell(ref: str, value: Cell) -> str:
    if type(value) is str and value.isalnum():  # most cells: names, numbers, codes; nothing to escape
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    if isinstance(value, str):
        text = value.translate(XML_ESCAPE)
        style = f' s="{WRAP_STYLE}"' if "\n" in text else ""
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() or "\n" in text else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{DATE_STYLE}"><v>{(value - EXCEL_EPOCH).days}</v></c>'
    return f'<c r="{ref}"><v>{value!r}</v></c>'


def _row(number: int, cells: Sequence[Cell]) -> str:
    r = str(number)
    body = "".join(_cell(_LETTERS[i] + r, v) for i, v in enumerate(cells) if v is not None and v != "")
    return f'<row r="{r}">{body}</row>'


def _write_sheet(zf: zipfile.ZipFile, member: str, sheet: Sheet) -> None:
    width = max((len(r) for r in sheet.rows), default=1)
    last = f"{_LETTERS[max(width, 1) - 1]}{max(len(sheet.rows), 1)}"
    cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>' for i, w in
                   sorted(sheet.widths.items()))
    head = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
            f'<dimension ref="A1:{last}"/>' + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")
    with zf.open(member, "w", force_zip64=True) as out:
        out.write(head.encode())
        for start in range(0, len(sheet.rows), CHUNK_ROWS):
            chunk = sheet.rows[start:start + CHUNK_ROWS]
            out.write("".join(_row(start + i + 1, cells) for i, cells in enumerate(chunk)).encode())
        merges = "".join(f'<mergeCell ref="{m}"/>' for m in sheet.merges)
        tail = "</sheetData>" + (f'<mergeCells count="{len(sheet.merges)}">{merges}</mergeCells>' if merges else "")
        out.write((tail + "</worksheet>").encode())


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
    '<cellXfs count="3"><xf/><xf numFmtId="164" applyNumberFormat="1"/>'
    '<xf applyAlignment="1"><alignment wrapText="1" vertical="center"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def write_xlsx(path: Path, sheets: list[Sheet]) -> None:
    """Write the sheets as one workbook (deflate level 1: the size barely changes, the time halves)."""
    names = [f"xl/worksheets/sheet{i + 1}.xml" for i in range(len(sheets))]
    content_types = (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        + "".join(f'<Override PartName="/{n}" '
                  'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                  for n in names)
        + "</Types>"
    )
    root_rels = (f'{_XML}<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
                 'Target="xl/workbook.xml"/></Relationships>')
    book = (f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            + "".join(f'<sheet name="{s.name.translate(XML_ESCAPE)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                      for i, s in enumerate(sheets))
            + "</sheets></workbook>")
    book_rels = (f'{_XML}<Relationships xmlns="{_PKG}">'
                 + "".join(f'<Relationship Id="rId{i + 1}" Type="{_REL}/worksheet" '
                           f'Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(sheets)))
                 + f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
                 + "</Relationships>")
    parts = {"[Content_Types].xml": content_types, "_rels/.rels": root_rels, "xl/workbook.xml": book,
             "xl/_rels/workbook.xml.rels": book_rels, "xl/styles.xml": _STYLES}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for member, text in parts.items():
            with zf.open(member, "w") as out:  # unlike writestr, open stamps a fixed date: same seed, same bytes
                out.write(text.encode())
        for member, sheet in zip(names, sheets, strict=True):
            _write_sheet(zf, member, sheet)
