"""`hv rates` and the inspection outputs of `hv check` from the command line (issue: reports for
inspection teams): the rates in every report, --by, --annotate, -o report.html, --mask."""

import json

import openpyxl
import pytest

from tests.conftest import write_csv, write_xlsx
from tests.test_rates import INSURANCE, ROSTER


@pytest.fixture
def bundle(tmp_path):
    """The rates tests' roster (two townships) and insurance list: C is not insured (CV001)."""
    return [write_xlsx(tmp_path / "花名册.xlsx", {"花名册": ROSTER}), write_csv(tmp_path / "参保.csv", INSURANCE)]


def test_rates_prints_numerator_denominator_and_definition(hv, bundle):
    run = hv("rates", *bundle, "--ref-date", "2020-12-31")
    assert run.code == 0
    county = next(line for line in run.out.splitlines() if "全县" in line and "参保率" in line and "资助" not in line)
    assert "4" in county and "5" in county and "80.0" in county
    assert "有正常参保记录的在册贫困人口 ÷ 在册贫困人口" in run.out
    assert "青山镇" in run.out and "南村" not in run.out  # --by town is the default


def test_rates_by_village_and_to_csv(hv, bundle, tmp_path):
    out = tmp_path / "rates.csv"
    run = hv("rates", *bundle, "--by", "village", "-o", out, "--lang", "en")
    assert run.code == 0 and "Insurance rate" in run.out and "南村" in run.out
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "level,town,village,rate,numerator,denominator,value,reason"
    assert any(line.startswith("village,城关镇,西村,insured,0.0,1.0,") for line in lines)


def test_check_reports_carry_the_rates(hv, bundle, tmp_path):
    xlsx, doc = tmp_path / "r.xlsx", tmp_path / "r.json"
    run = hv("check", *bundle, "-o", xlsx, "-o", doc, "--fail-on", "never", "--ref-date", "2020-12-31")
    assert "督导指标" in run.out
    summary = [row for row in openpyxl.load_workbook(xlsx)["汇总"].iter_rows(values_only=True)]
    insured = next(r for r in summary if r[0] == "全县" and r[2] == "参保率")
    assert insured[3:6] == (4, 5, 80)
    rates = json.loads(doc.read_text(encoding="utf-8"))["rates"]
    assert rates["definitions"]["insured"]["name"] == "参保率"
    assert {"level": "town", "town": "城关镇", "village": None, "rate": "insured", "numerator": 2.0,
            "denominator": 3.0, "value": 2 / 3, "reason": None} in rates["by_place"]


def test_by_needs_an_xlsx_report_and_a_known_level(hv, bundle, tmp_path):
    assert hv("check", *bundle, "--by", "town").code == 2
    assert hv("check", *bundle, "--by", "county", "-o", tmp_path / "x.xlsx").code == 2


def test_html_report_is_written_and_says_it_holds_personal_data(hv, bundle, tmp_path):
    out = tmp_path / "r.html"
    assert hv("check", *bundle, "-o", out, "--fail-on", "never").code == 0
    page = out.read_text(encoding="utf-8")
    assert "本文件含个人身份信息" in page and "参保率" in page


def test_masked_html_report_hides_ids(hv, bundle, tmp_path):
    out = tmp_path / "r.html"
    hv("check", *bundle, "-o", out, "--fail-on", "never", "--mask")
    page = out.read_text(encoding="utf-8")
    assert ROSTER[3][2] not in page and "已部分隐藏" in page


def test_annotate_writes_a_marked_copy_of_each_input_next_to_the_report(hv, bundle, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    before = bundle[0].read_bytes()
    run = hv("check", *bundle, "-o", out / "r.xlsx", "--annotate", "--fail-on", "never", "--ref-date", "2020-12-31")
    assert run.code == 0 and bundle[0].read_bytes() == before
    sheet = openpyxl.load_workbook(out / "花名册.标注.xlsx")["花名册"]
    marked = {cell.coordinate: cell.comment.text for row in sheet.iter_rows() for cell in row if cell.comment}
    assert [c for c, text in marked.items() if "CV001" in text] == ["B4"]  # C, on its name cell, is not insured
    assert (out / "参保.标注.xlsx").is_file()


def test_by_village_warns_about_files_an_earlier_run_left(hv, bundle, tmp_path):
    out = tmp_path / "督导.xlsx"
    (tmp_path / "督导").mkdir()
    (tmp_path / "督导" / "旧乡-旧村.xlsx").write_bytes(b"old")
    run = hv("check", *bundle, "--by", "village", "-o", out, "--fail-on", "never")
    assert run.code == 0 and (tmp_path / "督导" / "城关镇-东村.xlsx").is_file()
    assert "旧乡-旧村.xlsx" in run.err and (tmp_path / "督导" / "旧乡-旧村.xlsx").read_bytes() == b"old"
