"""Annotated copy of each input (`--annotate`): the clerk's own workbook, every finding on its cell.

Where a finding lands:
- on the cell of its row and of its field's column in that sheet (the import's headers);
- a finding on a person's row without a column of its own (missing from another list, a
  household problem shown on each member, a field the sheet lacks) lands on that row's name
  cell, else on its ID cell;
- a cell inside a merged range moves to the range's top-left cell, the one the clerk sees, and
  its comment line names the row it came from;
- the rest (notes on a file or a sheet, a finding without a row, a row that is no person's
  without a column) is listed on an extra sheet, 未定位问题 / "Findings without a cell", whose
  first line says whether the copy holds personal data.
A cell gets one comment listing all its findings, worst first, and the fill of the worst severity.

An xlsx/xlsm is copied part by part, so styles, merged cells, widths, images and macros stay as
they are. Worksheet XML is streamed: only the rows that carry a finding are parsed; each of their
annotated cells gets a new cell style that clones its own with a fill, and empty cells are
created in column order. Every other row is copied as bytes. Comments go into new comments and
VML parts, or are merged into the sheet's own. The extra sheet is appended last, so that the
sheet indexes of defined names stay valid. Other inputs (.xls, .ods, CSV, HTML …), and xlsx files
whose rows or cells do not start with their `r` attribute, are first written as a plain xlsx of
the cells as hv.read sees them (same sheets, rows, columns and merged ranges), then annotated.

With `masked`, the cells of ID and name columns below the header (found by hv.layout on the
sheet's first rows, as the import finds it; every row when none is found) are masked with hv.mask's
rules: inline values are rewritten, shared strings are masked in the string table (so a masked
text is masked wherever it is used). The comment text is masked too.
"""

from __future__ import annotations

import os
import posixpath
import re
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from multiprocessing import get_context
from html import unescape
from pathlib import Path
from typing import IO

import polars as pl

from hv.xlsx_stream import XML_ESCAPE, Sheet, write_xlsx
from hv.findings import SEVERITIES, SEVERITY_LABELS
from hv.layout import SCAN_ROWS, Table, column_letter, find_table
from hv.mask import NAME_FIELDS, mask_findings, mask_id, mask_name
from hv.output import atomic_write, refuse_inputs
from hv.read import ROW, ZIP_MAGIC, Grid, col_index, read_workbook, scan_xlsx_sheet, xlsx_sheet_members
from hv.report import Report
from hv.report.workbook import FILLS, WIDTHS
from hv.report.workbook import TEXT as REPORT_TEXT
from hv.schema import load_schemas

TEXT = {
    "zh": {"suffix": "标注", "sheet": "未定位问题",
           "about": "以下问题不对应某一个单元格：关于整个文件或工作表，或所在行不是某个人。",
           "line": "【{}】{} {}", "suggestion": "\n  建议值：{}", "related": "\n  对照：{} {} 第 {} 行",
           "moved": "第 {} 行 ", "font": "宋体"},
    "en": {"suffix": "annotated", "sheet": "Findings without a cell",
           "about": "These findings have no single cell: they are about a whole file or sheet, or their row "
                    "is no person's.",
           "line": "[{}] {} {}", "suggestion": "\n  Suggestion: {}", "related": "\n  See {} {} row {}",
           "moved": "Row {}: ", "font": "Tahoma"},
}
CHUNK = 1 << 23  # bytes of worksheet XML handled at a time
LEVEL = 1  # deflate level: the copy is about a fifth larger than at level 6, and written three times faster
COMMENT_LIMIT = 32767  # characters Excel keeps in a comment
GREY = "#D9D9D9"
PARALLEL_BYTES = 20 << 20  # inputs this large are copied in one process per core

_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = b"http://schemas.openxmlformats.org/package/2006/relationships"
_XML_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData\b[^>]*?(/?)>")
_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row r="(\d+)"')
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(/?)>")
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_STYLE = re.compile(rb'\ss="(\d+)"')
_TAG = re.compile(rb"<(/?)(?:\w+:)?(\w+)\b[^>]*?(/?)>")
_SPANS = re.compile(rb'\sspans="[^"]*"')
_ID = re.compile(rb'\b(?:\w+:)?[iI]d="([^"]+)"')
# worksheet children that come after legacyDrawing (ECMA-376 CT_Worksheet; mc:AlternateContent wraps controls)
_AFTER_LEGACY = {b"legacyDrawingHF", b"drawingHF", b"picture", b"oleObjects", b"controls", b"webPublishItems",
                 b"tableParts", b"extLst", b"AlternateContent"}


def write_annotated(findings: pl.DataFrame, headers: pl.DataFrame, inputs: list[Path], out_dir: Path, *,
                    lang: str = "zh", masked: bool = False) -> list[Path]:
    """One annotated copy per input file, written atomically into out_dir; returns the paths written."""
    inputs = [Path(p) for p in inputs]
    outputs = _output_paths(inputs, Path(out_dir), TEXT[lang]["suffix"])
    refuse_inputs(outputs, inputs)
    if masked:
        findings = mask_findings(findings)
    jobs = [(_Job(path, findings.filter(pl.col("file") == str(path)), headers.filter(pl.col("file") == str(path)),
                  lang, masked), out) for path, out in zip(inputs, outputs, strict=True)]
    if len(jobs) < 2 or sum(path.stat().st_size for path in inputs) < PARALLEL_BYTES:
        for job, out in jobs:
            _write_copy(job, out)
        return outputs
    # a county's lists are copied side by side: the rewriting is Python work, one core per process
    with ProcessPoolExecutor(min(len(jobs), os.cpu_count() or 1), mp_context=get_context("spawn")) as pool:
        for done in [pool.submit(_write_copy, job, out) for job, out in jobs]:
            done.result()
    return outputs


def _write_copy(job: _Job, out: Path) -> None:
    atomic_write(out, job.write)


def _output_paths(inputs: list[Path], out_dir: Path, suffix: str) -> list[Path]:
    """<stem>.标注.xlsx (an xlsm stays xlsm, to keep its macros); two inputs never share a name."""
    names: list[str] = []
    for path in inputs:
        ext = ".xlsm" if path.suffix.lower() == ".xlsm" else ".xlsx"
        name, n = f"{path.stem}.{suffix}{ext}", 1
        if name in names:
            name = f"{path.name}.{suffix}{ext}"
        while name in names:
            n += 1
            name = f"{path.stem}.{suffix}-{n}{ext}"
        names.append(name)
    return [out_dir / name for name in names]


class _Unstreamable(Exception):
    """An xlsx this module cannot rewrite in place: it is annotated as a plain copy of its cells."""


@dataclass
class _Job:
    path: Path
    found: pl.DataFrame
    headers: pl.DataFrame  # this file's mapped columns: sheet, field, column (header text), letter
    lang: str
    masked: bool

    def write(self, out: Path) -> None:
        if _is_xlsx(self.path):
            try:
                _annotate_xlsx(self, self.path, out)
                return
            except _Unstreamable:
                pass
        with tempfile.TemporaryDirectory(dir=out.parent) as scratch:
            plain = Path(scratch) / "plain.xlsx"
            names = _plain_copy(self.path, plain)
            sheet = pl.col("sheet").replace(names)
            headers = (self.headers.with_columns(sheet)
                       .join(_header_letters(plain, names), on=["sheet", "column"], how="left")
                       .with_columns(pl.when(pl.col("letter") != "").then("letter").otherwise("_found")
                                     .alias("letter")).drop("_found"))
            _annotate_xlsx(_Job(self.path, self.found.with_columns(sheet), headers, self.lang, self.masked),
                           plain, out)


def _is_xlsx(path: Path) -> bool:
    with path.open("rb") as fh:
        if fh.read(4) != ZIP_MAGIC:
            return False
    try:
        with zipfile.ZipFile(path) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False


# --- other formats: a plain xlsx of the cells as read -------------------------------------------


class _Rows(Sequence):
    """A grid's rows in the shape hv.xlsx_stream writes, made into tuples a slice at a time."""

    def __init__(self, frame: pl.DataFrame):
        self.frame = frame

    def __len__(self) -> int:
        return self.frame.height

    def __getitem__(self, index):
        return self.frame[index].rows() if isinstance(index, slice) else self.frame.row(index)

    def __iter__(self) -> Iterator[tuple]:
        return self.frame.iter_rows()


def _plain_copy(path: Path, plain: Path) -> dict[str, str]:
    """Every sheet's cells at their own row and column; returns sheet as read -> sheet name in the copy."""
    sheets, names = [], {}
    for grid in read_workbook(path).grids:
        name = _unique(re.sub(r"[\[\]:*?/\\]", "_", grid.sheet or path.stem)[:31], list(names.values()))
        names[grid.sheet] = name
        pad = [pl.lit(None, pl.String).alias(f"_pad{i}") for i in range(grid.col_offset)]
        merges = [f"{column_letter(c1 + grid.col_offset)}{r1}:{column_letter(c2 + grid.col_offset)}{r2}"
                  for r1, c1, r2, c2 in grid.merged]
        sheets.append(Sheet(name, _Rows(grid.cells.sort(ROW).select(*pad, pl.exclude(ROW))), merges))
    write_xlsx(plain, sheets)
    return names


def _header_letters(plain: Path, names: dict[str, str]) -> pl.DataFrame:
    """Text files have no column letters: find each header in the copy, as the import found it."""
    rows = []
    with zipfile.ZipFile(plain) as zf:
        members = xlsx_sheet_members(zf)
        for name in names.values():
            table = _head_table(_head(zf, members[name]), name, [], None)
            rows += [{"sheet": name, "column": c.header, "_found": c.letter} for c in table.columns] if table else []
    return pl.DataFrame(rows, schema={"sheet": pl.String, "column": pl.String, "_found": pl.String}).unique(
        ["sheet", "column"], keep="first")


def _unique(name: str, taken: list[str]) -> str:
    lowered, n, candidate = {t.lower() for t in taken}, 1, name
    while candidate.lower() in lowered:
        n += 1
        candidate = f"{name[:27]} ({n})"
    return candidate


# --- where each finding goes ---------------------------------------------------------------------


def _place(found: pl.DataFrame, headers: pl.DataFrame, merges: dict[str, list[tuple[int, int, int, int]]],
           lang: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(cells, loose): one row per annotated cell (sheet, row, column index, worst severity, comment
    text), and the findings that have no cell. `headers` holds only sheets of this workbook."""
    letters = headers.select("sheet", "field", "letter").unique(["sheet", "field"], keep="first", maintain_order=True)
    person = (letters.filter(pl.col("field").is_in(["name", "id_no"])).sort(pl.col("field") != "name")
              .group_by("sheet", maintain_order=True).agg(pl.col("letter").first().alias("_person")))
    located = (found.with_row_index("_i")
               .join(letters.rename({"letter": "_own"}), on=["sheet", "field"], how="left", maintain_order="left")
               .join(person, on="sheet", how="left", maintain_order="left")
               .with_columns(pl.when(pl.col("row").is_not_null()).then(pl.coalesce(
                   "_own", pl.when(pl.col("list").is_not_null()).then(pl.col("_person")))).alias("_letter")))
    loose = located.filter(pl.col("_letter").is_null()).select(found.columns)
    placed = located.filter(pl.col("_letter").is_not_null())
    index = {letter: col_index(letter.encode()) for letter in placed["_letter"].unique()}
    placed = _to_merge_anchors(placed.with_columns(
        pl.col("_letter").replace_strict(index, return_dtype=pl.Int64).alias("_col"), pl.col("row").alias("_row")),
        merges)
    text = TEXT[lang]
    rank = pl.col("severity").replace_strict({s: i for i, s in enumerate(SEVERITIES)}, default=len(SEVERITIES))
    line = pl.concat_str(
        pl.when(pl.col("row") != pl.col("_row")).then(pl.format(text["moved"], "row")).otherwise(pl.lit("")),
        pl.format(text["line"], pl.col("severity").replace(SEVERITY_LABELS[lang]), "rule", "message"),
        pl.format(text["suggestion"], "suggestion").fill_null(""),
        pl.format(text["related"], pl.col("related_file").str.extract(r"([^/\\]+)$"),
                  pl.col("related_sheet").fill_null(""), "related_row").fill_null(""),
    )
    cells = (placed.with_columns(_rank=rank, _line=line).sort("_rank", "rule", "row", maintain_order=True)
             .group_by("sheet", "_row", "_col", maintain_order=True)
             .agg(pl.col("_rank").min(), pl.col("_line").unique(maintain_order=True).str.join("\n")
                  .str.slice(0, COMMENT_LIMIT))
             .with_columns(pl.col("_rank").replace_strict(dict(enumerate(SEVERITIES)), default="info",
                                                          return_dtype=pl.String).alias("_severity")))
    return cells, loose


def _to_merge_anchors(placed: pl.DataFrame, merges: dict[str, list[tuple[int, int, int, int]]]) -> pl.DataFrame:
    """A cell covered by a merged range is shown by the range's top-left cell: move it there."""
    parts = []
    for (sheet,), part in placed.partition_by("sheet", as_dict=True, maintain_order=True).items():
        if merges.get(sheet):
            spans = pl.DataFrame(merges[sheet], schema=["_r1", "_c1", "_r2", "_c2"], orient="row")
            anchors = (part.select("_i", "_row", "_col")
                       .join_where(spans, pl.col("_row").is_between("_r1", "_r2"),
                                   pl.col("_col").is_between("_c1", "_c2"))
                       .group_by("_i").agg(pl.col("_r1").first(), pl.col("_c1").first()))
            part = part.join(anchors, on="_i", how="left").with_columns(
                pl.coalesce("_r1", "_row").alias("_row"), pl.coalesce("_c1", "_col").alias("_col")).drop("_r1", "_c1")
        parts.append(part)
    return pl.concat(parts) if parts else placed


# --- the xlsx rewrite ----------------------------------------------------------------------------


@dataclass
class _SheetPlan:
    member: str
    cells: dict[int, dict[int, str]] = field(default_factory=dict)  # row -> column index -> severity
    comments: list[tuple[int, int, str]] = field(default_factory=list)  # row, column index, text
    mask: _Masker | None = None


def _annotate_xlsx(job: _Job, source: Path, out: Path) -> None:
    with zipfile.ZipFile(source) as zin:
        members = xlsx_sheet_members(zin)
        headers = job.headers.filter((pl.col("letter") != "") & pl.col("sheet").is_in(list(members)))
        with_rows = job.found.filter(pl.col("row").is_not_null() & pl.col("sheet").is_in(list(members)))
        with ThreadPoolExecutor(max_workers=2) as pool:  # inflating lets go of the GIL: two sheets at once
            sheets = with_rows["sheet"].unique().to_list()
            merges = dict(zip(sheets, (found[0] for found in pool.map(
                lambda s: scan_xlsx_sheet(zin, members[s]), sheets)), strict=True))
        cells, loose = _place(job.found, headers, merges, job.lang)
        masking = _masked_columns(headers) if job.masked else {}
        strings = _SharedStrings(zin) if masking else None
        plans = {}
        for sheet in sorted(set(cells["sheet"]) | set(masking)):
            head = _head(zin, members[sheet])
            _check_streamable(head)
            mask = None
            if sheet in masking:
                table = _head_table(head, sheet, merges.get(sheet, []), strings)
                mask = _Masker(masking[sheet], table.header_rows[-1] if table else 0, strings)
            plans[sheet] = _SheetPlan(members[sheet], mask=mask)
        for sheet, row, col, severity, text in cells.select("sheet", "_row", "_col", "_severity", "_line").iter_rows():
            plans[sheet].cells.setdefault(row, {})[col] = severity
            plans[sheet].comments.append((row, col, text))
        _Package(zin, job, list(plans.values()), loose, strings).write(out)


def _masked_columns(headers: pl.DataFrame) -> dict[str, dict[str, str]]:
    """sheet -> column letter -> "name" or "id": the columns whose cells a masked copy hides."""
    ids = {key for schema in load_schemas() for key, f in schema.fields.items() if f.type == "id"}
    out: dict[str, dict[str, str]] = {}
    for sheet, key, letter in headers.select("sheet", "field", "letter").iter_rows():
        if key in NAME_FIELDS or key in ids:
            out.setdefault(sheet, {})[letter] = "name" if key in NAME_FIELDS else "id"
    return out


def _head(zin: zipfile.ZipFile, member: str) -> bytes:
    """The start of a worksheet, down to the first row below the rows a header is looked for in."""
    head = b""
    with zin.open(member) as fh:
        while chunk := fh.read(1 << 16):
            head += chunk
            rows = _ROW_NUMBER.findall(head[-(1 << 17):])
            if (rows and int(rows[-1]) > SCAN_ROWS) or b"sheetData>" in head or len(head) > CHUNK:
                break
    return head


def _check_streamable(head: bytes) -> None:
    """Rows are found by `<row r="N"` and cells by `<c r="A1"`, which is how Excel, LibreOffice, WPS,
    openpyxl and xlsxwriter write them; a sheet written otherwise is copied as plain cells instead."""
    for tag in (b"row", b"c"):
        first = re.search(rb"<(?:\w+:)?" + tag + rb"\b[^>]*>", head)
        if first and not re.match(rb"<(?:\w+:)?" + tag + rb' r="', first.group(0)):
            raise _Unstreamable


def _head_table(head: bytes, sheet: str, merged: list, strings: _SharedStrings | None) -> Table | None:
    """The header the import finds in this sheet (hv.layout on its first rows)."""
    p = (_SHEET_DATA.search(head) or _ROOT.search(head)).group(1) or b""
    _, cells = _cells(head, p, b"[A-Z]+")
    cells = _with_text(cells.filter(pl.col("row").cast(pl.Int64) <= SCAN_ROWS))
    shared = cells["type"] == "s"
    if strings and shared.any():
        texts = strings.texts(cells["value"].filter(shared))
        cells = cells.with_columns(cells["text"].scatter(shared.arg_true(), texts))
    texts = {(int(row), col_index(letter.encode())): text
             for row, letter, text in cells.select("row", "letter", "text").drop_nulls().iter_rows()}
    width = max((c for _, c in texts), default=-1) + 1
    frame = pl.DataFrame({f"c{c}": [texts.get((r, c)) for r in range(1, SCAN_ROWS + 1)] for c in range(width)},
                         schema={f"c{c}": pl.String for c in range(width)}).with_row_index(ROW, offset=1)
    known = set().union(*(s.header_index for s in load_schemas()))
    return find_table(Grid("", sheet, frame, "xlsx", merged=[m for m in merged if m[0] <= SCAN_ROWS]), known)


@lru_cache(maxsize=64)
def _cell_pattern(p: bytes, letters: bytes) -> re.Pattern:
    """Cells of the given columns; groups: the cell, its column letters, row, other attributes, content."""
    return re.compile(rb'(<%sc r="(%s)(\d+)"([^>]*?)(?:/>|>(.*?)</%sc>))' % (p, letters, p), re.S)


def _cells(xml: bytes, p: bytes, letters: bytes) -> tuple[list[bytes], pl.DataFrame]:
    """XML cut at the cells of some columns: the bytes around them, and a row per cell (as text)."""
    parts = _cell_pattern(p, letters).split(xml)
    cells = pl.DataFrame({name: parts[i::6] for i, name in enumerate(_PARTS, 1)},
                         schema={name: pl.Binary for name in _PARTS})
    return parts[0::6], cells.with_columns(pl.all().cast(pl.String))


_PARTS = ("cell", "letter", "row", "attrs", "inner")
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&"}


def _with_text(cells: pl.DataFrame) -> pl.DataFrame:
    """Each cell's type, value and shown text. A shared string's text is left to the caller (its
    value is the index); an ID Excel stored as a number comes back in full digits."""
    cells = cells.with_columns(pl.col("attrs").str.extract(r'\st="(\w+)"', 1).fill_null("n").alias("type"),
                               pl.col("inner").str.extract(r"<(?:\w+:)?v>([^<]*)</", 1).alias("value"))
    cells = cells.with_columns(pl.when(pl.col("type") == "inlineStr").then(_xml_text(pl.col("inner")))
                               .when(pl.col("type").is_in(["n", "str"])).then(_unescaped(pl.col("value")))
                               .alias("text"))
    numbers = cells.select((pl.col("type") == "n") & pl.col("text").str.contains("[Ee]")).to_series().arg_true()
    if len(numbers):
        cells = cells.with_columns(cells["text"].scatter(numbers, [_digits(v) for v in cells["text"][numbers]]))
    return cells


def _digits(number: str) -> str:
    try:
        return str(int(Decimal(number)))
    except (InvalidOperation, ValueError):
        return number


def _xml_text(xml: pl.Expr) -> pl.Expr:
    """The text of a string item or an inline string: its runs without their tags, phonetic runs left out."""
    return _unescaped(xml.str.replace_all(r"(?s)<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", "").str.replace_all(r"<[^>]*>", ""))


def _unescaped(text: pl.Expr) -> pl.Expr:
    return text.str.replace_many(list(_ENTITIES), list(_ENTITIES.values()))


def _escaped(text: pl.Expr) -> pl.Expr:
    return text.str.replace_many(["&", "<", ">"], ["&amp;", "&lt;", "&gt;"])


def _masked(text: pl.Expr) -> pl.Expr:
    return pl.when(pl.col("kind") == "name").then(mask_name(text)).otherwise(mask_id(text))


class _SharedStrings:
    """The shared string table; a masked copy rewrites the entries shown in ID and name cells."""

    def __init__(self, zin: zipfile.ZipFile):
        self.member = next((n for n in zin.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
        self.xml = zin.read(self.member) if self.member else b""
        self.items = [m.span() for m in re.finditer(rb"<(?:\w+:)?si\b.*?(?:/>|</(?:\w+:)?si>)", self.xml, re.S)]
        self.masked: dict[int, str] = {}  # index -> "name" / "id"

    def _entries(self, indexes) -> pl.Series:
        return pl.Series([self.xml[slice(*self.items[i])].decode() if i < len(self.items) else "" for i in indexes],
                         dtype=pl.String)

    def texts(self, indexes: pl.Series) -> pl.Series:
        return pl.select(_xml_text(pl.lit(self._entries(indexes.cast(pl.Int64).to_list())))).to_series()

    def rewritten(self) -> bytes:
        indexes = sorted(i for i in self.masked if i < len(self.items))
        if not indexes:
            return self.xml
        p = (re.search(rb"<(\w+:)?sst\b", self.xml).group(1) or b"").decode()
        entries = pl.DataFrame({"text": self.texts(pl.Series(indexes)), "kind": [self.masked[i] for i in indexes]})
        masked = entries.select(pl.format('<{}si><{}t xml:space="preserve">{}</{}t></{}si>', *[pl.lit(p)] * 2,
                                          _escaped(_masked(pl.col("text"))), *[pl.lit(p)] * 2)).to_series()
        pieces, pos = [], 0
        for i, entry in zip(indexes, masked, strict=True):
            start, end = self.items[i]
            pieces += [self.xml[pos:start], entry.encode()]
            pos = end
        return b"".join([*pieces, self.xml[pos:]])


class _Masker:
    """Masks the ID and name cells below the header of one sheet, a block of rows at a time: the
    block is cut into the cells of the masked columns (re.split), and polars rewrites them."""

    def __init__(self, columns: dict[str, str], header_row: int, strings: _SharedStrings):
        self.columns, self.header_row, self.strings = columns, header_row, strings
        self.letters = "|".join(sorted(columns, key=len, reverse=True)).encode()

    def apply(self, region: bytes, p: bytes) -> bytes:
        prefix = p.decode()
        around, cells = _cells(region, p, self.letters)
        if cells.height == 0:
            return region
        cells = _with_text(cells).with_columns(pl.col("letter").replace_strict(self.columns).alias("kind"),
                                               (pl.col("row").cast(pl.Int64) > self.header_row).alias("below"))
        shared = cells.filter(pl.col("below") & (pl.col("type") == "s")).select(pl.col("value").cast(pl.Int64), "kind")
        self.strings.masked.update(zip(shared["value"], shared["kind"], strict=True))
        cells = cells.with_columns(_masked(pl.col("text")).alias("masked"))
        new = pl.format('<{}c r="{}{}"{} t="inlineStr"><{}is><{}t xml:space="preserve">{}</{}t></{}is></{}c>',
                        pl.lit(prefix), "letter", "row", pl.col("attrs").str.replace(r'\st="\w+"', ""),
                        *[pl.lit(prefix)] * 2, _escaped(pl.col("masked")), *[pl.lit(prefix)] * 3)
        rewrite = (pl.col("below") & (pl.col("masked") != pl.col("text"))).fill_null(False)
        out = [b""] * (2 * cells.height + 1)
        out[0::2] = around
        out[1::2] = cells.select(pl.when(rewrite).then(new).otherwise("cell")).to_series().cast(pl.Binary).to_list()
        return b"".join(out)


def _xml(text: str) -> bytes:
    return text.translate(XML_ESCAPE).replace('"', "&quot;").encode()


# --- styles ----------------------------------------------------------------------------------


class _Styles:
    """styles.xml plus the fills, font and cell styles the annotations need, appended to their lists."""

    def __init__(self, xml: bytes):
        self.xml = xml
        found = {name: _block(xml, name) for name in (b"fonts", b"fills", b"cellXfs")}
        if not all(found.values()):
            raise _Unstreamable
        self.prefix = found[b"cellXfs"].group(1) or b""
        self.xfs = re.findall(rb"<(?:\w+:)?xf\b[^>]*?(?:/>|>.*?</(?:\w+:)?xf>)", found[b"cellXfs"].group(2), re.S)
        self.fonts = re.findall(rb"<(?:\w+:)?font\b[^>]*?(?:/>|>.*?</(?:\w+:)?font>)", found[b"fonts"].group(2), re.S)
        fills = len(re.findall(rb"<(?:\w+:)?fill\b", found[b"fills"].group(2)))
        self.counts = {b"fonts": len(self.fonts), b"fills": fills, b"cellXfs": len(self.xfs)}
        self.added: dict[bytes, list[bytes]] = {name: [] for name in self.counts}
        self.cache: dict[tuple, int] = {}

    def _add(self, block: bytes, element: bytes, key: tuple) -> int:
        if key not in self.cache:
            self.added[block].append(element)
            self.cache[key] = self.counts[block] + len(self.added[block]) - 1
        return self.cache[key]

    def fill(self, color: str) -> int:
        p = self.prefix
        return self._add(b"fills", b'<%sfill><%spatternFill patternType="solid"><%sfgColor rgb="FF%s"/>'
                         b'<%sbgColor indexed="64"/></%spatternFill></%sfill>'
                         % (p, p, p, color.lstrip("#").encode(), p, p, p), ("fill", color))

    def bold(self) -> int:
        base = self.fonts[0] if self.fonts else b"<%sfont/>" % self.prefix
        end = base.find(b">")
        b = b"<%sb/>" % self.prefix
        bold = (base[:end - 1] + b">" + b + b"</%sfont>" % self.prefix if base[end - 1:end] == b"/"
                else base[:end + 1] + b + base[end + 1:])
        return self._add(b"fonts", bold, ("bold",))

    def marked(self, base: int, severity: str) -> int:
        """Cell style `base` with the severity's fill."""
        if ("xf", base, severity) in self.cache:
            return self.cache[("xf", base, severity)]
        xf = self.xfs[base] if base < len(self.xfs) else self.xfs[0]
        end = xf.find(b">")
        closed = xf[end - 1:end] == b"/"
        start = re.sub(rb'\s(?:fillId|applyFill)="[^"]*"', b"", xf[:end - closed])
        start += b' fillId="%d" applyFill="1"' % self.fill(FILLS[severity])
        return self._add(b"cellXfs", start + xf[end - closed:], ("xf", base, severity))

    def plain(self, *, bold: bool = False, fill: str | None = None) -> int:
        """A wrapped, top-aligned cell style for the extra sheet."""
        p = self.prefix
        return self._add(b"cellXfs", b'<%sxf numFmtId="0" fontId="%d" fillId="%d" borderId="0" xfId="0" applyFont="1"'
                         b' applyFill="1" applyAlignment="1"><%salignment wrapText="1" vertical="top"/></%sxf>'
                         % (p, self.bold() if bold else 0, self.fill(fill) if fill else 0, p, p),
                         ("plain", bold, fill))

    def rewritten(self) -> bytes:
        xml = self.xml
        for name, added in self.added.items():
            if added:
                block = _block(xml, name)
                start = re.sub(rb'\scount="\d+"', b"", xml[block.start():block.start(2) - 1])
                count = self.counts[name] + len(added)
                xml = xml[:block.start()] + start + b' count="%d">' % count + block.group(2) + b"".join(added) \
                    + xml[block.end(2):]
        return xml


def _block(xml: bytes, name: bytes) -> re.Match | None:
    return re.search(rb"<(\w+:)?%s\b[^>]*>(.*?)</(?:\w+:)?%s>" % (name, name), xml, re.S)


# --- the package -----------------------------------------------------------------------------


class _Package:
    """The output zip: every part copied, the annotated sheets rewritten, the new parts added."""

    def __init__(self, zin: zipfile.ZipFile, job: _Job, plans: list[_SheetPlan], loose: pl.DataFrame,
                 strings: _SharedStrings | None):
        self.zin, self.job, self.plans, self.loose, self.strings = zin, job, plans, loose, strings
        self.parts = set(zin.namelist())
        self.names = set(self.parts)  # taken part names, the new ones included
        if "xl/styles.xml" not in self.parts:
            raise _Unstreamable
        self.styles = _Styles(zin.read("xl/styles.xml"))
        self.vml_blocks = max((int(b) for n in self.names if n.lower().endswith(".vml")
                               for data in re.findall(rb'<(?:\w+:)?idmap\b[^>]*\bdata="([^"]*)"', zin.read(n))
                               for b in re.findall(rb"\d+", data)), default=0)
        commented = [plan.member for plan in plans if plan.comments]
        self.rels = {member: posixpath.join(posixpath.dirname(member), "_rels", posixpath.basename(member) + ".rels")
                     for member in commented}
        self.own = {member: self._sheet_rels(rels) for member, rels in self.rels.items()}
        self.new_rids = {member: self._free_rids(self.rels[member]) for member in commented}
        self.new_comments = {member: self._new_name("xl/comments{}.xml") for member in commented
                             if not any(kind == "comments" for kind, _ in self.own[member].values())}
        self.new_vml = {member: self._new_name("xl/drawings/vmlDrawing{}.vml") for member in commented}
        self.extra = self._new_name("xl/worksheets/sheet{}.xml")
        self.extra_rid = self._free_rids("xl/_rels/workbook.xml.rels")[0]
        # parts rewritten only after the sheets are streamed: styles, strings, and each commented
        # sheet's relationships, comments and VML drawings
        self.deferred = {"xl/styles.xml", *self.rels.values(),
                         *(path for own in self.own.values() for _, path in own.values())}
        if strings and strings.member:
            self.deferred.add(strings.member)

    def _sheet_rels(self, rels: str) -> dict[str, tuple[str, str]]:
        """Id -> (kind, part) of a sheet's relationships to comments and VML drawings."""
        out = {}
        if rels in self.parts:
            base = posixpath.dirname(posixpath.dirname(rels))
            for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", self.zin.read(rels)):
                kind = re.search(rb'Type="[^"]*/(\w+)"', tag)
                target = re.search(rb'Target="([^"]*)"', tag).group(1).decode()
                if kind and kind.group(1) in (b"comments", b"vmlDrawing") and b'"External"' not in tag:
                    path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
                    out[_ID.search(tag).group(1).decode()] = (kind.group(1).decode(), path)
        return out

    def _free_rids(self, rels: str) -> tuple[str, str]:
        ids = re.findall(rb'\bId="rId(\d+)"', self.zin.read(rels)) if rels in self.parts else []
        top = max((int(i) for i in ids), default=0)
        return f"rId{top + 1}", f"rId{top + 2}"

    def _new_name(self, pattern: str) -> str:
        n = 1
        while pattern.format(n).lower() in {name.lower() for name in self.names}:
            n += 1
        self.names.add(pattern.format(n))
        return pattern.format(n)

    def write(self, out: Path) -> None:
        extra = self._extra_sheet()
        streamed = {plan.member: plan for plan in self.plans}
        rewritten: dict[str, bytes] = {}
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=LEVEL) as zout:
            for info in self.zin.infolist():
                name = info.filename
                if name in self.deferred:
                    continue
                if name == "[Content_Types].xml":
                    _put(zout, info, self._content_types(self.zin.read(name)))
                elif name == "xl/workbook.xml":
                    _put(zout, info, self._workbook(self.zin.read(name)))
                elif name == "xl/_rels/workbook.xml.rels":
                    _put(zout, info, self._workbook_rels(self.zin.read(name)))
                elif name in streamed:
                    plan = streamed[name]
                    drawing = self.new_rids[name][0] if plan.comments else None
                    with self.zin.open(info) as src, zout.open(_info(info), "w", force_zip64=_large(info)) as dst:
                        existing = _SheetStream(plan, self.styles, drawing).run(src, dst)
                    if plan.comments:
                        rewritten.update(self._comment_parts(plan, existing))
                else:
                    _copy(self.zin, info, zout)
            _put(zout, zipfile.ZipInfo(self.extra), extra)
            if self.strings and self.strings.member:
                rewritten[self.strings.member] = self.strings.rewritten()
            rewritten["xl/styles.xml"] = self.styles.rewritten()
            for name in sorted(self.deferred - rewritten.keys()):
                if name in self.parts:
                    _copy(self.zin, self.zin.getinfo(name), zout)
            for name, data in rewritten.items():
                _put(zout, self.zin.getinfo(name) if name in self.parts else zipfile.ZipInfo(name), data)

    def _comment_parts(self, plan: _SheetPlan, existing: str | None) -> dict[str, bytes]:
        """The sheet's comments, the VML drawing that shows them, and its relationships."""
        own, (drawing_rid, comments_rid) = self.own[plan.member], self.new_rids[plan.member]
        comments = sorted(plan.comments)
        font = TEXT[self.job.lang]["font"]
        parts, new_rels = {}, []
        comments_part = next((path for kind, path in own.values() if kind == "comments"), None)
        if comments_part:
            parts[comments_part], shown = _merge_comments(self.zin.read(comments_part), comments, font)
        else:
            comments_part, shown = self.new_comments[plan.member], comments
            parts[comments_part] = _comments_xml(comments, font)
            new_rels.append((comments_rid, b"comments", comments_part))
        blocks = list(range(self.vml_blocks + 1, self.vml_blocks + 2 + len(shown) // 1024))
        shapes = _vml_shapes(shown, blocks[0] * 1024 + 1)
        if existing in own and own[existing][0] == "vmlDrawing":
            if shown:
                parts[own[existing][1]] = _merge_vml(self.zin.read(own[existing][1]), shapes, blocks)
                self.vml_blocks = blocks[-1]
        else:
            self.vml_blocks = blocks[-1]
            parts[self.new_vml[plan.member]] = _vml(shapes, blocks)
            new_rels.append((drawing_rid, b"vmlDrawing", self.new_vml[plan.member]))
        rels = self.rels[plan.member]
        xml = self.zin.read(rels) if rels in self.parts else (
            _XML_DECL + b'<Relationships xmlns="%s"></Relationships>' % _PKG)
        base = posixpath.dirname(plan.member)
        parts[rels] = _insert_before_close(xml, b"Relationships", b"".join(
            b'<Relationship Id="%s" Type="%s/%s" Target="%s"/>' % (
                rid.encode(), _REL, kind, posixpath.relpath(target, base).encode()) for rid, kind, target in new_rels))
        return parts

    def _content_types(self, xml: bytes) -> bytes:
        types = b"application/vnd.openxmlformats-officedocument."
        overrides = [(self.extra, b"spreadsheetml.worksheet"), *((p, b"spreadsheetml.comments")
                                                                for p in self.new_comments.values())]
        added = b"".join(b'<Override PartName="/%s" ContentType="%s%s+xml"/>' % (part.encode(), types, kind)
                         for part, kind in overrides)
        if self.new_vml and not re.search(rb'<Default\b[^>]*Extension="vml"', xml, re.I):
            added += b'<Default Extension="vml" ContentType="%svmlDrawing"/>' % types
        return _insert_before_close(xml, b"Types", added)

    def _workbook(self, xml: bytes) -> bytes:
        taken = [unescape(n.decode()) for n in re.findall(rb'<(?:\w+:)?sheet\b[^>]*\bname="([^"]*)"', xml)]
        sheet_id = max((int(i) for i in re.findall(rb'\bsheetId="(\d+)"', xml)), default=0) + 1
        p = re.search(rb"<(\w+:)?sheets\b", xml).group(1) or b""
        r, declare = _rel_prefix(xml)
        sheet = b'<%ssheet%s name="%s" sheetId="%d" %s:id="%s"/>' % (
            p, declare, _xml(_unique(TEXT[self.job.lang]["sheet"], taken)), sheet_id, r, self.extra_rid.encode())
        return _insert_before_close(xml, b"sheets", sheet)

    def _workbook_rels(self, xml: bytes) -> bytes:
        rel = b'<Relationship Id="%s" Type="%s/worksheet" Target="%s"/>' % (
            self.extra_rid.encode(), _REL, posixpath.relpath(self.extra, "xl").encode())
        return _insert_before_close(xml, b"Relationships", rel)

    def _extra_sheet(self) -> bytes:
        """The findings without a cell, under a line saying whether the copy holds personal data."""
        lang, styles = self.job.lang, self.styles
        report = Report(self.loose, lang=lang, masked=self.job.masked)
        keys = [k for k in report.columns if k != "file"]
        labelled = report.labelled()
        labelled = labelled.drop(labelled.columns[report.columns.index("file")]).with_columns(
            pl.col(pl.Datetime).dt.strftime("%Y-%m-%d %H:%M"))
        header, wrap = styles.plain(bold=True, fill=GREY), styles.plain()
        notice = REPORT_TEXT[lang]["masked" if self.job.masked else "personal"]
        rows = [_row_xml(1, [(notice, styles.plain(bold=True))]),
                _row_xml(2, [(TEXT[lang]["about"], wrap)]),
                _row_xml(3, [(label, header) for label in labelled.columns])]
        severity = keys.index("severity")
        for n, (values, level) in enumerate(zip(labelled.iter_rows(), self.loose["severity"], strict=True), start=4):
            rows.append(_row_xml(n, [(v, styles.plain(fill=FILLS[level]) if i == severity and level in FILLS else wrap)
                                     for i, v in enumerate(values)]))
        cols = b"".join(b'<col min="%d" max="%d" width="%d" customWidth="1"/>' % (i + 1, i + 1, WIDTHS.get(k, 12))
                        for i, k in enumerate(keys))
        return (_XML_DECL + b'<worksheet xmlns="%s"><sheetViews><sheetView workbookViewId="0"><pane ySplit="3" '
                b'topLeftCell="A4" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><cols>%s</cols>'
                b"<sheetData>%s</sheetData></worksheet>" % (_MAIN, cols, b"".join(rows)))


def _row_xml(number: int, cells: list[tuple[str | float | None, int]]) -> bytes:
    def cell(ref: bytes, value: str | float | None, style: int) -> bytes:
        if value is None or value == "":
            return b'<c r="%s" s="%d"/>' % (ref, style)
        if isinstance(value, str):
            return b'<c r="%s" s="%d" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>' % (
                ref, style, _xml(value))
        return b'<c r="%s" s="%d"><v>%s</v></c>' % (ref, style, repr(value).encode())

    return b'<row r="%d">%s</row>' % (number, b"".join(
        cell(b"%s%d" % (column_letter(i).encode(), number), value, style) for i, (value, style) in enumerate(cells)))


def _rel_prefix(xml: bytes) -> tuple[bytes, bytes]:
    """The prefix a part uses for the relationships namespace, and a declaration if it has none."""
    declared = re.search(rb'xmlns:(\w+)="%s"' % _REL, xml)
    return (declared.group(1), b"") if declared else (b"r", b' xmlns:r="%s"' % _REL)


def _insert_before_close(xml: bytes, element: bytes, insert: bytes) -> bytes:
    close = re.search(rb"</(?:\w+:)?%s>" % element, xml)
    if close:
        return xml[:close.start()] + insert + xml[close.start():]
    empty = re.search(rb"<((\w+:)?%s\b[^>]*?)\s*/>" % element, xml)  # e.g. <Relationships xmlns="…"/>
    return xml[:empty.start()] + b"<%s>%s</%s%s>" % (empty.group(1), insert, empty.group(2) or b"", element) \
        + xml[empty.end():]


def _info(source: zipfile.ZipInfo) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(source.filename, source.date_time)
    info.compress_type = source.compress_type
    info.external_attr = source.external_attr
    return info


def _put(zout: zipfile.ZipFile, source: zipfile.ZipInfo, data: bytes) -> None:
    info = _info(source)
    info.compress_type = zipfile.ZIP_DEFLATED
    zout.writestr(info, data, compresslevel=LEVEL)


def _large(info: zipfile.ZipInfo) -> bool:
    """A part that may outgrow zip's 2 GB limit once rewritten needs zip64 headers; others get none, as from Excel."""
    return info.file_size > zipfile.ZIP64_LIMIT // 2


def _copy(zin: zipfile.ZipFile, info: zipfile.ZipInfo, zout: zipfile.ZipFile) -> None:
    with zin.open(info) as src, zout.open(_info(info), "w", force_zip64=_large(info)) as dst:
        while chunk := src.read(CHUNK):
            dst.write(chunk)


# --- one worksheet, streamed ------------------------------------------------------------------


class _SheetStream:
    """Copies a worksheet's XML, rewriting only the rows that carry findings (and, masked, the ID
    and name cells). Rows are found by byte search: a row without a finding is never parsed."""

    def __init__(self, plan: _SheetPlan, styles: _Styles, drawing_rid: str | None):
        self.plan, self.styles, self.drawing_rid = plan, styles, drawing_rid
        self.rows = sorted(plan.cells)
        self.next = 0  # index into self.rows of the next row to rewrite
        self.p = b""  # the namespace prefix of the sheet's elements, usually none
        self.cell_start = re.compile(rb'<c r="([A-Z]+)')

    def run(self, src: IO[bytes], dst: IO[bytes]) -> str | None:
        """Stream the sheet; returns the Id of the legacy drawing the sheet already had, if any."""
        with ThreadPoolExecutor(max_workers=2) as pool:
            io = _Overlapped(src, dst, pool)
            existing = self._stream(io)
            io.finish()
        return existing

    def _stream(self, io: _Overlapped) -> str | None:
        buf = b""
        while not (start := _SHEET_DATA.search(buf)):
            if not (chunk := io.read()):
                raise _Unstreamable
            buf += chunk
        p = self.p = start.group(1) or b""
        self.cell_start = re.compile(rb'<%sc r="([A-Z]+)' % p)
        root = re.search(rb"<(?:\w+:)?worksheet\b[^>]*>", buf).group(0)
        close, row_close = b"</%ssheetData>" % p, b"</%srow>" % p
        io.write(buf[:start.start()] + b"<%ssheetData>" % p)
        buf = close + buf[start.end():] if start.group(2) else buf[start.end():]
        while (end := buf.find(close)) < 0:
            if (cut := buf.rfind(row_close)) >= 0:
                cut += len(row_close)
                io.write(self._rows(buf[:cut], final=False))
                buf = buf[cut:]
            if not (chunk := io.read()):
                raise _Unstreamable
            buf += chunk
        io.write(self._rows(buf[:end], final=True) + close)
        tail = buf[end + len(close):]
        while chunk := io.read():
            tail += chunk
        slot, existing = _legacy_slot(tail)
        if self.drawing_rid and existing is None:
            r, declare = _rel_prefix(root)
            tail = tail[:slot] + b'<%slegacyDrawing%s %s:id="%s"/>' % (p, declare, r, self.drawing_rid.encode()) \
                + tail[slot:]
        io.write(tail)
        return existing

    def _rows(self, region: bytes, final: bool) -> bytes:
        """A block of whole rows, with the rows that carry findings rewritten."""
        if self.plan.mask:
            region = self.plan.mask.apply(region, self.p)
        if self.next >= len(self.rows):
            return region
        last_row = _ROW_NUMBER.match(region, max(region.rfind(b"<%srow " % self.p), 0))
        last = float("inf") if final else int(last_row.group(1)) if last_row else 0
        pieces, pos = [], 0
        while self.next < len(self.rows) and self.rows[self.next] <= last:
            number = self.rows[self.next]
            self.next += 1
            at = region.find(b'<%srow r="%d"' % (self.p, number), pos)
            if at < 0:  # the row is not in the file: insert it before the first row below it
                below = next((m for m in _ROW_NUMBER.finditer(region, pos) if int(m.group(1)) > number), None)
                at = below.start() if below else len(region)
                pieces += [region[pos:at], self._row(b'<%srow r="%d">' % (self.p, number), number)]
                pos = at
                continue
            tag = _ROW_TAG.match(region, at)
            end = tag.end() if tag.group(2) else region.find(b"</%srow>" % self.p, tag.end())
            pieces += [region[pos:at], self._row(region[at:end], number)]
            pos = end if tag.group(2) else end + len(b"</%srow>" % self.p)
        return b"".join([*pieces, region[pos:]])

    def _row(self, row: bytes, number: int) -> bytes:
        """One row (without its end tag) with its annotated cells restyled and missing ones created.
        Only cell start tags are read: a style is an attribute of the start tag."""
        wanted = self.plan.cells[number]
        tag = _ROW_TAG.match(row)
        starts = [(col_index(m.group(1)), m.start()) for m in self.cell_start.finditer(row, tag.end())]
        missing = sorted(set(wanted) - {col for col, _ in starts})
        pieces, pos, k = [], tag.end(), 0
        for col, at in starts:
            new = []
            while k < len(missing) and missing[k] < col:
                new.append(self._new_cell(missing[k], number, wanted[missing[k]]))
                k += 1
            if new or col in wanted:
                pieces += [row[pos:at], *new]
                pos = at
            if col in wanted:
                end = row.find(b">", at)
                pieces.append(self._restyle(row[at:end], wanted[col]))
                pos = end
        if k < len(missing):  # after the last cell, before anything else the row holds (extLst)
            end = tag.end()
            if starts:
                closed = row.find(b">", starts[-1][1])
                end = closed + 1 if row[closed - 1:closed] == b"/" else (
                    row.find(b"</%sc>" % self.p, closed) + len(b"</%sc>" % self.p))
            pieces += [row[pos:end], *(self._new_cell(c, number, wanted[c]) for c in missing[k:])]
            pos = end
        attrs = _SPANS.sub(b"", tag.group(1)) if missing else tag.group(1)
        return b"<%srow%s>%s%s</%srow>" % (self.p, attrs, b"".join(pieces), row[pos:], self.p)

    def _restyle(self, head: bytes, severity: str) -> bytes:
        """A cell's start tag (up to its `>` or `/>`) with the style of its own plus a fill."""
        style = _STYLE.search(head)
        new = b' s="%d"' % self.styles.marked(int(style.group(1)) if style else 0, severity)
        at = (style.start(), style.end()) if style else (_REF.search(head).end(),) * 2
        return head[:at[0]] + new + head[at[1]:]

    def _new_cell(self, col: int, number: int, severity: str) -> bytes:
        return b'<%sc r="%s%d" s="%d"/>' % (self.p, column_letter(col).encode(), number,
                                           self.styles.marked(0, severity))


class _Overlapped:
    """Reads ahead and writes behind on worker threads: zlib lets go of the GIL while it inflates
    and deflates, so both run beside the Python work on the rows (the machine has two cores)."""

    def __init__(self, src: IO[bytes], dst: IO[bytes], pool: ThreadPoolExecutor):
        self.src, self.dst, self.pool = src, dst, pool
        self.reading = pool.submit(src.read, CHUNK)
        self.writing: Future | None = None

    def read(self) -> bytes:
        chunk = self.reading.result()
        self.reading = self.pool.submit(self.src.read, CHUNK)
        return chunk

    def write(self, data: bytes) -> None:
        self.finish()
        self.writing = self.pool.submit(self.dst.write, data)

    def finish(self) -> None:
        if self.writing:
            self.writing.result()


def _legacy_slot(tail: bytes) -> tuple[int, str | None]:
    """Where a legacyDrawing element goes after sheetData, or the Id of the one already there."""
    depth = 0
    for m in _TAG.finditer(tail):
        closing, name, empty = m.groups()
        if closing:
            depth -= 1
            if depth < 0:
                return m.start(), None
        elif depth == 0 and name == b"legacyDrawing":
            return m.start(), _ID.search(m.group(0)).group(1).decode()
        elif depth == 0 and name in _AFTER_LEGACY:
            return m.start(), None
        else:
            depth += not empty
    return len(tail), None


# --- comments and the VML drawing that shows them -------------------------------------------------


def _runs(text: str, font: str, p: bytes = b"") -> bytes:
    return b'<%sr><%srPr><%ssz val="9"/><%srFont val="%s"/></%srPr><%st xml:space="preserve">%s</%st></%sr>' % (
        p, p, p, p, font.encode(), p, p, _xml(text), p, p)


def _comments_xml(comments: list[tuple[int, int, str]], font: str) -> bytes:
    body = b"".join(b'<comment ref="%s%d" authorId="0"><text>%s</text></comment>' % (
        column_letter(col).encode(), row, _runs(text, font)) for row, col, text in comments)
    return _XML_DECL + b'<comments xmlns="%s"><authors><author>hv</author></authors><commentList>%s</commentList>' \
        b"</comments>" % (_MAIN, body)


def _merge_comments(xml: bytes, comments: list[tuple[int, int, str]], font: str
                    ) -> tuple[bytes, list[tuple[int, int, str]]]:
    """The sheet's own comments plus ours; a cell that has a comment gets our text appended to it.
    Returns the XML and the comments that need a shape of their own."""
    p = re.search(rb"<(\w+:)?comments\b", xml).group(1) or b""
    author = len(re.findall(rb"<(?:\w+:)?author\b", xml))
    xml = _insert_before_close(xml, b"authors", b"<%sauthor>hv</%sauthor>" % (p, p))
    existing = {m.group(1): m.start() for m in re.finditer(rb'<(?:\w+:)?comment\b[^>]*\bref="([A-Z]+\d+)"', xml)}
    appended, shown = {}, []
    for row, col, text in comments:
        ref = b"%s%d" % (column_letter(col).encode(), row)
        if ref in existing:
            appended[existing[ref]] = _runs("\n" + text, font, p)
        else:
            shown.append((row, col, text))
    pieces, pos = [], 0
    for start in sorted(appended):
        text_end = xml.rfind(b"</%stext>" % p, start, xml.find(b"</%scomment>" % p, start))
        pieces += [xml[pos:text_end], appended[start]]
        pos = text_end
    xml = b"".join([*pieces, xml[pos:]])
    new = b"".join(b'<%scomment ref="%s%d" authorId="%d"><%stext>%s</%stext></%scomment>' % (
        p, column_letter(col).encode(), row, author, p, _runs(text, font, p), p, p) for row, col, text in shown)
    return _insert_before_close(xml, b"commentList", new), shown


_SHAPE_TYPE = (b'<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
               b'<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')


def _vml_shapes(comments: list[tuple[int, int, str]], first_id: int) -> bytes:
    """One hidden note per comment, anchored beside its cell and about as tall as its text."""
    shapes = []
    for n, (row, col, text) in enumerate(comments):
        height = min(max(sum(1 + len(line) // 24 for line in text.split("\n")) + 1, 4), 40)  # in rows
        top = max(row - 2, 0)
        shapes.append(
            b'<v:shape id="_x0000_s%d" type="#_x0000_t202" style="position:absolute;margin-left:%dpt;'
            b'margin-top:%dpt;width:240pt;height:%dpt;z-index:%d;visibility:hidden" fillcolor="#ffffe1" '
            b'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            b'<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left">'
            b"</div></v:textbox><x:ClientData ObjectType=\"Note\"><x:MoveWithCells/><x:SizeWithCells/>"
            b"<x:Anchor>%d, 15, %d, 10, %d, 15, %d, 4</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>%d</x:Row>"
            b"<x:Column>%d</x:Column></x:ClientData></v:shape>"
            % (first_id + n, 48 * (col + 1) + 10, 15 * top + 2, 15 * height, n + 1, col + 1, top, col + 5,
               top + height, row - 1, col))
    return b"".join(shapes)


_VML_NAMESPACES = {b"v": b"urn:schemas-microsoft-com:vml", b"o": b"urn:schemas-microsoft-com:office:office",
                   b"x": b"urn:schemas-microsoft-com:office:excel"}


def _vml(shapes: bytes, blocks: list[int]) -> bytes:
    return b'<xml%s><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="%s"/></o:shapelayout>%s%s</xml>' % (
        b"".join(b' xmlns:%s="%s"' % item for item in _VML_NAMESPACES.items()), ",".join(map(str, blocks)).encode(),
        _SHAPE_TYPE, shapes)


def _merge_vml(xml: bytes, shapes: bytes, blocks: list[int]) -> bytes:
    """Our shapes added to a sheet's own drawing, numbered in shape-id blocks of their own. The
    drawing may bind the VML namespaces to other prefixes (openpyxl: ns0, ns1 …): ours are declared."""
    ids = ",".join(map(str, blocks)).encode()
    root = re.search(rb"<xml\b[^>]*>", xml)
    declare = b"".join(b' xmlns:%s="%s"' % (prefix, uri) for prefix, uri in _VML_NAMESPACES.items()
                       if b"xmlns:%s=" % prefix not in root.group(0))
    xml = xml[:root.end() - 1] + declare + xml[root.end() - 1:]
    if idmap := re.search(rb'<(?:\w+:)?idmap\b[^>]*\bdata="([^"]*)"', xml):
        xml = xml[:idmap.end(1)] + b"," + ids + xml[idmap.end(1):]
    else:
        at = root.end() + len(declare)
        xml = xml[:at] + b'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="%s"/></o:shapelayout>' % ids \
            + xml[at:]
    if b'id="_x0000_t202"' not in xml:
        shapes = _SHAPE_TYPE + shapes
    close = xml.rfind(b"</xml>")
    return xml[:close] + shapes + xml[close:]
