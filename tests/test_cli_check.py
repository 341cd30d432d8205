"""`hv check` from the command line: reports, exit codes, configuration, `hv rules`, `hv explain`."""

import json

import openpyxl
import polars as pl
import pytest

from tests.conftest import write_xlsx

HEADER = ["户编号", "姓名", "证件号码", "与户主关系", "乡镇", "行政村", "出生日期"]


@pytest.fixture
def damaged(tmp_path):
    """A roster with one error (ID stored as a number) and one unparseable date (error)."""
    return write_xlsx(tmp_path / "花名册.xlsx", {"城关镇": [
        HEADER,
        ["1", "张三", "411521196001011232", "户主", "城关镇", "东村", "1960-01-01"],
        ["2", "李四", "411521196001011000", "户主", "城关镇", "东村", "1962-01-01"],
        ["3", "王五", "11010519491231002X", "户主", "城关镇", "西村", "去年"],
    ]})


@pytest.fixture
def clean(tmp_path):
    return write_xlsx(tmp_path / "花名册.xlsx", {"城关镇": [
        HEADER, ["1", "张三", "411521196001011232", "户主", "城关镇", "东村", "1960-01-01"]]})


def test_exit_code_1_when_errors_are_found(hv, damaged):
    run = hv("check", damaged, "--select", "ID006,IMP007")
    assert run.code == 1
    assert "ID006" in run.out and "IMP007" in run.out


def test_exit_code_0_when_nothing_reaches_fail_on(hv, damaged, clean):
    assert hv("check", clean, "--select", "ID006,IMP007").code == 0
    assert hv("check", damaged, "--select", "ID006", "--fail-on", "never").code == 0


def test_fail_on_warning_counts_warnings_and_severity_overrides_apply(hv, damaged):
    config = damaged.parent / "hv.toml"
    config.write_text('[rules]\nseverity = { ID006 = "warning" }\n', encoding="utf-8")
    assert hv("check", damaged, "-c", config, "--select", "ID006", "--fail-on", "error").code == 0
    assert hv("check", damaged, "-c", config, "--select", "ID006", "--fail-on", "warning").code == 1


def test_exit_code_2_for_bad_usage_config_or_input(hv, damaged, tmp_path):
    assert hv("check", damaged, "--fail-on", "sometimes").code == 2
    assert hv("check", damaged, "--select", "XX9").code == 2
    assert hv("check", tmp_path / "missing.xlsx").code == 2
    bad = tmp_path / "bad.toml"
    bad.write_text("[policy]\nreimbursement_floor = 95\n", encoding="utf-8")
    run = hv("check", damaged, "-c", bad)
    assert run.code == 2 and "reimbursement_floor" in run.err
    bad.write_text("[polcy]\n", encoding="utf-8")
    assert "polcy" in hv("check", damaged, "-c", bad).err


def test_xlsx_report_has_findings_and_summary_sheets(hv, damaged, tmp_path):
    out = tmp_path / "报告.xlsx"
    assert hv("check", damaged, "-o", out, "--select", "ID006,IMP007").code == 1
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["问题清单", "汇总"]
    sheet = book["问题清单"]
    header = [c.value for c in sheet[1]]
    assert header[:7] == ["规则", "级别", "类别", "名单", "文件", "工作表", "行号"]
    rows = {(r[0], r[6]) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows == {("ID006", 3), ("IMP007", 4)}
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    assert "个人身份信息" in str([c.value for c in book["汇总"]["A"]])


def test_csv_and_json_reports_use_the_contract_keys(hv, damaged, tmp_path):
    csv_out, json_out = tmp_path / "f.csv", tmp_path / "f.json"
    hv("check", damaged, "-o", csv_out, "-o", json_out, "--select", "ID006")
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbf")
    table = pl.read_csv(csv_out, infer_schema=False)
    assert table.columns == ["rule", "severity", "category", "list", "file", "sheet", "row", "column", "field",
                             "value", "suggestion", "message", "name", "id_no", "town", "village", "related_file",
                             "related_sheet", "related_row", "score"]
    doc = json.loads(json_out.read_text(encoding="utf-8"))
    assert doc["format_version"] == 1 and doc["summary"]["by_severity"]["error"] == 1
    assert [f["row"] for f in doc["findings"]] == [3]


def test_english_labels_and_messages(hv, damaged, tmp_path):
    out = tmp_path / "r.xlsx"
    run = hv("check", damaged, "--lang", "en", "-o", out, "--select", "ID006")
    assert "Findings by rule" in run.out
    assert [c.value for c in openpyxl.load_workbook(out)["Findings"][1]][:2] == ["Rule", "Severity"]


def test_mask_hides_the_middle_of_ids_and_names(hv, damaged, tmp_path):
    out = tmp_path / "r.csv"
    hv("check", damaged, "--mask", "-o", out, "--select", "ID006")
    text = out.read_text(encoding="utf-8-sig")
    assert "411521196001011000" not in text and "411521********1000" in text
    assert "李四" not in text and "李*" in text


def test_select_and_ignore_by_prefix(hv, damaged, tmp_path):
    out = tmp_path / "r.csv"
    hv("check", damaged, "-o", out, "--select", "IMP", "--ignore", "IMP004,IMP003")
    rules = set(pl.read_csv(out, infer_schema=False)["rule"])
    assert rules == {"IMP007"}


def test_lists_come_from_the_configuration(hv, damaged, tmp_path):
    config = tmp_path / "hv.toml"
    config.write_text(f'lists = [{{ path = "{damaged.name}", kind = "poverty" }}]\n'
                      '[rules]\nselect = ["ID006"]\n', encoding="utf-8")
    run = hv("check", "-c", config)
    assert run.code == 1 and "ID006" in run.out


def test_nothing_to_check_is_a_usage_error(hv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert hv("check").code == 2


def test_rules_lists_the_catalog_and_filters_by_prefix(hv):
    run = hv("rules", "ID")
    assert run.code == 0 and "ID006" in run.out and "IMP001" not in run.out
    assert hv("rules", "ZZ").code == 2


def test_explain_prints_the_rule_doc_for_a_clerk(hv):
    run = hv("explain", "id006")
    assert run.code == 0 and "原因" in run.out and "改正方法" in run.out
    assert hv("explain", "NOPE1").code == 2


def test_a_date_cell_is_quoted_as_excel_shows_it(tmp_path):
    """calamine reads a date cell as `1970-03-29 00:00:00`; the clerk sees 1970-03-29."""
    from datetime import datetime

    import xlsxwriter

    from hv.api import check
    from hv.config import Config, RulesConfig

    path = tmp_path / "花名册.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("城关镇")
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, ["1", "张三", "411521196001011232", "户主", "城关镇", "东村"])
    sheet.write_datetime(1, 6, datetime(1970, 3, 29), book.add_format({"num_format": "yyyy-mm-dd"}))
    book.close()
    found = check([path], Config(rules=RulesConfig(select=("PF002",)))).findings
    assert found["value"].to_list() == ["1970-03-29"]
    assert "00:00:00" not in found["message"][0]
