"""Where the table is inside a sheet: the header row(s), the data rows, and what to drop.

The header is found, not assumed (design.md §3): clerks put title rows and a 填报单位 line above
it, merge group headers over two rows, and end sheets with 合计 rows and signatures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from hv.read import ROW, Grid, fill_merged
from hv.schema import header_candidates

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
    merged_filled: int = 0


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
    best = _best_header(rows, columns, grid, known)
    if best is None:
        return None
    header_idx, headers = best
    header_rows = tuple(top[ROW][i] for i in header_idx)
    last_header = header_rows[-1]
    text_file = grid.fmt in ("csv", "tsv")
    cols = [
        Column(name, text, header_candidates(text) if text else [],
               "" if text_file else column_letter(i + grid.col_offset))
        for i, (name, text) in enumerate(zip(columns, headers))
    ]
    body = grid.cells.filter(pl.col(ROW) > last_header)
    body, filled = fill_merged(body, grid.merged, last_header + 1, columns)
    title_rows = sum(1 for i, r in enumerate(rows) if i < header_idx[0] and any(_text(v) for v in r))
    table = Table(grid, header_rows, cols, body, title_rows=title_rows, merged_filled=filled)
    return _drop_non_data(table)


def _text(value: str | None) -> str:
    return value.strip() if value else ""


def _matches(cells: list[str | None], known: set[str]) -> int:
    return sum(1 for v in cells if v and any(c in known for c in header_candidates(v)))


def _best_header(rows: list[list[str | None]], columns: list[str], grid: Grid,
                 known: set[str]) -> tuple[tuple[int, ...], list[str]] | None:
    """Score every row, and every pair of rows as a two-row header; the best one wins.

    A pair wins only when it recognises more columns than either of its rows alone, so a plain
    header followed by data is never merged with the first data row.
    """
    singles = [_matches(r, known) for r in rows]
    best: tuple[int, tuple[int, ...], list[str]] | None = None
    for i, score in enumerate(singles):
        if score >= MIN_HEADER_MATCHES and (best is None or score > best[0]):
            best = (score, (i,), [_display(v) for v in rows[i]])
    for i in range(len(rows) - 1):
        if not singles[i] and not singles[i + 1]:
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
    table.data = body.filter(~(flags["blank"] | footer | flags["repeat"]))
    return table
