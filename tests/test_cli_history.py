"""Nightly runs from the command line: statuses across runs, --fail-on new, hv history, hv diff."""

import polars as pl

from tests.conftest import write_xlsx

HEADER = ["户编号", "姓名", "证件号码", "与户主关系", "乡镇", "行政村"]
GOOD = ["1", "张三", "411521196001011232", "户主", "城关镇", "东村"]
TYPO = ["2", "李四", "110111198001011236", "户主", "城关镇", "西村"]  # wrong check digit (ID001)
FIXED = ["2", "李四", "110111198001011235", "户主", "城关镇", "西村"]


def roster(path, *rows):
    return write_xlsx(path, {"S": [HEADER, *rows]})


def test_a_finding_is_new_then_open_then_corrected(hv, tmp_path):
    path, db, out = tmp_path / "花名册.xlsx", tmp_path / "h.db", tmp_path / "r.csv"
    roster(path, GOOD, TYPO)
    assert hv("check", path, "--history", db, "--select", "ID001", "--fail-on", "new").code == 1
    roster(path, TYPO, GOOD)  # rows moved: still the same finding
    run = hv("check", path, "--history", db, "--select", "ID001", "--fail-on", "new", "-o", out)
    assert run.code == 0
    assert pl.read_csv(out, infer_schema=False).select("row", "status").rows() == [("2", "open")]
    roster(path, GOOD, FIXED)
    run = hv("check", path, "--history", db, "--select", "ID001", "-o", out)
    assert run.code == 0 and "已整改 1" in run.out
    assert pl.read_csv(out, infer_schema=False)["status"].to_list() == ["resolved"]
    listing = hv("history", "--history", db)
    assert listing.code == 0 and "ID001" in listing.out
    assert hv("history", "--history", db, "--run", "1").code == 0


def test_new_only_needs_history(hv, tmp_path):
    assert hv("check", roster(tmp_path / "r.xlsx", GOOD), "--new-only").code == 2


def test_diff_counts_corrected_errors(hv, tmp_path):
    old = roster(tmp_path / "旧.xlsx", GOOD, TYPO)
    new = roster(tmp_path / "新.xlsx", GOOD, FIXED, ["3", "王五", "11010519491231002X", "户主", "城关镇", "东村"])
    run = hv("diff", old, new)
    assert run.code == 0
    assert "纠正各类信息错误 1 例" in run.out
