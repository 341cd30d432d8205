"""`hv import` and `hv schema` from the command line: summary, outputs, exit codes."""

import hashlib

import polars as pl

from tests.conftest import write_xlsx


def test_import_prints_a_summary_per_sheet(hv, roster):
    run = hv("import", roster)
    assert run.code == 0
    assert "花名册.xlsx" in run.out and "城关镇" in run.out and "建档立卡贫困人口花名册" in run.out
    assert "共读入 3 行" in run.out


def test_import_in_english(hv, roster):
    run = hv("import", roster, "--lang", "en")
    assert "Import summary" in run.out and "poverty" in run.out and "3 rows read" in run.out


def test_import_writes_parquet_with_raw_values_and_provenance(hv, roster, tmp_path):
    out = tmp_path / "out.parquet"
    assert hv("import", roster, "-o", out).code == 0
    table = pl.read_parquet(out)
    assert table.columns[:4] == ["kind", "file", "sheet", "row"]
    assert {"id_no", "id_no_raw", "name", "name_raw", "name_key"} <= set(table.columns)
    assert table["row"].to_list() == [2, 3, 4]


def test_import_writes_csv_with_a_bom_for_excel(hv, roster, tmp_path):
    out = tmp_path / "out.csv"
    assert hv("import", roster, "-o", out).code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert pl.read_csv(out, infer_schema=False)["id_no"].to_list()[0] == "411521196001011232"


def test_import_findings_file(hv, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", {"S": [["姓名", "身份证号", "死亡日期"], ["张三", "411521196001011232", "去年"]]})
    out = tmp_path / "findings.csv"
    assert hv("import", path, "--findings", out).code == 0
    found = pl.read_csv(out, infer_schema=False)
    assert found.columns[:7] == ["rule", "severity", "category", "list", "file", "sheet", "row"]
    assert found.filter(pl.col("rule") == "IMP007").select("row", "column", "value").rows() == [("2", "死亡日期", "去年")]


def test_bad_input_is_one_line_and_exit_code_2(hv, tmp_path):
    run = hv("import", tmp_path / "缺失.xlsx")
    assert run.code == 2
    assert run.err.count("\n") == 1 and "缺失.xlsx" in run.err and "Traceback" not in run.err


def test_missing_required_column_names_the_column(hv, tmp_path):
    path = write_xlsx(tmp_path / "结算.xlsx", {"住院": [["姓名", "身份证号", "入院日期", "就诊医院"], ["张三", "1", "2020-01-01", "x"]]})
    run = hv("import", path)
    assert run.code == 2 and "住院" in run.err and "医疗费总额" in run.err


def test_output_never_overwrites_an_input(hv, roster):
    before = hashlib.sha256(roster.read_bytes()).hexdigest()
    run = hv("import", roster, "-o", roster)
    assert run.code == 2 and "输入文件" in run.err
    assert hashlib.sha256(roster.read_bytes()).hexdigest() == before


def test_unsupported_output_suffix_writes_nothing(hv, roster, tmp_path):
    run = hv("import", roster, "-o", tmp_path / "out.txt")
    assert run.code == 2
    assert list(tmp_path.glob("out*")) == [] and list(tmp_path.glob(".out*")) == []


def test_failed_run_leaves_no_partial_output(hv, roster, tmp_path):
    out = tmp_path / "out.parquet"
    out.write_bytes(b"previous run")
    run = hv("import", roster, tmp_path / "missing.xlsx", "-o", out)
    assert run.code == 2 and out.read_bytes() == b"previous run"


def test_usage_error_is_exit_code_2(hv):
    assert hv("import").code == 2
    assert hv("import", "--kind", "nonsense", "x.xlsx").code == 2


def test_schema_lists_kinds_and_fields(hv):
    listing = hv("schema")
    assert listing.code == 0 and "settlement" in listing.out and "住院结算明细" in listing.out
    one = hv("schema", "poverty")
    assert one.code == 0 and "与户主关系" in one.out and "之子" in one.out and "特困供养贫困户" in one.out
    assert hv("schema", "nonsense").code == 2


def test_outputs_get_the_usual_file_permissions(hv, roster, tmp_path):
    import os

    out = tmp_path / "out.csv"
    hv("import", roster, "-o", out)
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
