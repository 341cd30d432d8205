"""The inspection workbook (`--by town` / `--by village`): read back with openpyxl, one behaviour each."""

from __future__ import annotations

import zipfile
from datetime import datetime

import openpyxl
import polars as pl
import pytest

from hv import findings, rates
from hv.errors import HvError, InputError
from hv.report import Report, inspection

ROSTER = "/data/花名册.xlsx"
WHEN = datetime(2020, 12, 31, 9, 30)
HEADER = ["村", "户", "姓名", "身份证号", "名单", "位置", "规则", "级别", "问题说明", "建议值", "核实情况", "整改结果"]


def finding(rule: str, severity: str, row: int | None, town: str | None, village: str | None,
            name: str | None = None, id_no: str | None = None, **more) -> dict:
    return dict(rule=rule, severity=severity, category="person", list="poverty", file=ROSTER, sheet=town,
                row=row, message=f"{rule} 的说明", name=name, id_no=id_no, town=town, village=village, **more)


FINDINGS = [
    finding("PF001", "warning", 2, "城关镇", "东村", "张三", "411521196001011232"),
    finding("ID001", "error", 3, "城关镇", "东村", "李四", "110111198001011227", suggestion="110111198001011228"),
    finding("ID002", "error", 2, "城关镇", "东村", "张三", "411521196001011232"),
    finding("PF002", "info", 4, "城关镇", "西村", "王五", "11010519491231002X"),
    finding("PF003", "warning", 5, "石桥镇", "南村", "赵六", "411521196001021238"),
]
HOUSEHOLDS = {"file": [ROSTER] * 4, "sheet": ["城关镇", "城关镇", "城关镇", "石桥镇"], "row": [2, 3, 4, 5],
              "household": ["0002", "0002", "0001", "0009"]}


def rates_table() -> pl.DataFrame:
    rows = [("county", None, None, "insured", 9.0, 10.0, 0.9, None), ("town", "城关镇", None, "insured", 4.0, 5.0, 0.8, None),
            ("town", "石桥镇", None, "insured", 5.0, 5.0, 1.0, None), ("village", "城关镇", "东村", "insured", 3.0, 4.0, 0.75, None),
            ("county", None, None, "below_floor", 1.0, 20.0, 0.05, None),
            ("town", "城关镇", None, "below_floor", 1.0, 8.0, 0.125, None), ("town", "石桥镇", None, "below_floor", 0.0, 12.0, 0.0, None)]
    return pl.DataFrame(rows, schema=rates.COLUMNS, orient="row")


def make_report(rows: list[dict] = FINDINGS, *, households: dict | None = HOUSEHOLDS, **kwargs) -> Report:
    return Report(findings.conform(pl.DataFrame(rows)), inputs=[ROSTER], rates=rates_table(),
                  households=None if households is None else pl.DataFrame(households),
                  list_labels={"poverty": "花名册"}, generated_at=WHEN, **kwargs)


def sheet_rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def findings_rows(ws) -> list[dict]:
    """The findings under the header, as dicts by header label (household lines left out)."""
    rows = sheet_rows(ws)
    return [dict(zip(rows[0], r)) for r in rows[1:] if r[6] is not None]


@pytest.fixture
def by_town(tmp_path):
    path = tmp_path / "督导.xlsx"
    assert inspection.write(make_report(), path, "town") == [path]
    return openpyxl.load_workbook(path)


def test_one_sheet_per_town_holds_that_towns_findings_only(by_town):
    assert by_town.sheetnames == ["汇总", "城关镇", "石桥镇"]
    assert {r["村"] for r in findings_rows(by_town["城关镇"])} == {"东村", "西村"}
    assert [r["规则"] for r in findings_rows(by_town["石桥镇"])] == ["PF003"]


def test_findings_are_grouped_by_household_in_visiting_order(by_town):
    rows = sheet_rows(by_town["城关镇"])
    assert [r[0] for r in rows[1:]] == [
        "户：0002 · 东村 · 3 条", "东村", "东村", "东村",  # 东村 before 西村, whatever the household numbers
        "户：0001 · 西村 · 1 条", "西村"]
    # within a household: by person (ID number), then severity, then rule
    assert [(r["身份证号"], r["规则"]) for r in findings_rows(by_town["城关镇"])][:3] == [
        ("110111198001011227", "ID001"), ("411521196001011232", "ID002"), ("411521196001011232", "PF001")]


def test_finding_without_household_stands_under_its_person_then_unassigned(tmp_path):
    rows = [finding("PF001", "warning", 99, "城关镇", "东村", "张三", "411521196001011232"),
            finding("PF002", "warning", 98, "城关镇", "东村", "李四"),
            finding("IMP001", "info", None, "城关镇", "东村")]
    inspection.write(make_report(rows, households=None), tmp_path / "x.xlsx", "town")
    lines = [r[0] for r in sheet_rows(openpyxl.load_workbook(tmp_path / "x.xlsx")["城关镇"]) if r[6] is None]
    assert lines == ["人员：411521196001011232 · 东村 · 1 条", "人员：李四 · 东村 · 1 条", "未分户 · 东村 · 1 条"]


def test_blank_verification_columns_are_there_wide_and_empty(by_town):
    ws = by_town["城关镇"]
    assert sheet_rows(ws)[0] == tuple(HEADER)
    assert all(r["核实情况"] is None and r["整改结果"] is None for r in findings_rows(ws))
    for column in (11, 12):  # K, L; xlsxwriter writes equal neighbours as one <col min max>
        dimension = next(d for d in ws.column_dimensions.values() if d.min <= column <= d.max)
        assert dimension.width >= 15
        # the border comes from the column's format, so that the blank cells print as boxes
        assert by_town._cell_styles[dimension.style_id].borderId != 0


def test_print_setup_is_a4_landscape_one_page_wide_with_repeated_header(by_town):
    ws = by_town["城关镇"]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$1:$1"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the default, which xlsxwriter leaves out
    assert int(ws.page_setup.fitToHeight) == 0
    assert "城关镇" in ws.oddHeader.left.text and "健康扶贫名单核查督导清单" in ws.oddHeader.left.text
    assert ws.oddHeader.right.text == "2020-12-31"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text


def test_cover_shows_each_rate_with_numerator_denominator_and_definition(by_town):
    rows = sheet_rows(by_town["汇总"])
    insured = next(i for i, r in enumerate(rows) if r[0] == "参保率")
    assert rates.RATES["insured"].definition("zh") in rows[insured][1]
    assert [r[:4] for r in rows[insured + 1:insured + 4]] == [
        ("全县", 9, 10, 0.9), ("城关镇", 4, 5, 0.8), ("石桥镇", 5, 5, 1)]
    below = next(r for r in rows if r[0] == "报销比例不达标占比")
    assert "越低越好" in below[1]


def test_cover_counts_findings_per_town(by_town):
    rows = [r[:7] for r in sheet_rows(by_town["汇总"])]
    start = rows.index(("乡镇", "错误", "警告", "提示", "合计", "涉及户数", "工作表"))
    assert rows[start + 1:start + 4] == [("城关镇", 2, 1, 1, 4, 2, "城关镇"), ("石桥镇", 0, 1, 0, 1, 1, "石桥镇"),
                                         ("合计", 2, 2, 1, 5, 3, None)]


def test_cover_has_native_charts_for_counts_and_each_rate(tmp_path):
    inspection.write(make_report(), tmp_path / "督导.xlsx", "town")
    with zipfile.ZipFile(tmp_path / "督导.xlsx") as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 4  # findings by town, by category, and the two rates given


def test_cover_page_breaks_fall_between_tables_so_no_chart_is_cut(tmp_path):
    towns = [f"{i:02d}镇" for i in range(18)]
    table = pl.DataFrame([("county", None, None, key, 9.0, 10.0, 0.9, None) for key in rates.RATES]
                         + [("town", town, None, key, 1.0, 2.0, 0.5, None) for key in rates.RATES for town in towns],
                         schema=rates.COLUMNS, orient="row")
    report = make_report([finding("PF001", "info", 2, town, "村") for town in towns])
    report.rates = table
    inspection.write(report, tmp_path / "x.xlsx", "town")
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx")["汇总"]
    first_rows = [sheet_rows(ws)[brk.id][0] for brk in ws.row_breaks.brk]
    assert first_rows[0] == "问题按类别"
    assert first_rows[1:] == [rate.zh for rate in rates.RATES.values()][1:]  # one rate with its chart a page


def test_file_level_findings_get_a_sheet_of_their_own(tmp_path):
    rows = [*FINDINGS, finding("IMP004", "info", None, None, None)]
    inspection.write(make_report(rows), tmp_path / "x.xlsx", "town")
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx")
    assert wb.sheetnames[-1] == "未分乡镇"
    assert [(r["规则"], r["位置"]) for r in findings_rows(wb["未分乡镇"])] == [("IMP004", "花名册.xlsx")]


def test_sheet_names_are_what_excel_accepts():
    names = inspection._sheet_names(["汇总", "汇总", "a/b:c", "x" * 40, "X" * 40, "'引号'"])
    assert names == ["汇总", "汇总~2", "a_b_c", "x" * 31, "X" * 29 + "~2", "引号"]


def test_by_village_writes_one_file_per_village_beside_a_county_cover(tmp_path):
    path = tmp_path / "督导.xlsx"
    written = inspection.write(make_report(), path, "village")
    folder = tmp_path / "督导"
    assert written == [path, folder / "城关镇-东村.xlsx", folder / "城关镇-西村.xlsx", folder / "石桥镇-南村.xlsx"]
    east = openpyxl.load_workbook(folder / "城关镇-东村.xlsx")
    assert east.sheetnames == ["汇总", "东村"]
    assert sorted(r["规则"] for r in findings_rows(east["东村"])) == ["ID001", "ID002", "PF001"]
    cover = sheet_rows(openpyxl.load_workbook(path)["汇总"])
    assert ("城关镇", "东村", 2, 1, 0, 3, "督导/城关镇-东村.xlsx") in [r[:7] for r in cover]


def test_village_cover_compares_the_village_with_its_town_and_the_county(tmp_path):
    inspection.write(make_report(), tmp_path / "督导.xlsx", "village")
    rows = sheet_rows(openpyxl.load_workbook(tmp_path / "督导" / "城关镇-东村.xlsx")["汇总"])
    insured = next(i for i, r in enumerate(rows) if r[0] == "参保率")
    assert [r[:4] for r in rows[insured + 1:insured + 4]] == [
        ("东村", 3, 4, 0.75), ("城关镇（乡镇）", 4, 5, 0.8), ("全县", 9, 10, 0.9)]


def test_village_file_names_are_safe_and_unique(tmp_path):
    rows = [finding("PF001", "info", 2, "城关镇", "东/村"), finding("PF001", "info", 3, "城关镇", "东_村"),
            finding("PF001", "info", 4, "城关镇", None)]
    written = inspection.write(make_report(rows), tmp_path / "督导.xlsx", "village")
    assert [p.name for p in written[1:]] == ["城关镇-东_村.xlsx", "城关镇-东_村-2.xlsx", "城关镇-未分村.xlsx"]


def test_by_village_never_overwrites_an_input(tmp_path):
    roster = tmp_path / "督导" / "城关镇-东村.xlsx"
    roster.parent.mkdir()
    roster.write_bytes(b"clerk's data")
    report = make_report()
    report.inputs = [str(roster)]
    with pytest.raises(InputError):
        inspection.write(report, tmp_path / "督导.xlsx", "village")
    assert roster.read_bytes() == b"clerk's data"


def test_notice_says_personal_data_unless_masked(tmp_path):
    inspection.write(make_report(), tmp_path / "open.xlsx", "town")
    inspection.write(make_report(masked=True), tmp_path / "masked.xlsx", "town")
    assert sheet_rows(openpyxl.load_workbook(tmp_path / "open.xlsx")["汇总"])[3][0].startswith("本文件含个人身份信息")
    assert sheet_rows(openpyxl.load_workbook(tmp_path / "masked.xlsx")["汇总"])[3][0] == "身份证号和姓名已部分隐藏。"


def test_masked_report_masks_a_household_named_by_its_head(tmp_path):
    households = HOUSEHOLDS | {"household": ["张三", "张三", "王五", "赵六"]}
    inspection.write(make_report(households=households, masked=True), tmp_path / "x.xlsx", "town")
    lines = [r[0] for r in sheet_rows(openpyxl.load_workbook(tmp_path / "x.xlsx")["城关镇"]) if r[6] is None]
    assert lines == ["户：张* · 东村 · 3 条", "户：王* · 西村 · 1 条"]


def test_english_labels(tmp_path):
    inspection.write(make_report(lang="en"), tmp_path / "en.xlsx", "town")
    wb = openpyxl.load_workbook(tmp_path / "en.xlsx")
    assert wb.sheetnames[0] == "Summary"
    rows = sheet_rows(wb["城关镇"])
    assert rows[0][:3] == ("Village", "Household", "Name") and rows[0][-2:] == ("Verified on site", "Rectification")
    assert rows[1][0] == "Household: 0002 · 东村 · 3 findings"
    assert {r["Severity"] for r in findings_rows(wb["城关镇"])} == {"error", "warning", "info"}
    assert "Page &P of &N" == wb["城关镇"].oddFooter.center.text
    assert any(r[0] == "Insurance rate" for r in sheet_rows(wb["Summary"]))


def test_a_place_too_big_for_one_sheet_is_refused_not_cut(tmp_path, monkeypatch):
    monkeypatch.setattr(inspection, "EXCEL_ROWS", 6)  # 城关镇: a header, 2 household lines and 4 findings
    with pytest.raises(HvError, match="城关镇"):
        inspection.write(make_report(), tmp_path / "x.xlsx", "town")
    assert not (tmp_path / "x.xlsx").exists()
    inspection.write(make_report(), tmp_path / "x.xlsx", "village")  # its villages fit


def test_unknown_grouping_is_refused(tmp_path):
    with pytest.raises(ValueError):
        inspection.write(make_report(), tmp_path / "x.xlsx", "county")


def test_cover_lists_rates_of_people_without_a_town_under_no_town(tmp_path):
    report = make_report()
    report.rates = pl.concat([rates_table(), pl.DataFrame(
        [("town", None, None, "below_floor", 0.0, 3.0, 0.0, None)], schema=rates.COLUMNS, orient="row")])
    inspection.write(report, tmp_path / "督导.xlsx", "town")
    rows = sheet_rows(openpyxl.load_workbook(tmp_path / "督导.xlsx")["汇总"])
    below = next(i for i, r in enumerate(rows) if r[0] == "报销比例不达标占比")
    assert rows[below + 4][:3] == ("未分乡镇", 0, 3)
