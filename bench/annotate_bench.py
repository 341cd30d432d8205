"""The annotated roster (`--annotate`) at county scale: the 1M-person roster xlsx with the findings of
`hv check`, plain and masked.

Each variant runs in its own process under /usr/bin/time (bench/run.py's measure), which gives wall
time and peak memory (RSS). The findings are bench/out/check-xlsx.csv from `make bench` (made here
when missing); the column letters come from the header rows, read as hv.layout and hv.mapping do.
The copies are written to a temporary directory and removed.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import polars as pl

from hv.findings import COLUMNS, LABELS
from hv.layout import SCAN_ROWS, find_table
from hv.mapping import map_columns
from hv.read import ROW, Grid
from hv.report.annotate import write_annotated
from hv.schema import load_schemas

from run import BIN, OUT, bundle, measure, roster_files  # bench/run.py


def findings_of(roster: Path) -> pl.DataFrame:
    """The findings of `hv check` on the roster, keyed as in hv.findings (labels mapped back)."""
    path = OUT / "check-xlsx.csv"
    if not path.is_file():
        subprocess.run([BIN / "hv", "check", roster, "-o", path, "-q", "--fail-on", "never",
                        "--ref-date", "2020-12-31"], check=True)
    frame = pl.read_csv(path, infer_schema=False)
    keys = {label: key for lang in LABELS.values() for key, label in lang.items()}
    frame = frame.rename({c: keys.get(c, c) for c in frame.columns})
    return frame.with_columns(pl.col(k).cast(t) for k, t in COLUMNS.items() if t != pl.String)


def headers_of(roster: Path) -> pl.DataFrame:
    """file, sheet, field, column, letter: what ImportResult.headers holds, from each sheet's top rows."""
    schemas = load_schemas()
    known = set().union(*(s.header_index for s in schemas))
    rows = []
    book = openpyxl.load_workbook(roster, read_only=True)
    for ws in book.worksheets:
        top = [[None if v is None else str(v) for v in row]
               for row in ws.iter_rows(max_row=SCAN_ROWS, values_only=True)]
        width = max(map(len, top), default=0)
        cells = pl.DataFrame([row + [None] * (width - len(row)) for row in top], orient="row",
                             schema={f"c{i}": pl.String for i in range(width)}).with_row_index(ROW, offset=1)
        table = find_table(Grid(str(roster), ws.title, cells, "xlsx"), known)
        mapping = map_columns(table.columns, schemas["poverty"])
        rows += [{"file": str(roster), "sheet": ws.title, "field": key, "column": col.header, "letter": col.letter}
                 for key, col in mapping.fields.items()]
    book.close()
    return pl.DataFrame(rows)


def one(masked: bool) -> None:
    roster = roster_files(bundle())["xlsx"]
    started = time.perf_counter()
    found, headers = findings_of(roster), headers_of(roster)
    prepared = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=OUT) as out:
        written = write_annotated(found, headers, [roster], Path(out), masked=masked)
        done = time.perf_counter()
        size = written[0].stat().st_size / 1e6
    print(f"timings: prepare={prepared - started:.2f}s annotate={done - prepared:.2f}s", file=sys.stderr)
    print(f"{found.height:,} findings; copy {size:.0f} MB (input {roster.stat().st_size / 1e6:.0f} MB)")


def main() -> None:
    for masked in (False, True):
        result = measure([BIN / "python", Path(__file__), "--one", "masked" if masked else "plain"])
        print(f"annotate ({'masked' if masked else 'plain'}): {result['wall_s']} s wall, "
              f"{result['peak_rss_mb']} MB peak (write_annotated {result.get('annotate')} s, "
              f"findings and headers {result.get('prepare')} s)", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one(sys.argv[2] == "masked")
    else:
        main()
