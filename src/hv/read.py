"""Files -> grids of text cells that remember the row number Excel shows.

A file is read by what it really is, not by its name: county systems export HTML and tab-separated
text as `.xls`, CSV in GB18030 or UTF-8 with a BOM, and encrypted workbooks. Every cell comes back
as text; parsing types is the cleaning step's job, which reports each cell it cannot parse.
"""

from __future__ import annotations

import bisect
import codecs
import email
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import fastexcel
import polars as pl

from hv.errors import InputError

ROW = "row"  # the provenance column: Excel row number, or CSV line number (header line = 1)


@dataclass
class Grid:
    """One sheet as read: text columns c0…cN plus `row`, and how it was read."""

    file: str
    sheet: str  # empty for a text file
    cells: pl.DataFrame
    fmt: str  # xlsx, xls, ods, csv, tsv, html, xml2003
    encoding: str | None = None
    # merged ranges as 1-based inclusive (first_row, first_col, last_row, last_col) in grid columns
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden: bool = False
    col_offset: int = 0  # sheet column index of c0: the reader skips leading empty columns


@dataclass
class Workbook:
    """All sheets of one file, with what the reader noticed about the file itself."""

    path: Path
    fmt: str
    grids: list[Grid]
    declared: str  # the extension as given
    encoding: str | None = None

    @property
    def format_mismatch(self) -> bool:
        aliases = {"xlsm": "xlsx", "txt": "csv", "tsv": "csv"}
        real = aliases.get(self.fmt, self.fmt)
        return real != aliases.get(self.declared, self.declared) and self.fmt in {"html", "csv", "tsv", "xml2003"}


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def read_workbook(path: Path | str) -> Workbook:
    """Read every sheet of a file as text. Raises InputError with one clear line."""
    path = Path(path)
    if not path.exists():
        raise InputError("文件不存在", "file not found", file=path)
    if path.is_dir():
        raise InputError("这是一个目录，不是文件", "is a directory, not a file", file=path)
    declared = path.suffix.lower().lstrip(".")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputError(f"无法打开：{exc.strerror}", f"cannot open: {exc.strerror}", file=path) from None
    if path.stat().st_size == 0:
        raise InputError("文件是空的", "file is empty", file=path)
    if head.startswith(ZIP_MAGIC):
        return _read_zip(path, declared)
    if head.startswith(OLE_MAGIC):
        return _read_ole(path, declared)
    return _read_text(path, declared)


# --- spreadsheets ------------------------------------------------------------------------------


def _read_zip(path: Path, declared: str) -> Workbook:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype").decode("ascii", "replace") if "mimetype" in names else ""
    except zipfile.BadZipFile:
        raise InputError("文件已损坏（不是完整的 xlsx 压缩包）", "corrupt file (not a complete xlsx zip)",
                         file=path) from None
    if "xl/workbook.xml" in names:
        fmt = "xlsx"
    elif "spreadsheet" in mimetype:
        fmt = "ods"
    else:
        raise InputError("不是表格文件（压缩包里没有工作簿）", "not a spreadsheet (zip without a workbook)", file=path)
    return Workbook(path, fmt, _read_excel(path, fmt), declared)


def _read_ole(path: Path, declared: str) -> Workbook:
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    if _ENCRYPTED in head:
        raise InputError("工作簿已加密（设置了打开密码），请在 Excel 中去掉密码后另存", "workbook is encrypted "
                         "(password to open); remove the password in Excel and save again", file=path)
    return Workbook(path, "xls", _read_excel(path, "xls"), declared)


def _read_excel(path: Path, fmt: str) -> list[Grid]:
    # merged ranges are read from the file beside calamine, on the other core
    with ThreadPoolExecutor(max_workers=1) as pool:
        geometry = pool.submit(_sheet_geometry, path, fmt)
        grids = _read_cells(path, fmt)
        for grid in grids:
            grid.merged, grid.col_offset = geometry.result().get(grid.sheet, ([], 0))
    return grids


def _read_cells(path: Path, fmt: str) -> list[Grid]:
    try:
        reader = fastexcel.read_excel(path)
        grids = []
        for name in reader.sheet_names:
            sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
            cells = _name_columns(sheet.to_polars())
            grids.append(Grid(str(path), name, cells, fmt, hidden=sheet.visible != "visible"))
    except Exception as exc:  # calamine raises many kinds; all mean the same thing to a clerk
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "password" in text.lower() or "encrypt" in text.lower():
            raise InputError("工作簿已加密，请去掉密码后另存", "workbook is encrypted; remove the password",
                             file=path) from None
        raise InputError(f"无法读取工作簿（文件可能已损坏）：{text}", f"cannot read workbook (corrupt?): {text}",
                         file=path) from None
    return grids


def _name_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """c0…cN and a 1-based `row`: with skip_rows=0 fastexcel keeps leading empty rows."""
    frame = frame.rename({old: f"c{i}" for i, old in enumerate(frame.columns)})
    return frame.with_row_index(ROW, offset=1)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="([A-Z]+)\d+')


Geometry = dict[str, tuple[list[tuple[int, int, int, int]], int]]


def _sheet_geometry(path: Path, fmt: str) -> Geometry:
    """Merged ranges (in grid columns) and the first used column, per sheet."""
    if fmt != "xlsx":
        return _sheet_geometry_calamine(path)
    out: Geometry = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for sheet_name, member in xlsx_sheet_members(zf).items():
                ranges, first_col = scan_xlsx_sheet(zf, member)
                out[sheet_name] = ([(r1, c1 - first_col, r2, c2 - first_col) for r1, c1, r2, c2 in ranges],
                                   first_col)
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile):  # geometry only refines the layout
        return {}
    return out


def scan_xlsx_sheet(zf: zipfile.ZipFile, member: str) -> tuple[list[tuple[int, int, int, int]], int]:
    """Stream the sheet XML once: mergeCells sit after the data, so the whole part is scanned."""
    ranges: list[tuple[int, int, int, int]] = []
    first_col = None
    tail = b""
    with zf.open(member) as fh:
        while chunk := fh.read(1 << 22):
            block = tail + chunk
            if first_col is None and (m := _DIMENSION.search(block)):
                first_col = col_index(m.group(1))
            if b"mergeCell " in block:
                ranges.extend(
                    (int(r1), col_index(c1), int(r2), col_index(c2)) for c1, r1, c2, r2 in _MERGE.findall(block)
                )
                tail = b""
            else:
                tail = block[-200:]
    return ranges, first_col or 0


def col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def xlsx_sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    out = {}
    for sheet in book.iterfind("m:sheets/m:sheet", ns):
        target = targets.get(sheet.get(f"{{{ns['r']}}}id"), "")
        target = target.lstrip("/")
        out[sheet.get("name")] = target if target.startswith("xl/") else f"xl/{target}"
    return out


def _sheet_geometry_calamine(path: Path) -> Geometry:
    """Legacy .xls and .ods are small (65,536 rows at most), so a second read is cheap."""
    import python_calamine

    out: Geometry = {}
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            ranges = getattr(sheet, "merged_cell_ranges", None) or []
            start_col = sheet.start[1] if sheet.start else 0
            out[name] = ([(r1 + 1, c1 - start_col, r2 + 1, c2 - start_col) for (r1, c1), (r2, c2) in ranges],
                         start_col)
    except Exception:  # geometry only refines the layout; the data were already read
        return {}
    return out


# --- text files -------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: BOM first, then strict UTF-8, then GB18030.

    GB18030 is a superset of GBK and GB2312; GB2312 would turn the middle dot of minority names
    into U+30FB (domain.md §4.2 X6).
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise InputError(f"无法识别文本编码（第 {exc.start} 字节）：既不是 UTF-8 也不是 GB18030",
                         f"unknown text encoding (byte {exc.start}): neither UTF-8 nor GB18030") from None


def _read_text(path: Path, declared: str) -> Workbook:
    data = path.read_bytes()
    try:
        text, encoding = decode(data)
    except InputError as exc:
        exc.file = str(path)
        raise
    start = text.lstrip()[:4096].lower()
    if not start:
        raise InputError("文件是空的", "file is empty", file=path)
    if start.startswith("mime-version") or "content-type: multipart" in start:
        text = _html_from_mht(data)
        start = text.lstrip()[:4096].lower()
    if start.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in text[:20000]:
        return Workbook(path, "xml2003", _read_spreadsheetml(path, text), declared, encoding)
    if start.startswith("<") and "<table" in text.lower():
        return Workbook(path, "html", _read_html(path, text), declared, encoding)
    if "\x00" in text[:4096]:
        raise InputError("不是表格或文本文件", "not a spreadsheet or a text file", file=path)
    utf8 = data[3:] if encoding == "utf-8-sig" else data if encoding == "utf-8" else text.encode("utf-8")
    separator = _sniff_separator(text[:65536])
    cells = _read_delimited(utf8, separator, path)
    fmt = "tsv" if separator == "\t" else "csv"
    return Workbook(path, fmt, [Grid(str(path), "", cells, fmt, encoding)], declared, encoding)


def _sniff_separator(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    counts = {sep: sum(line.count(sep) for line in lines) for sep in ("\t", ",", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_delimited(utf8: bytes, separator: str, path: Path) -> pl.DataFrame:
    """All cells as text. The column count comes from the widest line, since a title line above
    the header has one field and polars would otherwise cut every later line to that width."""
    tail = utf8[-(1 << 20):]
    width = max(_widest_line(utf8[:1 << 20], separator), _widest_line(tail[tail.find(b"\n") + 1:], separator))
    try:
        try:
            cells = _csv(utf8, separator, width)
        except pl.exceptions.ComputeError:  # a wider line hides in the middle: count every line
            cells = _csv(utf8, separator, _widest_line(utf8, separator))
    except pl.exceptions.PolarsError as exc:
        reason = str(exc).splitlines()[0]
        raise InputError(f"无法读取文本表格（可能有未配对的引号）：{reason}",
                         f"cannot read the text table (an unmatched quote?): {reason}", file=path) from None
    return cells.with_row_index(ROW, offset=1)


def _csv(utf8: bytes, separator: str, width: int) -> pl.DataFrame:
    return pl.read_csv(utf8, has_header=False, separator=separator, quote_char='"',
                       schema={f"c{i}": pl.String for i in range(width)}, truncate_ragged_lines=False,
                       missing_columns="insert")


def _widest_line(utf8: bytes, separator: str) -> int:
    sep = separator.encode()
    lines = utf8.split(b"\n")
    return max((line.count(sep) for line in lines), default=0) + 1


class _TableParser(HTMLParser):
    """Rows of the first tables in an HTML page; colspan/rowspan become merged ranges."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str | None]]] = []
        self.spans: list[list[tuple[int, int, int, int]]] = []
        self._row: list[str | None] | None = None
        self._cell: list[str] | None = None
        self._span = (1, 1)
        self._pending: dict[tuple[int, int], bool] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append([])
            self.spans.append([])
            self._pending = {}
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._span = (_int(attrs.get("rowspan")), _int(attrs.get("colspan")))
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            r = len(self.tables[-1])
            while (r, len(self._row)) in self._pending:
                self._row.append(None)
            c = len(self._row)
            text = "".join(self._cell).strip()
            self._row.append(text or None)
            rowspan, colspan = self._span
            for dc in range(1, colspan):
                self._row.append(None)
            for dr in range(1, rowspan):
                for dc in range(colspan):
                    self._pending[(r + dr, c + dc)] = True
            if rowspan > 1 or colspan > 1:
                self.spans[-1].append((r + 1, c, r + rowspan, c + colspan - 1))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            self.tables[-1].append(self._row)
            self._row = None


def _int(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def _read_html(path: Path, text: str) -> list[Grid]:
    parser = _TableParser()
    parser.feed(text)
    grids = []
    for i, (rows, spans) in enumerate(zip(parser.tables, parser.spans)):
        if rows:
            name = f"表{i + 1}" if len(parser.tables) > 1 else ""
            grids.append(Grid(str(path), name, _frame_from_rows(rows), "html", merged=spans))
    if not grids:
        raise InputError("网页里没有表格", "HTML file contains no table", file=path)
    return grids


def _frame_from_rows(rows: list[list[str | None]]) -> pl.DataFrame:
    width = max((len(r) for r in rows), default=0)
    columns = {f"c{i}": [r[i] if i < len(r) else None for r in rows] for i in range(width)}
    return pl.DataFrame(columns, schema={k: pl.String for k in columns}).with_row_index(ROW, offset=1)


def _html_from_mht(data: bytes) -> str:
    message = email.message_from_bytes(data)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset() or decode(payload)[1]
            return payload.decode("gb18030" if charset.lower() in ("gb2312", "gbk") else charset, "replace")
    return ""


def _read_spreadsheetml(path: Path, text: str) -> list[Grid]:
    """Excel 2003 XML ("XML 电子表格"), still produced by some county systems."""
    ns = "{urn:schemas-microsoft-com:office:spreadsheet}"
    try:
        root = ElementTree.fromstring(text.encode("utf-8") if not text.startswith("<?xml") else
                                      re.sub(r'encoding="[^"]*"', 'encoding="utf-8"', text, count=1).encode())
    except ElementTree.ParseError as exc:
        raise InputError(f"XML 表格已损坏：{exc}", f"corrupt XML spreadsheet: {exc}", file=path) from None
    grids = []
    for ws in root.iter(f"{ns}Worksheet"):
        rows: list[list[str | None]] = []
        spans: list[tuple[int, int, int, int]] = []
        for row_el in ws.iter(f"{ns}Row"):
            r_index = int(row_el.get(f"{ns}Index", len(rows) + 1))
            while len(rows) < r_index - 1:
                rows.append([])
            row: list[str | None] = []
            for cell in row_el.iter(f"{ns}Cell"):
                c_index = int(cell.get(f"{ns}Index", len(row) + 1))
                row.extend([None] * (c_index - 1 - len(row)))
                data = cell.find(f"{ns}Data")
                row.append(data.text if data is not None and data.text else None)
                across, down = int(cell.get(f"{ns}MergeAcross", 0)), int(cell.get(f"{ns}MergeDown", 0))
                if across or down:
                    spans.append((r_index, c_index - 1, r_index + down, c_index - 1 + across))
                row.extend([None] * across)
            rows.append(row)
        grids.append(Grid(str(path), ws.get(f"{ns}Name", ""), _frame_from_rows(rows), "xml2003", merged=spans))
    return grids


def fill_merged(cells: pl.DataFrame, merged: list[tuple[int, int, int, int]], first_row: int,
                columns: list[str]) -> tuple[pl.DataFrame, int]:
    """Copy each merged cell's value into the cells it covers, in data rows only.

    A village or 户编号 merged over its households is one value for every row beneath it; the
    reader returns it only in the top-left cell. Returns the frame and how many cells were filled.
    """
    rows = cells[ROW].to_list()
    masks: dict[str, bytearray] = {}
    for r1, c1, r2, c2 in merged:
        lo = bisect.bisect_left(rows, max(r1 + 1, first_row))
        hi = bisect.bisect_right(rows, r2)
        if lo >= hi:
            continue
        for c in range(c1, c2 + 1):
            if f"c{c}" in columns:
                masks.setdefault(f"c{c}", bytearray(len(rows)))[lo:hi] = b"\x01" * (hi - lo)
    if not masks:
        return cells, 0
    filled = sum(mask.count(1) for mask in masks.values())
    return cells.with_columns(
        pl.when(pl.Series(list(mask)).cast(pl.Boolean))
        .then(pl.col(name).forward_fill()).otherwise(pl.col(name)).alias(name)
        for name, mask in masks.items()
    ), filled
