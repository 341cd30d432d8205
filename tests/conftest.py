"""Fixture builders: small workbooks and CSV files made in the test, never committed binaries."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
import xlsxwriter

from hv.cli import main

Cell = object  # str for text, int/float for a numeric cell, None for empty


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[Cell]]], *,
               merges: dict[str, list[tuple[int, int, int, int, str]]] | None = None,
               hidden: Sequence[str] = ()) -> Path:
    """Rows are written from A1 down; a number is written as a numeric cell, as Excel stores it.

    merges: sheet -> (first_row, first_col, last_row, last_col, text), 0-based like xlsxwriter.
    """
    wb = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, (int, float)):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, value)
        for r1, c1, r2, c2, text in (merges or {}).get(name, []):
            ws.merge_range(r1, c1, r2, c2, text)
        if name in hidden:
            ws.hide()
    wb.close()
    return path


def write_csv(path: Path, rows: Sequence[Sequence[str | None]], *, encoding: str = "utf-8",
              separator: str = ",") -> Path:
    text = "\n".join(separator.join("" if v is None else v for v in row) for row in rows) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


# A small, clean poverty roster used by many tests: header in row 1.
ROSTER_HEADER = ["户编号", "姓名", "性别", "证件号码", "与户主关系", "乡镇", "行政村"]
ROSTER_ROWS = [
    ["4115210010012345", "张三", "男", "411521196001011232", "户主", "城关镇", "东村"],
    ["4115210010012345", "李四", "女", "110111198001011227", "配偶", "城关镇", "东村"],
    ["4115210010012346", "王五", "男", "11010519491231002X", "户主", "城关镇", "西村"],
]


# People of a roster in two versions (history and diff tests): a row with a defect, then fixed.
ZHANG = ["4115210010012345", "张三", "男", "411521196001011232", "户主", "城关镇", "东村"]
LI = ["4115210010012345", "李四", "女", "110111198001011227", "配偶", "城关镇", "东村"]
WANG_WRONG_SEX = ["4115210010012346", "王五", "男", "11010519491231002X", "户主", "城关镇", "西村"]  # PF001
WANG = ["4115210010012346", "王五", "女", "11010519491231002X", "户主", "城关镇", "西村"]
ZHAO_BAD_ID = ["4115210010012347", "赵六", "男", "411521196001021233", "户主", "石桥镇", "南村"]  # ID001
ZHAO = ["4115210010012347", "赵六", "男", "411521196001021238", "户主", "石桥镇", "南村"]


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "花名册.xlsx", {"城关镇": [ROSTER_HEADER, *ROSTER_ROWS]})


class Run:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def hv(capsys, monkeypatch):
    """Run the real entry point (`hv …`) in-process; returns exit code, stdout and stderr."""

    def run(*args: str) -> Run:
        monkeypatch.setattr(sys, "argv", ["hv", *map(str, args)])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
