"""Reading real rosters: every layout a county exports, with Excel's row numbers kept."""

from __future__ import annotations

import codecs
import hashlib
import zipfile
from pathlib import Path

import polars as pl
import pytest
import xlwt

from hv.errors import InputError
from hv.importer import import_files
from tests.conftest import ROSTER_HEADER, ROSTER_ROWS, write_csv, write_xlsx


def rows_of(result, column: str = "name") -> list[tuple[str, int, str]]:
    table = result.combined().sort("file", "sheet", "row")
    return list(zip(table["sheet"], table["row"], table[column]))


def test_plain_header_rows_are_numbered_as_excel_shows(roster):
    result = import_files([roster])
    assert rows_of(result) == [("城关镇", 2, "张三"), ("城关镇", 3, "李四"), ("城关镇", 4, "王五")]
    assert result.sheets[0].kind == "poverty"
    assert result.sheets[0].header_rows == (1,)


def test_title_and_reporting_unit_rows_above_the_header_are_skipped(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", {"Sheet1": [
        ["XX县2020年建档立卡贫困人口花名册"], ["填报单位：城关镇人民政府", None, None, "填报日期：2020-12-31"],
        [], ROSTER_HEADER, *ROSTER_ROWS]})
    result = import_files([path])
    assert result.sheets[0].header_rows == (4,)
    assert result.sheets[0].title_rows == 2
    assert [r for _, r, _ in rows_of(result)] == [5, 6, 7]


def test_leading_empty_rows_and_columns_keep_excel_coordinates(tmp_path):
    path = tmp_path / "offset.xlsx"
    write_xlsx(path, {"S": [[], [], [None, None, *ROSTER_HEADER], [None, None, *ROSTER_ROWS[0]]]})
    result = import_files([path])
    assert rows_of(result) == [("S", 4, "张三")]
    assert result.headers.filter(pl.col("field") == "name")["column"].to_list() == ["姓名"]


def test_two_row_merged_header(tmp_path):
    upper = ["姓名", "身份证号", "签约信息", None, None, "随访"]
    lower = [None, None, "签约日期", "签约医生", "签约状态", "随访次数"]
    path = write_xlsx(tmp_path / "签约.xlsx", {"签约": [
        ["家庭医生签约名单"], upper, lower, ["张三", "411521196001011232", "2020-03-01", "刘医生", "签约", "4"]]},
        merges={"签约": [(1, 0, 2, 0, "姓名"), (1, 1, 2, 1, "身份证号"), (1, 2, 1, 4, "签约信息")]})
    result = import_files([path])
    sheet = result.sheets[0]
    assert sheet.kind == "contract"
    assert sheet.header_rows == (2, 3)
    table = result.tables["contract"]
    assert table.select("row", "name", "sign_date", "doctor", "sign_status", "followups").row(0) == (
        4, "张三", pl.Series(["2020-03-01"]).str.to_date()[0], "刘医生", "签约", 4)


def test_header_cells_with_line_breaks_and_notes(tmp_path):
    header = ["姓名", "证件号码\n（18位）", "救治状态\n(已救治/正在救治/待救治)", "疾病名称*", "A7与户主关系"]
    path = write_xlsx(tmp_path / "台账.xlsx", {"台账": [header, ["张三", "411521196001011232", "已救治", "胃癌",
                                                               "户主"]]})
    table = import_files([path]).tables["treatment"]
    assert table.select("id_no", "treat_status", "disease", "relation").row(0) == (
        "411521196001011232", "已救治", "胃癌", "户主")


def test_one_sheet_per_township(tmp_path):
    path = write_xlsx(tmp_path / "花名册.xlsx", {
        "城关镇": [ROSTER_HEADER, ROSTER_ROWS[0]],
        "南湾乡": [["南湾乡花名册"], ROSTER_HEADER, ROSTER_ROWS[1], ROSTER_ROWS[2]],
        "Sheet3": [],
    })
    result = import_files([path])
    assert rows_of(result) == [("南湾乡", 3, "李四"), ("南湾乡", 4, "王五"), ("城关镇", 2, "张三")]
    assert [s.skipped for s in result.sheets] == [None, None, "empty"]


def test_hidden_sheet_is_reported_not_read(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", {"A": [ROSTER_HEADER, ROSTER_ROWS[0]],
                                            "old": [ROSTER_HEADER, ROSTER_ROWS[1]]}, hidden=["old"])
    result = import_files([path])
    assert rows_of(result) == [("A", 2, "张三")]
    assert result.findings.filter(pl.col("rule") == "IMP009")["sheet"].to_list() == ["old"]


def test_total_subtotal_signature_and_blank_rows_are_dropped_and_counted(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", {"S": [
        ROSTER_HEADER, ROSTER_ROWS[0], ["小计", "1户"], [], ROSTER_ROWS[1],
        ["合计", None, None, None, None, None, "2人"], ["制表人：王会计", None, "审核人：李主任"]]})
    result = import_files([path])
    assert [r for _, r, _ in rows_of(result)] == [2, 5]
    sheet = result.sheets[0]
    assert (sheet.dropped_total, sheet.dropped_blank) == (3, 1)
    assert result.findings.filter(pl.col("rule") == "IMP004").height == 1


def test_a_person_named_like_a_total_keeps_the_row_when_it_has_an_id(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", {"S": [ROSTER_HEADER, ["4115210010012345", "合计", "男",
                                                                   "411521196001011232", "户主", "城关镇", "东村"]]})
    assert rows_of(import_files([path])) == [("S", 2, "合计")]


def test_header_repeated_for_printing_is_dropped(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", {"S": [ROSTER_HEADER, ROSTER_ROWS[0], ROSTER_HEADER, ROSTER_ROWS[1]]})
    result = import_files([path])
    assert [r for _, r, _ in rows_of(result)] == [2, 4]
    assert result.sheets[0].dropped_repeated_header == 1


def test_village_merged_over_its_households_is_filled_down(tmp_path):
    rows = [ROSTER_HEADER, *([*r[:6], None] for r in ROSTER_ROWS)]
    path = write_xlsx(tmp_path / "r.xlsx", {"S": rows}, merges={"S": [(1, 6, 3, 6, "东村")]})
    table = import_files([path]).tables["poverty"]
    assert table.sort("row")["village"].to_list() == ["东村", "东村", "东村"]


def test_empty_cell_outside_a_merge_stays_empty(tmp_path):
    rows = [ROSTER_HEADER, ROSTER_ROWS[0], [*ROSTER_ROWS[1][:6], None]]
    table = import_files([write_xlsx(tmp_path / "r.xlsx", {"S": rows})]).tables["poverty"]
    assert table.sort("row")["village"].to_list() == ["东村", None]


def test_id_numbers_stored_as_numbers_are_flagged_per_cell(tmp_path):
    typed = int("411521196001011232"[:15]) * 1000  # what Excel keeps of a typed 18-digit number
    rows = [ROSTER_HEADER, ROSTER_ROWS[0], [*ROSTER_ROWS[1][:3], float(typed), *ROSTER_ROWS[1][4:]],
            [*ROSTER_ROWS[2][:3], 110105491231002, *ROSTER_ROWS[2][4:]]]
    result = import_files([write_xlsx(tmp_path / "r.xlsx", {"S": rows})])
    damaged = result.findings.filter(pl.col("rule") == "ID006")
    assert damaged.select("row", "column").rows() == [(3, "证件号码")]
    # an old 15-digit ID stored as a number is exact, and is upgraded to 18 digits
    assert result.tables["poverty"].filter(pl.col("row") == 4)["id_no"].item() == "11010519491231002X"


def test_long_household_numbers_stored_as_numbers_are_flagged(tmp_path):
    # Excel keeps 15 significant digits: 4115210010012345 typed as a number becomes …2340
    rows = [ROSTER_HEADER, *([float(int(r[0][:15]) * 10), *r[1:]] for r in ROSTER_ROWS)]
    result = import_files([write_xlsx(tmp_path / "r.xlsx", {"S": rows})])
    assert result.findings.filter(pl.col("rule") == "IMP005").select("row", "field").rows() == [
        (2, "household_no"), (3, "household_no"), (4, "household_no")]


def test_household_number_typed_as_text_that_ends_in_zero_is_not_flagged(tmp_path):
    rows = [ROSTER_HEADER, ["4115210010012340", *ROSTER_ROWS[0][1:]], *ROSTER_ROWS[1:]]
    result = import_files([write_xlsx(tmp_path / "r.xlsx", {"S": rows})])
    assert result.findings.filter(pl.col("rule") == "IMP005").height == 0


@pytest.mark.parametrize("encoding, bom", [("gb18030", b""), ("utf-8", codecs.BOM_UTF8), ("utf-8", b""),
                                           ("utf-16", b"")])
def test_csv_encodings(tmp_path, encoding, bom):
    rows = [["姓名", "身份证号", "参保状态"], ["阿依古丽·买买提", "411521196001011232", "正常参保"],
            ["𠮷祥", "110111198001011227", "暂停参保"]]
    path = tmp_path / "参保.csv"
    write_csv(path, rows, encoding=encoding)
    path.write_bytes(bom + path.read_bytes())
    result = import_files([path])
    assert rows_of(result) == [("", 2, "阿依古丽·买买提"), ("", 3, "𠮷祥")]
    expected = {"gb18030": "gb18030", "utf-16": "utf-16"}.get(encoding, "utf-8-sig" if bom else "utf-8")
    assert result.findings.filter(pl.col("rule") == "IMP006")["message"].item().endswith(expected)


def test_csv_line_numbers_count_the_header_as_line_1_and_keep_blank_lines(tmp_path):
    path = write_csv(tmp_path / "参保.csv", [["参保名单"], ["姓名", "身份证号", "参保状态"],
                                             ["张三", "411521196001011232", "正常参保"], [], ["李四", "110111198001011227", "正常参保"]])
    assert rows_of(import_files([path])) == [("", 3, "张三"), ("", 5, "李四")]


def test_tab_separated_text_saved_as_xls_is_read_and_reported(tmp_path):
    path = write_csv(tmp_path / "参保.xls", [["姓名", "身份证号", "参保状态"], ["张三", "411521196001011232", "正常参保"]],
                     encoding="gb18030", separator="\t")
    result = import_files([path])
    assert rows_of(result) == [("", 2, "张三")]
    assert result.findings.filter(pl.col("rule") == "IMP001").height == 1


def test_html_table_saved_as_xls(tmp_path):
    html = ("<html><body><table><tr><td colspan=3>死亡人员名单</td></tr>"
            "<tr><th>姓名</th><th>身份证号</th><th>死亡日期</th></tr>"
            "<tr><td>张三</td><td>411521196001011232</td><td>2019-06-01</td></tr></table></body></html>")
    path = tmp_path / "死亡.xls"
    path.write_bytes(html.encode("gb18030"))
    result = import_files([path])
    assert result.sheets[0].kind == "death"
    assert rows_of(result) == [("", 3, "张三")]
    assert result.findings.filter(pl.col("rule") == "IMP001").height == 1


def test_real_legacy_xls(tmp_path):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("花名册")
    sheet.write(0, 0, "XX县花名册")
    for c, h in enumerate(ROSTER_HEADER):
        sheet.write(1, c, h)
    for r, row in enumerate(ROSTER_ROWS, start=2):
        for c, v in enumerate(row):
            sheet.write(r, c, v)
    path = tmp_path / "花名册.xls"
    book.save(str(path))
    result = import_files([path])
    assert rows_of(result) == [("花名册", 3, "张三"), ("花名册", 4, "李四"), ("花名册", 5, "王五")]
    assert result.findings.filter(pl.col("rule") == "IMP001").height == 0


def test_ods_spreadsheet(tmp_path):
    path = tmp_path / "花名册.ods"
    rows = [ROSTER_HEADER, ROSTER_ROWS[0]]
    cells = "".join(
        "<table:table-row>" + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>' for v in row)
        + "</table:table-row>" for row in rows)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="城关镇">{cells}</table:table>'
               '</office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content)
        zf.writestr("META-INF/manifest.xml", manifest)
    assert rows_of(import_files([path])) == [("城关镇", 2, "张三")]


def test_excel_2003_xml_spreadsheet(tmp_path):
    cells = "".join("<Row>" + "".join(f'<Cell><Data ss:Type="String">{v}</Data></Cell>' for v in row) + "</Row>"
                    for row in [ROSTER_HEADER, ROSTER_ROWS[0]])
    xml = ('<?xml version="1.0" encoding="UTF-8"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
           'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
           f'<Worksheet ss:Name="城关镇"><Table>{cells}</Table></Worksheet></Workbook>')
    path = tmp_path / "花名册.xls"
    path.write_text(xml, encoding="utf-8")
    result = import_files([path])
    assert rows_of(result) == [("城关镇", 2, "张三")]


def test_reading_never_modifies_the_input(roster):
    before = hashlib.sha256(roster.read_bytes()).hexdigest()
    mtime = roster.stat().st_mtime_ns
    import_files([roster])
    assert hashlib.sha256(roster.read_bytes()).hexdigest() == before
    assert roster.stat().st_mtime_ns == mtime


# --- bad input: one clear InputError naming the place ---------------------------------------------


def bad(paths) -> InputError:
    with pytest.raises(InputError) as info:
        import_files(paths)
    return info.value


def test_missing_file(tmp_path):
    err = bad([tmp_path / "nope.xlsx"])
    assert err.file.endswith("nope.xlsx") and "不存在" in err.render()


def test_empty_file(tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    assert "空" in bad([tmp_path / "e.csv"]).render()


def test_workbook_whose_sheets_are_all_empty(tmp_path):
    assert "没有数据" in bad([write_xlsx(tmp_path / "e.xlsx", {"Sheet1": [], "Sheet2": []})]).render()


def test_unknown_binary_format(tmp_path):
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert bad([path]).file.endswith("photo.xlsx")


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<x/>")
    assert "不是表格" in bad([path]).render()


def test_truncated_workbook(tmp_path, roster):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(roster.read_bytes()[:300])
    assert "损坏" in bad([path]).render()


def test_encrypted_workbook(tmp_path, roster):
    from msoffcrypto.format.ooxml import OOXMLFile

    path = tmp_path / "加密.xlsx"
    with roster.open("rb") as src, path.open("wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    assert "加密" in bad([path]).render()


def test_no_recognisable_header(tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", {"S": [["甲", "乙"], ["1", "2"]]})
    assert "表头" in bad([path]).render()


def test_missing_required_column_names_file_sheet_and_column(tmp_path):
    path = write_xlsx(tmp_path / "结算.xlsx", {"住院": [["姓名", "身份证号", "入院日期", "出院日期", "就诊医院"],
                                                      ["张三", "411521196001011232", "2020-01-01", "2020-01-05", "县医院"]]})
    err = bad([path])
    assert (err.sheet, err.column) == ("住院", "医疗费总额")
    assert "结算.xlsx" in err.render() and "住院" in err.render() and "医疗费总额" in err.render()


def test_a_list_of_person_columns_only_is_a_generic_person_list(tmp_path):
    path = write_xlsx(tmp_path / "名单.xlsx", {"S": [["姓名", "身份证号"], ["张三", "411521196001011232"]]})
    assert import_files([path]).sheets[0].kind == "person"


def test_kind_given_explicitly_reads_a_minimal_list(tmp_path):
    path = write_xlsx(tmp_path / "名单.xlsx", {"S": [["姓名", "身份证号"], ["张三", "411521196001011232"]]})
    assert import_files([path], kind="death").sheets[0].kind == "death"


def test_required_column_missing_in_csv_has_no_sheet(tmp_path):
    path = write_csv(tmp_path / "参保.csv", [["姓名", "参保状态"], ["张三", "正常参保"]])
    err = bad([path])
    assert err.sheet is None and err.column == "身份证号"


def test_does_not_read_a_directory(tmp_path: Path):
    assert "目录" in bad([tmp_path]).render()


def test_csv_with_an_unmatched_quote(tmp_path):
    path = tmp_path / "参保.csv"
    path.write_text('姓名,身份证号,参保状态\n张三,"411521196001011232,正常参保\n李四,110111198001011227,正常参保\n',
                    encoding="utf-8")
    err = bad([path])
    assert err.file.endswith("参保.csv") and "引号" in err.render()


def test_csv_with_a_wide_line_in_the_middle_keeps_every_cell(tmp_path):
    rows = [["姓名", "身份证号", "参保状态"], *[["张三", "411521196001011232", "正常参保"]] * 3,
            ["李四", "110111198001011227", "正常参保", "备注一", "备注二"], ["王五", "11010519491231002X", "正常参保"]]
    result = import_files([write_csv(tmp_path / "参保.csv", rows)])
    assert [r for _, r, _ in rows_of(result)] == [2, 3, 4, 5, 6]
