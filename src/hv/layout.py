"""Where the table is inside a sheet: the header row(s), the data rows, and what to drop.

The header is found, not assumed (design.md §3): clerks put title rows and a 填报单位 line above
it, merge group headers over two rows, and end sheets with 合计 rows and signatures.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from hv.read import ROW, Grid, fill_merged
from hv.schema import header_candidates, header_core, normalize_value

SCAN_ROWS = 30
MIN_HEADER_MATCHES = 2
_ID_LIKE = re.compile(r"^\s*\d{15}(\d{2}[\dXx])?\s*$")
# A row is a total or a note when one of its first cells starts like this.
_FOOTER = (r"^(?:[^\x1f]*\x1f)?\s*(?:合\s*计|小\s*计|总\s*计|累\s*计|本页合计|全.{0,4}合计|"
           r"制表|审核|填表|填报人|负责人|联系人|统计人|单位负责|说明[:：]|注[:：]|备注[:：])")


@dataclass
class Column:
    name: str  # grid column, c0…cN
    header: str  # the header text as the clerk sees it
    candidates: list[str]  # normalised spellings to look up in a schema
    letter: str  # Excel column letter (empty for text files)
    group: str = ""  # the group header merged above it (履约情况/高血压患者), if any
    # the header under its group, as one spelling: names a field exactly, never by resemblance
    group_candidates: list[str] = field(default_factory=list)
    repeated: bool = False  # another column of the sheet has the same header

    @property
    def qualified(self) -> str:
        """The header as a clerk finds it: with its group where columns of one name are told apart by it."""
        return f"{self.group}/{self.header}" if self.group and self.repeated else self.header


@dataclass
class Table:
    grid: Grid
    header_rows: tuple[int, ...]
    columns: list[Column]
    data: pl.DataFrame  # `row` plus the grid columns, data rows only
    title_rows: int = 0
    dropped_total: int = 0
    dropped_blank: int = 0
    dropped_repeated_header: int = 0
    dropped_column_numbers: int = 0  # a 栏次 row (1, 2, 3 … or 甲, 乙, 丙 …) under the header
    merged_filled: int = 0
    stated_date: date | None = None  # the date the sheet says it is as of (填报日期, 截至 …)
    title: str = ""  # the text above the header (XX县建档立卡贫困人口花名册, 填报单位 …)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def find_table(grid: Grid, known: set[str]) -> Table | None:
    """The table in a sheet, or None when no row looks like a header of a known list."""
    columns = [c for c in grid.cells.columns if c != ROW]
    top = grid.cells.head(SCAN_ROWS)
    rows = [[row[c] for c in columns] for row in top.iter_rows(named=True)]
    notes = [_is_note_row(r, i, grid) for i, r in enumerate(rows)]
    best = _best_header(rows, columns, grid, known, notes)
    if best is None:
        return None
    header_idx, headers = best
    header_rows = tuple(top[ROW][i] for i in header_idx)
    last_header = header_rows[-1]
    headers = _from_vertical_merges(headers, rows, top[ROW].to_list(), header_rows[0], grid)
    groups = _groups_above(rows, header_idx[0], top[ROW].to_list(), grid, notes, len(columns))
    text_file = grid.fmt in ("csv", "tsv")
    cols = [
        Column(name, text, header_candidates(text) if text else [], "" if text_file else column_letter(i + grid.col_offset),
               group, _group_candidates(text, group))
        for i, (name, text, group) in enumerate(zip(columns, headers, groups))
    ]
    seen = Counter(c.header for c in cols if c.header)
    for c in cols:
        c.repeated = seen[c.header] > 1
    body = grid.cells.filter(pl.col(ROW) > last_header)
    body, filled = fill_merged(body, grid.merged, last_header + 1, columns)
    above = [r for i, r in enumerate(rows) if i < header_idx[0]]
    title_rows = sum(1 for r in above if any(_text(v) for v in r))
    texts = [v.strip() for r in above for v in r if v and v.strip()]
    table = Table(grid, header_rows, cols, body, title_rows=title_rows, merged_filled=filled,
                  stated_date=stated_date(texts), title=" ".join(texts))
    return _drop_non_data(table)


def _group_candidates(header: str, group: str) -> list[str]:
    """The header under its group as one spelling (never the group alone: 建档立卡贫困户类型 over
    服务类型 does not make that column a 贫困户类型)."""
    if not (group and header):
        return []
    whole = normalize_value(f"{group}/{header}")
    return list(dict.fromkeys((whole, whole.replace("/", ""), header_core(whole.replace("/", "")))))


# A row above the header is a note, not a header, when it says so (注：, 说明, 填表说明 …) or is one
# long sentence; merged over the whole width it is a title. Neither names a column.
_NOTE_START = re.compile(r"^\s*(?:注|说明|备注|填表说明|填报说明|填报单位|单位|制表|填表人|编制|附件|附表)\s*\d*\s*[:：、.]")
NOTE_LENGTH = 30


def _is_note_row(row: list[str | None], i: int, grid: Grid) -> bool:
    texts = [_text(v) for v in row if _text(v)]
    if not texts or len(texts) > 2:
        return False
    if any(_NOTE_START.match(t) or len(t) > NOTE_LENGTH for t in texts):
        return True
    return len(texts) == 1 and _spans_most(grid, i, len(row))


def _spans_most(grid: Grid, i: int, width: int) -> bool:
    """A cell of this grid row is merged across most of the sheet's width (a title)."""
    row_no = grid.cells[ROW][i]
    return any(r1 == row_no and (c2 - c1 + 1) >= max(2, 0.6 * width) for r1, c1, r2, c2 in grid.merged)


def _from_vertical_merges(headers: list[str], rows: list[list[str | None]], row_numbers: list[int],
                          first_header_row: int, grid: Grid) -> list[str]:
    """A header cell merged down from above (序号 over three header rows) reads as its top cell."""
    out = list(headers)
    index = {r: i for i, r in enumerate(row_numbers)}
    for r1, c1, r2, c2 in grid.merged:
        if r1 < first_header_row <= r2 and c1 == c2 and r1 in index and c1 < len(out) and not out[c1]:
            out[c1] = _display(rows[index[r1]][c1])
    return out


def _groups_above(rows: list[list[str | None]], first: int, row_numbers: list[int], grid: Grid,
                  notes: list[bool], width: int) -> list[str]:
    """Each column's group headers: cells merged across several (not most) columns in the two rows
    just above the header, e.g. 履约情况 / 高血压患者 over 签约后随访次数."""
    groups = [""] * width
    for i in range(max(0, first - 2), first):
        if notes[i]:
            continue
        for r1, c1, r2, c2 in grid.merged:
            if r1 == row_numbers[i] and c2 > c1 and (c2 - c1 + 1) < 0.6 * width and c1 < width:
                text = _display(rows[i][c1])
                for c in range(c1, min(c2, width - 1) + 1):
                    groups[c] = f"{groups[c]}/{text}" if groups[c] else text
    return groups


_DATE_WORDS = re.compile(
    r"(?:填报日期|填表日期|报表日期|统计日期|数据日期|统计时间|导出时间|导出日期|截至|截止|截止日期|截至日期|时间|日期)\s*[:：]?\s*"
    r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def stated_date(texts: list[str]) -> date | None:
    """The date a sheet says its data are as of, in a title or note line (填报日期：2020年12月31日)."""
    for text in texts:
        if m := _DATE_WORDS.search(str(text)):
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    return None


def _text(value: str | None) -> str:
    return value.strip() if value else ""


def _matches(cells: list[str | None], known: set[str]) -> int:
    return sum(1 for v in cells if v and any(c in known for c in header_candidates(v)))


def _best_header(rows: list[list[str | None]], columns: list[str], grid: Grid,
                 known: set[str], notes: list[bool]) -> tuple[tuple[int, ...], list[str]] | None:
    """Score every row, and every pair of rows as a two-row header; the best one wins.

    A pair wins only when it recognises more columns than either of its rows alone, so a plain
    header followed by data is never merged with the first data row. A note or title row is
    never a header, nor half of one.
    """
    singles = [0 if note else _matches(r, known) for r, note in zip(rows, notes)]
    best: tuple[int, tuple[int, ...], list[str]] | None = None
    for i, score in enumerate(singles):
        if score >= MIN_HEADER_MATCHES and (best is None or score > best[0]):
            best = (score, (i,), [_display(v) for v in rows[i]])
    for i in range(len(rows) - 1):
        if notes[i] or notes[i + 1] or (not singles[i] and not singles[i + 1]):
            continue
        if any(v and _ID_LIKE.match(v) for v in rows[i + 1]):
            continue
        headers, score = _combine(rows[i], rows[i + 1], i, grid, known)
        if score >= MIN_HEADER_MATCHES and score > max(singles[i], singles[i + 1]) and (
                best is None or score > best[0]):
            best = (score, (i, i + 1), headers)
    return None if best is None else (best[1], best[2])


def _display(value: str | None) -> str:
    return " ".join(value.split()) if value else ""


def _combine(upper: list[str | None], lower: list[str | None], i: int, grid: Grid,
             known: set[str]) -> tuple[list[str], int]:
    """Header names of a two-row header: a group cell merged across is repeated over its columns,
    and each column takes the most specific spelling that a schema knows."""
    row_no = grid.cells[ROW][i]
    spans = [(c1, c2) for r1, c1, r2, c2 in grid.merged if r1 == row_no and c2 > c1]
    filled = list(upper)
    if spans:
        for c1, c2 in spans:
            for c in range(c1 + 1, min(c2, len(filled) - 1) + 1):
                filled[c] = filled[c] or upper[c1]
    else:  # no merge information (text files): a group title runs on over its sub-headers
        for c in range(1, len(filled)):
            if not filled[c] and lower[c]:
                filled[c] = filled[c - 1]
    headers, score = [], 0
    for up, low in zip(filled, lower):
        options = [o for o in ((up + low) if up and low else None, low, up) if o]
        chosen = next((o for o in options if any(c in known for c in header_candidates(o))), None)
        score += chosen is not None
        headers.append(_display(chosen or low or up))
    return headers, score


def _drop_non_data(table: Table) -> Table:
    """Drop blank rows, 合计/小计 and signature rows, and header rows repeated for printing."""
    columns = [c.name for c in table.columns]
    body = table.data
    if not columns or body.height == 0:
        return table
    blank = pl.all_horizontal(pl.col(c).is_null() | (pl.col(c) == "") for c in columns)
    lead = pl.concat_str([pl.col(c) for c in columns[:6]], separator="\x1f", ignore_nulls=True)
    # a total row's first cells say so; the few rows that look like one are then checked for an ID
    looks_like_footer = lead.str.contains(_FOOTER).fill_null(False)
    named = [c for c in table.columns if c.header]
    repeats = pl.sum_horizontal((pl.col(c.name) == c.header).fill_null(False) for c in named) if named else pl.lit(0)
    flags = body.select(blank=blank, footer=looks_like_footer & ~blank,
                        repeat=(repeats >= max(2, len(named) // 2)) & ~blank & ~looks_like_footer)
    footer = flags["footer"]
    if footer.any():
        has_id = body.filter(footer).select(pl.any_horizontal(
            pl.col(c).str.contains(_ID_LIKE.pattern) for c in columns).fill_null(False)).to_series()
        footer = footer.scatter(footer.arg_true(), ~has_id)
    table.dropped_blank = int(flags["blank"].sum())
    table.dropped_total = int(footer.sum())
    table.dropped_repeated_header = int(flags["repeat"].sum())
    body = body.filter(~(flags["blank"] | footer | flags["repeat"]))
    if body.height and _column_numbers([body[c][0] for c in columns]):
        body = body.slice(1)
        table.dropped_column_numbers = 1
    table.data = body
    return table


_ORDINALS = "甲乙丙丁戊己庚辛壬癸"


def _column_numbers(cells: list[str | None]) -> bool:
    """The first row under a header numbers its columns (栏次: 1, 2, 3 … or 甲, 乙, 丙 …)."""
    texts = [_text(v) for v in cells if _text(v)]
    if not texts:
        return False
    if texts[0] in ("栏次", "列次", "栏号", "序列"):
        return True
    if len(texts) < max(3, 0.5 * len(cells)):
        return False
    numbers = [int(t.removesuffix(".0")) for t in texts if re.fullmatch(r"\d{1,3}(\.0)?", t)]
    if len(numbers) >= 0.8 * len(texts) and numbers[0] in (0, 1) and numbers == sorted(numbers) and (
            len(set(numbers)) == len(numbers)):
        return True
    return all(t in _ORDINALS or re.fullmatch(r"[A-Z]{1,2}", t) for t in texts) and len(set(texts)) == len(texts)
