"""The annotated copy (`--annotate`): the clerk's workbook with each finding on its cell."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import polars as pl
import pytest
import python_calamine
import xlsxwriter
import xlwt
from openpyxl.comments import Comment

from hv import findings
from hv.api import check
from hv.report.annotate import write_annotated
from hv.report.workbook import FILLS
from tests.conftest import LI, ROSTER_HEADER, WANG_WRONG_SEX, ZHANG, ZHAO_BAD_ID, write_csv, write_xlsx


def roster_book(path: Path, comments: dict[str, str] | None = None) -> Path:
    """Two township sheets as a clerk makes them: a merged title, a two-row header with merged
    cells, borders, widths, a row height, and one household number merged over its two members."""
    wb = xlsxwriter.Workbook(str(path))
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    head = wb.add_format({"bold": True, "bg_color": "#CCE5FF", "border": 1, "align": "center"})
    body = wb.add_format({"border": 1, "font_color": "#1F4E79"})
    for sheet, rows in {"城关镇": [ZHANG, LI, WANG_WRONG_SEX], "石桥镇": [ZHAO_BAD_ID]}.items():
        ws = wb.add_worksheet(sheet)
        ws.merge_range(0, 0, 0, 6, "某县建档立卡贫困人口花名册", title)
        for c, text in enumerate(ROSTER_HEADER[:5]):
            ws.merge_range(1, c, 2, c, text, head)
        ws.merge_range(1, 5, 1, 6, "地址", head)
        ws.write_row(2, 5, ROSTER_HEADER[5:], head)
        for r, row in enumerate(rows, start=3):
            ws.write_row(r, 0, row, body)
        if sheet == "城关镇":
            ws.merge_range(3, 0, 4, 0, ZHANG[0], body)
        ws.set_column(0, 0, 20)
        ws.set_column(3, 3, 22)
        ws.set_row(0, 30)
        for ref, text in (comments or {}).items():
            if sheet == "城关镇":
                ws.write_comment(ref, text)
    wb.close()
    return path


def annotate(path: Path, out: Path, extra: list[dict] = (), **kwargs) -> tuple[Path, pl.DataFrame]:
    """Check the file, add any hand-made findings, write the copy; returns it and the findings."""
    result = check([path])
    found = findings.concat([result.findings, pl.DataFrame(extra)]) if extra else result.findings
    out.mkdir(exist_ok=True)
    written = write_annotated(found, result.imported.headers, [path], out, **kwargs)
    assert len(written) == 1
    return written[0], found


def finding(path: Path, **values) -> dict:
    return {"rule": "HH009", "severity": "warning", "category": "household", "list": "poverty", "file": str(path),
            "sheet": "城关镇", "message": "手工问题", **values}


def style(cell) -> tuple[str, ...]:
    """A cell's look, comparable across workbooks (openpyxl's style proxies are not)."""
    return tuple(repr(part) for part in (cell.font, cell.fill, cell.border, cell.alignment, cell.number_format))


def rgb(color: str) -> str:
    return "FF" + color.lstrip("#").upper()


def test_cell_with_a_finding_is_filled_and_commented(tmp_path):
    copy, _ = annotate(roster_book(tmp_path / "花名册.xlsx"), tmp_path / "out")
    wb = openpyxl.load_workbook(copy)
    sex, id_no = wb["城关镇"]["C6"], wb["石桥镇"]["D4"]
    assert sex.fill.fgColor.rgb == rgb(FILLS["error"]) and id_no.fill.fgColor.rgb == rgb(FILLS["error"])
    assert "PF001" in sex.comment.text and "与身份证号第 17 位不符" in sex.comment.text
    assert "建议值：女" in sex.comment.text
    assert "ID001" in id_no.comment.text and "校验位不对" in id_no.comment.text


def test_annotated_cell_keeps_its_own_font_and_border(tmp_path):
    path = roster_book(tmp_path / "花名册.xlsx")
    copy, _ = annotate(path, tmp_path / "out")
    before, after = openpyxl.load_workbook(path)["城关镇"]["C6"], openpyxl.load_workbook(copy)["城关镇"]["C6"]
    assert (repr(after.font), repr(after.border), after.value) == (repr(before.font), repr(before.border), before.value)
    assert repr(after.fill) != repr(before.fill)


def test_everything_else_is_as_the_clerk_left_it(tmp_path):
    path = roster_book(tmp_path / "花名册.xlsx")
    copy, _ = annotate(path, tmp_path / "out")
    before, after = openpyxl.load_workbook(path), openpyxl.load_workbook(copy)
    annotated = {("城关镇", "C6"), ("石桥镇", "D4")}
    for ws in before.worksheets:
        other = after[ws.title]
        assert {str(r) for r in other.merged_cells.ranges} == {str(r) for r in ws.merged_cells.ranges}
        assert {k: d.width for k, d in other.column_dimensions.items()} == {
            k: d.width for k, d in ws.column_dimensions.items()}
        assert {k: d.height for k, d in other.row_dimensions.items()} == {
            k: d.height for k, d in ws.row_dimensions.items()}
        for row in ws.iter_rows():
            for cell in row:
                mine = other[cell.coordinate]
                assert mine.value == cell.value
                if (ws.title, cell.coordinate) not in annotated:
                    assert style(mine) == style(cell), cell.coordinate
                    assert mine.comment is None


def test_rows_without_findings_are_copied_byte_for_byte(tmp_path):
    path = roster_book(tmp_path / "花名册.xlsx")
    copy, _ = annotate(path, tmp_path / "out")

    def rows(file: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(file) as zf:
            xml = zf.read("xl/worksheets/sheet1.xml")
        return {m.group(1).decode(): m.group(0) for m in re.finditer(rb'<row r="(\d+)".*?</row>', xml, re.S)}

    before, after = rows(path), rows(copy)
    assert before.keys() == after.keys()
    assert [r for r in before if before[r] != after[r]] == ["6"]


def test_both_readers_open_the_copy(tmp_path):
    copy, _ = annotate(roster_book(tmp_path / "花名册.xlsx"), tmp_path / "out")
    book = python_calamine.CalamineWorkbook.from_path(str(copy))
    assert book.sheet_names == ["城关镇", "石桥镇", "未定位问题"]
    assert book.get_sheet_by_name("城关镇").to_python()[5][:3] == ["4115210010012346", "王五", "男"]


def test_findings_without_a_cell_are_listed_on_the_extra_sheet(tmp_path):
    path = roster_book(tmp_path / "花名册.xlsx")
    missing = finding(path, rule="CV001", row=None, message="此人不在参保名单中")
    copy, _ = annotate(path, tmp_path / "out", [missing])
    ws = openpyxl.load_workbook(copy)["未定位问题"]
    assert ws["A1"].value == "本文件含个人身份信息，请按规定保管，勿外传。"
    table = list(ws.iter_rows(min_row=3, values_only=True))
    assert table[0][:3] == ("规则", "级别", "类别")
    assert sorted(row[0] for row in table[1:]) == ["CV001", "IMP004", "IMP004"]  # IMP004: a note on each sheet


def test_a_finding_on_a_persons_row_without_a_column_lands_on_the_name(tmp_path):
    path = roster_book(tmp_path / "花名册.xlsx")
    copy, _ = annotate(path, tmp_path / "out", [finding(path, rule="CV005", row=5, message="没有签约")])
    assert "CV005" in openpyxl.load_workbook(copy)["城关镇"]["B5"].comment.text


def test_the_worst_severity_colours_a_cell_and_comes_first(tmp_path):
    path = roster_book(tmp_path / "花名册.xlsx")
    extra = [finding(path, rule="PF007", severity="info", row=4, field="relation", message="提示一下"),
             finding(path, rule="PF008", severity="warning", row=4, field="relation", message="旧称"),
             finding(path, rule="PF009", severity="error", row=4, field="relation", message="错了")]
    copy, _ = annotate(path, tmp_path / "out", extra)
    cell = openpyxl.load_workbook(copy)["城关镇"]["E4"]
    assert cell.fill.fgColor.rgb == rgb(FILLS["error"])
    assert [line[:9] for line in cell.comment.text.split("\n")] == [
        "【错误】PF009", "【警告】PF008", "【提示】PF007"]


def test_a_finding_on_an_empty_cell_creates_it_in_column_order(tmp_path):
    path = write_xlsx(tmp_path / "花名册.xlsx", {"城关镇": [ROSTER_HEADER, ZHANG[:3] + [None] + ZHANG[4:], LI]})
    copy, _ = annotate(path, tmp_path / "out", [finding(path, row=2, field="id_no", message="身份证号为空")])
    cell = openpyxl.load_workbook(copy)["城关镇"]["D2"]
    assert "身份证号为空" in cell.comment.text and cell.fill.fgColor.rgb == rgb(FILLS["error"])  # ID008 too
    with zipfile.ZipFile(copy) as zf:
        row = re.search(rb'<row r="2".*?</row>', zf.read("xl/worksheets/sheet1.xml")).group(0)
    assert re.findall(rb'<c r="([A-Z]+)2"', row) == [b"A", b"B", b"C", b"D", b"E", b"F", b"G"]


def test_a_row_missing_from_the_file_is_created_in_order(tmp_path):
    path = write_xlsx(tmp_path / "花名册.xlsx", {"城关镇": [ROSTER_HEADER, ZHANG, [], LI]})
    copy, _ = annotate(path, tmp_path / "out", [finding(path, row=3, field="name", message="空行")])
    with zipfile.ZipFile(copy) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml")
    assert re.findall(rb'<row r="(\d+)"', xml) == [b"1", b"2", b"3", b"4"]
    assert "空行" in openpyxl.load_workbook(copy)["城关镇"]["B3"].comment.text


def test_a_finding_in_a_merged_range_moves_to_its_top_left_cell(tmp_path):
    path = roster_book(tmp_path / "花名册.xlsx")
    covered = finding(path, row=5, field="household_no", message="户编号格式异常")
    copy, _ = annotate(path, tmp_path / "out", [covered])
    ws = openpyxl.load_workbook(copy)["城关镇"]
    assert ws["A4"].comment.text.startswith("第 5 行 【警告】HH009 户编号格式异常")
    assert ws["A4"].fill.fgColor.rgb == rgb(FILLS["warning"])


def test_masked_copy_hides_ids_and_names_below_the_header(tmp_path):
    path = roster_book(tmp_path / "花名册.xlsx")  # xlsxwriter keeps text in the shared string table
    copy, _ = annotate(path, tmp_path / "out", masked=True)
    ws = openpyxl.load_workbook(copy)["城关镇"]
    assert [ws["B2"].value, ws["D2"].value] == ["姓名", "证件号码"]
    assert [ws["B4"].value, ws["D4"].value, ws["C4"].value] == ["张*", "411521********1232", "男"]
    with zipfile.ZipFile(copy) as zf:
        everything = b"".join(zf.read(n) for n in zf.namelist())
    for secret in ("411521196001011232", "11010519491231002X", "张三", "王五"):
        assert secret.encode() not in everything, secret
    assert openpyxl.load_workbook(copy)["未定位问题"]["A1"].value == "身份证号和姓名已部分隐藏。"


def test_masked_copy_of_inline_text_rewrites_the_cells(tmp_path):
    path = write_csv(tmp_path / "花名册.csv", [ROSTER_HEADER, ZHANG, WANG_WRONG_SEX])
    copy, _ = annotate(path, tmp_path / "out", masked=True)
    ws = openpyxl.load_workbook(copy)["花名册"]
    assert [c.value for c in ws[3]][:4] == ["4115210010012346", "王*", "男", "110105********002X"]
    assert "PF001" in ws["C3"].comment.text


def test_csv_input_gives_an_xlsx_copy_with_the_same_cells(tmp_path):
    path = write_csv(tmp_path / "花名册.csv", [ROSTER_HEADER, ZHANG, LI, WANG_WRONG_SEX], encoding="gb18030")
    copy, _ = annotate(path, tmp_path / "out")
    assert copy == tmp_path / "out" / "花名册.标注.xlsx"
    ws = openpyxl.load_workbook(copy)["花名册"]
    assert [[c.value for c in row] for row in ws.iter_rows(max_row=4)] == [ROSTER_HEADER, ZHANG, LI, WANG_WRONG_SEX]
    assert "PF001" in ws["C4"].comment.text and ws["C4"].fill.fgColor.rgb == rgb(FILLS["error"])


def test_xls_input_gives_an_xlsx_copy(tmp_path):
    path = tmp_path / "花名册.xls"
    book = xlwt.Workbook()
    sheet = book.add_sheet("城关镇")
    for r, row in enumerate([ROSTER_HEADER, ZHANG, WANG_WRONG_SEX]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(path))
    copy, _ = annotate(path, tmp_path / "out")
    assert copy.name == "花名册.标注.xlsx"
    assert "PF001" in openpyxl.load_workbook(copy)["城关镇"]["C3"].comment.text


def test_xlsx_whose_rows_have_no_numbers_is_annotated_as_a_plain_copy(tmp_path):
    written = write_xlsx(tmp_path / "w.xlsx", {"城关镇": [ROSTER_HEADER, ZHANG, WANG_WRONG_SEX]})
    path = tmp_path / "花名册.xlsx"
    with zipfile.ZipFile(written) as zin, zipfile.ZipFile(path, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            zout.writestr(name, re.sub(rb'<row r="\d+"', b"<row", data) if "worksheets" in name else data)
    copy, _ = annotate(path, tmp_path / "out")
    assert "PF001" in openpyxl.load_workbook(copy)["城关镇"]["C3"].comment.text


def test_input_is_never_written_and_the_copy_goes_to_out_dir(tmp_path):
    path = roster_book(tmp_path / "花名册.xlsx")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    copy, _ = annotate(path, tmp_path / "out")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert copy == tmp_path / "out" / "花名册.标注.xlsx"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["花名册.标注.xlsx"]


def test_two_inputs_with_one_stem_get_two_names(tmp_path):
    xlsx = write_xlsx(tmp_path / "花名册.xlsx", {"城关镇": [ROSTER_HEADER, ZHANG]})
    csv = write_csv(tmp_path / "花名册.csv", [ROSTER_HEADER, LI])
    result = check([xlsx, csv])
    written = write_annotated(result.findings, result.imported.headers, [xlsx, csv], tmp_path, lang="en")
    assert [p.name for p in written] == ["花名册.annotated.xlsx", "花名册.csv.annotated.xlsx"]


def test_an_xlsm_copy_stays_xlsm(tmp_path):
    path = write_xlsx(tmp_path / "花名册.xlsx", {"城关镇": [ROSTER_HEADER, WANG_WRONG_SEX]})
    path = path.rename(tmp_path / "花名册.xlsm")
    copy, _ = annotate(path, tmp_path / "out")
    assert copy.name == "花名册.标注.xlsm"
    assert "PF001" in openpyxl.load_workbook(copy)["城关镇"]["C2"].comment.text


def test_english_copy(tmp_path):
    copy, _ = annotate(roster_book(tmp_path / "花名册.xlsx"), tmp_path / "out", lang="en")
    wb = openpyxl.load_workbook(copy)
    assert copy.name == "花名册.annotated.xlsx" and wb.sheetnames[-1] == "Findings without a cell"
    text = wb["城关镇"]["C6"].comment.text
    assert text.startswith("[error] PF001") and "Suggestion: 女" in text
    assert wb["Findings without a cell"]["A3"].value == "Rule"


def test_the_sheets_own_comments_are_kept_and_merged(tmp_path):
    path = roster_book(tmp_path / "花名册.xlsx", comments={"H4": "村里说已迁出", "C6": "已核实"})
    copy, _ = annotate(path, tmp_path / "out")
    ws = openpyxl.load_workbook(copy)["城关镇"]
    assert ws["H4"].comment.text == "村里说已迁出"
    assert ws["C6"].comment.text.startswith("已核实") and "PF001" in ws["C6"].comment.text
    with zipfile.ZipFile(copy) as zf:
        vml = [zf.read(n) for n in zf.namelist() if n.endswith(".vml")]
    shapes = [int(i) for xml in vml for i in re.findall(rb'<v:shape id="_x0000_s(\d+)"', xml)]
    assert len(shapes) == len(set(shapes)) == 3  # the clerk's two, and 石桥镇's; none more for C6


def test_many_comments_get_unique_shape_ids_in_their_declared_blocks(tmp_path):
    people = [[f"41152100100{i:05d}", f"张{chr(0x4E00 + i)}", "男", "", "户主", "城关镇", "东村"]
              for i in range(1100)]
    path = write_xlsx(tmp_path / "花名册.xlsx",
                      {"城关镇": [ROSTER_HEADER, *people], "石桥镇": [ROSTER_HEADER, *people[:3]]})
    extra = [finding(path, sheet=sheet, row=r, field="id_no", message="身份证号为空")
             for sheet, rows in (("城关镇", 1100), ("石桥镇", 3)) for r in range(2, rows + 2)]
    copy, _ = annotate(path, tmp_path / "out", extra)
    with zipfile.ZipFile(copy) as zf:
        drawings = [zf.read(n) for n in zf.namelist() if n.endswith(".vml")]
    seen_blocks, seen_ids = set(), set()
    for xml in drawings:
        blocks = {int(b) for b in re.search(rb'data="([^"]*)"', xml).group(1).split(b",")}
        ids = [int(i) for i in re.findall(rb'id="_x0000_s(\d+)"', xml)]
        assert {i // 1024 for i in ids} <= blocks and not blocks & seen_blocks and not set(ids) & seen_ids
        seen_blocks |= blocks
        seen_ids |= set(ids)
    wb = openpyxl.load_workbook(copy)
    assert len(seen_ids) == sum(1 for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.comment)
    assert sum(1 for (cell,) in wb["城关镇"].iter_rows(min_col=4, max_col=4) if cell.comment) == 1100


@pytest.mark.parametrize("masked", [False, True])
def test_comment_text_follows_the_mask(tmp_path, masked):
    path = roster_book(tmp_path / "花名册.xlsx")
    copy, _ = annotate(path, tmp_path / "out", masked=masked)
    text = openpyxl.load_workbook(copy)["石桥镇"]["D4"].comment.text
    assert ("411521196001021233" in text) != masked


def well_formed(copy: Path) -> None:
    """Every XML part parses with its namespaces bound, as Excel's parser needs."""
    with zipfile.ZipFile(copy) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels", ".vml")):
                ElementTree.fromstring(zf.read(name))


def test_comments_made_by_openpyxl_are_kept_beside_ours(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "城关镇"
    for row in [ROSTER_HEADER, ZHANG, LI, WANG_WRONG_SEX]:
        ws.append(row)
    ws["H2"].comment = Comment("村里说已迁出", "clerk")  # openpyxl's VML binds its namespaces to ns0, ns1 …
    path = tmp_path / "花名册.xlsx"
    wb.save(path)
    copy, _ = annotate(path, tmp_path / "out", [finding(path, row=2, field="village", message="村名不对")])
    well_formed(copy)
    ws = openpyxl.load_workbook(copy)["城关镇"]
    assert ws["H2"].comment.text == "村里说已迁出"
    assert "PF001" in ws["C4"].comment.text and "村名不对" in ws["G2"].comment.text
    with zipfile.ZipFile(copy) as zf:
        (vml,) = [zf.read(n) for n in zf.namelist() if n.endswith(".vml")]
    assert len(re.findall(rb'id="_x0000_s\d+"', vml)) == len(set(re.findall(rb'id="_x0000_s\d+"', vml))) == 3


def test_the_copy_is_well_formed(tmp_path):
    path = roster_book(tmp_path / "花名册.xlsx", comments={"H4": "村里说已迁出"})
    copy, _ = annotate(path, tmp_path / "out", masked=True)
    well_formed(copy)


def test_a_package_with_prefixed_elements_is_rewritten_in_place(tmp_path):
    """.NET's Open XML SDK writes <x:worksheet xmlns:x="…main">."""
    plain = write_xlsx(tmp_path / "plain.xlsx", {"城关镇": [ROSTER_HEADER, ZHANG, WANG_WRONG_SEX]})
    path = tmp_path / "花名册.xlsx"
    main = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(path, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name.startswith("xl/") and name.endswith(".xml"):
                data = re.sub(rb"<(/?)(\w+)([\s>/])", rb"<\1x:\2\3", data)
                data = data.replace(main, main.replace(b"xmlns", b"xmlns:x"))
            zout.writestr(name, data)
    copy, _ = annotate(path, tmp_path / "out", masked=True)
    well_formed(copy)
    ws = openpyxl.load_workbook(copy)["城关镇"]
    assert "PF001" in ws["C3"].comment.text and ws["C3"].fill.fgColor.rgb == rgb(FILLS["error"])
    assert [ws["B1"].value, ws["B3"].value] == ["姓名", "王*"]
    with zipfile.ZipFile(copy) as zf:
        assert b"<x:worksheet" in zf.read("xl/worksheets/sheet1.xml")


def test_masked_copy_hides_an_id_stored_as_a_number(tmp_path):
    as_number = ZHANG[:3] + [411521196001011232] + ZHANG[4:]
    path = write_xlsx(tmp_path / "花名册.xlsx", {"城关镇": [ROSTER_HEADER, as_number]})
    copy, _ = annotate(path, tmp_path / "out", masked=True)
    value = openpyxl.load_workbook(copy)["城关镇"]["D2"].value
    assert re.fullmatch(r"411521\*{8}\d{4}", value), value


def test_large_bundles_are_copied_in_parallel_with_the_same_result(tmp_path, monkeypatch):
    """Above PARALLEL_BYTES the copies are made in worker processes; the files are the same."""
    from hv.report import annotate

    rows = [ROSTER_HEADER, ZHANG, LI, WANG_WRONG_SEX, ZHAO_BAD_ID]
    roster = write_xlsx(tmp_path / "花名册.xlsx", {"城关镇": rows})
    other = write_xlsx(tmp_path / "名册二.xlsx", {"西村": rows})
    result = check([roster, other])
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    serial.mkdir(), parallel.mkdir()
    annotate.write_annotated(result.findings, result.imported.headers, [roster, other], serial)
    monkeypatch.setattr(annotate, "PARALLEL_BYTES", 0)
    written = annotate.write_annotated(result.findings, result.imported.headers, [roster, other], parallel)
    assert [p.name for p in written] == ["花名册.标注.xlsx", "名册二.标注.xlsx"]
    for path in written:
        cells = _cells(path)
        assert any(comment for _, comment, _ in cells.values()) and cells == _cells(serial / path.name)


def _cells(path) -> dict:
    """Every cell's value, comment and fill, by sheet and coordinate."""
    book = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): (c.value, c.comment.text if c.comment else None, c.fill.fgColor.rgb)
            for ws in book for row in ws.iter_rows() for c in row}
