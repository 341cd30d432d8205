"""`hv match`: the same person found in two lists despite a mistyped ID and a homophone name."""

import polars as pl

from tests.conftest import write_csv, write_xlsx


def test_match_writes_links_with_outcome_and_evidence(hv, tmp_path):
    roster = write_xlsx(tmp_path / "花名册.xlsx", {"S": [
        ["户编号", "姓名", "证件号码", "与户主关系"],
        ["1", "王小明", "411521196001011232", "户主"],
        ["2", "李四", "110111198001011235", "户主"],
        ["3", "赵六", "11010519491231002X", "户主"]]})
    insurance = write_csv(tmp_path / "参保.csv", [
        ["姓名", "身份证号", "参保状态"],
        ["王晓明", "411521196001011232", "正常参保"],  # homophone, same ID
        ["李四", "110111198001011253", "正常参保"],    # two digits swapped: checksum fails
        ["钱七", "360426199101010071", "正常参保"]])    # only in this list
    out = tmp_path / "links.csv"
    run = hv("match", roster, insurance, "-o", out)
    assert run.code == 0
    links = pl.read_csv(out, infer_schema=False)
    by_row = {(r["left_row"], r["right_row"]): r for r in links.iter_rows(named=True)}
    assert by_row[("2", "2")]["outcome"] == "link" and "同音" in by_row[("2", "2")]["evidence"]
    assert by_row[("3", "3")]["outcome"] == "link"
    assert {(r["left_row"], r["right_row"], r["outcome"]) for r in links.iter_rows(named=True)
            if r["outcome"] == "none"} == {("4", None, "none"), (None, "4", "none")}


def test_match_refuses_to_overwrite_an_input(hv, tmp_path):
    roster = write_csv(tmp_path / "a.csv", [["姓名", "身份证号", "死亡日期"], ["张三", "411521196001011232", "2019-01-01"]])
    assert hv("match", roster, roster, "-o", roster).code == 2
