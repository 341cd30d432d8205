"""The HTML report: a self-contained page, checked as text and in a real headless chromium."""

from __future__ import annotations

import json
import re
import struct
import zlib
from pathlib import Path

import polars as pl
import pytest

from hv import findings, rates
from hv.findings import conform
from hv.report import Report, html

CHROMIUM = Path("/usr/bin/chromium")
try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the dev extra is not installed
    sync_playwright = None
in_browser = pytest.mark.skipif(sync_playwright is None or not CHROMIUM.exists(),
                                reason="needs the playwright package (pip install -e '.[dev]') and Debian's "
                                       "chromium at /usr/bin/chromium (apt-get install chromium fonts-noto-cjk)")

# Five findings in two 乡镇: 城关镇 has 3 (two errors), 石桥镇 2; ID001 twice.
FINDINGS = {
    "rule": ["ID001", "PF001", "HH005", "ID001", "CV001"],
    "severity": ["error", "warning", "error", "error", "info"],
    "category": ["id", "person", "household", "id", "coverage"],
    "list": ["poverty"] * 5,
    "file": ["/data/县/花名册.xlsx"] * 5,
    "sheet": ["城关镇", "城关镇", "城关镇", "石桥镇", "石桥镇"],
    "row": [2, 3, 4, 5, 6],
    "column": ["证件号码", "性别", "家庭人口", "证件号码", None],
    "value": ["411521196001011233", "男", "3", "411521196001021233", None],
    "message": ["校验位不对 </script><script>alert(1)</script>", "性别与身份证号不符",
                "家庭人口与成员行数不一致 <img src=x onerror=alert(2)>", "校验位不对", "未参保 <!--"],
    "name": ["张三", "李四", "王五", "赵六", "钱七"],
    "id_no": ["411521196001011233", "110111198001011227", None, "411521196001021233", "411521196001031234"],
    "town": ["城关镇", "城关镇", "城关镇", "石桥镇", "石桥镇"],
    "village": ["东村", "东村", "西村", "南村", "北村"],
}
RULE_NAMES = {"ID001": "身份证号校验位错误", "PF001": "性别与身份证号不符", "HH005": "家庭人口与成员数不一致",
              "CV001": "未参保"}


def rates_table() -> pl.DataFrame:
    rows = [("county", None, None, "insured", 90, 100, 0.9, None), ("town", "城关镇", None, "insured", 48, 50, 0.96, None),
            ("town", "石桥镇", None, "insured", 42, 50, 0.84, None), ("village", "城关镇", "东村", "insured", 30, 30, 1.0, None),
            ("village", "石桥镇", "南村", "insured", 12, 20, 0.6, None), ("county", None, None, "reimbursement", 9e5, 1e6, 0.9, None),
            ("town", "城关镇", None, "reimbursement", 0, 0, None, None)]
    return pl.DataFrame(rows, schema=rates.COLUMNS, orient="row")


def make_report(**kwargs) -> Report:
    fields = {"findings": conform(pl.DataFrame(FINDINGS)), "inputs": ["/data/县/花名册.xlsx", "/data/县/参保.csv"],
              "rule_names": RULE_NAMES, "rates": rates_table()}
    return Report(**fields | kwargs)


def embedded(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="hv-data">(.*?)</script>', page, re.S).group(1))


def many(n: int, *, message: str = "「身份证号」的校验位不对，应为 X") -> pl.DataFrame:
    """n findings over 4 乡镇 and 20 村, one error in three."""
    i = pl.int_range(0, n, eager=True)
    return conform(pl.DataFrame({"row": i + 2}).with_columns(
        rule=pl.format("ID{}", (i % 7).cast(pl.String).str.zfill(3)),
        severity=pl.lit(pl.Series(["error", "warning", "info"])).get(i % 3),
        town=pl.format("{}镇", i % 4), village=pl.format("{}村", i % 20), file=pl.lit("花名册.xlsx"),
        id_no=pl.format("41152119600101{}", (i % 10_000).cast(pl.String).str.zfill(4)), message=pl.lit(message)))


# ---- the page as text ------------------------------------------------------------------------


def test_page_fetches_nothing_and_allows_only_its_own_script():
    page = html.render(make_report())
    assert not re.search(r"https?:|(src|href|action)\s*=\s*[\"']?//", page, re.I)
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy
    assert page.count("<script") == 2  # the JSON and the table's own script


def test_cell_values_cannot_end_the_json_or_inject_markup():
    page = html.render(make_report())
    assert "</script><script>alert(1)" not in page and "<img src=x" not in page and "<!--" not in page
    data = embedded(page)
    messages = [data["values"]["message"][code] for code in data["codes"]["message"]]
    assert messages == FINDINGS["message"]  # the same text, escaped only for the page


def test_findings_are_embedded_dictionary_encoded_with_labels():
    data = embedded(html.render(make_report()))
    assert data["total"] == data["shown"] == 5
    assert data["values"]["severity"] == ["错误", "警告", "提示"] and data["severityKeys"] == ["error", "warning", "info"]
    assert "related_file" not in data["columns"]  # no finding fills it
    assert data["labels"][data["columns"].index("id_no")] == "身份证号"
    assert {data["values"]["file"][c] for c in data["codes"]["file"]} == {"花名册.xlsx"}
    assert sum(data["groups"]["n"]) == 5


def test_headline_rates_and_distribution():
    page = html.render(make_report())
    assert '<div class="card card-total" data-key="total"><span class="number">5</span>' in page
    assert '<div class="card card-people" data-key="people"><span class="number">4</span>' in page
    insured = rates.RATES["insured"]
    assert insured.label("zh") in page and insured.definition("zh") in page
    assert "全县 <strong>90.0%</strong> (90 / 100)" in page
    assert "96.0%  (48 / 50)" in page and "(900,000 元 / 1,000,000 元)" in page
    assert "— (分母为 0)" in page  # 城关镇's reimbursement has no settlements
    assert "各村（差的在前） (2)" in page and page.index(">南村<") < page.index(">东村<")
    assert "ID001 身份证号校验位错误" in page


def test_a_mis_mapped_town_column_charts_only_the_worst_towns():
    found = many(1_000).with_columns(town=pl.format("{}镇", pl.col("row") % 50))
    page = html.render(Report(found))
    assert f"问题最多的 {html.TOP_TOWNS} 个乡镇（共 50 个）" in page


def test_households_are_counted_from_the_roster_rows():
    households = pl.DataFrame({"file": ["/data/县/花名册.xlsx"] * 3, "sheet": ["城关镇"] * 3, "row": [2, 3, 4],
                               "household": ["H1", "H1", "H2"]})
    page = html.render(make_report(households=households))
    assert '<div class="card card-households" data-key="households"><span class="number">2</span>' in page


@pytest.mark.parametrize("table", [None, rates.empty()])
def test_page_without_rates_has_no_rates_section(table):
    page = html.render(make_report(rates=table))
    assert 'id="rates"' not in page and 'id="findings"' in page


def test_no_findings():
    page = html.render(make_report(findings=findings.empty()))
    assert "未发现问题。" in page and 'id="f-town"' not in page


def test_personal_data_notice_unless_masked():
    assert "本文件含个人身份信息" in html.render(make_report())
    masked = html.render(Report.build(pl.DataFrame(conform(pl.DataFrame(FINDINGS))), mask=True))
    assert "本文件含个人身份信息" not in masked and "身份证号和姓名已部分隐藏。" in masked
    assert 'data-key="people"' not in masked  # masked ID numbers can coincide


def test_too_many_findings_are_taken_from_each_town_in_turn_errors_first():
    report = Report(many(5_000))
    data = embedded(html.render(report, max_rows=1_000))
    assert (data["total"], data["shown"]) == (5_000, 1_000)
    towns = pl.Series([data["values"]["town"][c] for c in data["codes"]["town"]])
    assert towns.value_counts()["count"].to_list() == [250] * 4
    assert {data["values"]["severity"][c] for c in data["codes"]["severity"]} == {"错误"}
    rows = [int(data["values"]["row"][c]) for c in data["codes"]["row"]]
    assert rows == sorted(rows)  # in the report's reading order
    assert sum(data["groups"]["n"]) == 5_000


def test_capped_page_says_so():
    page = html.render(make_report(), max_rows=2)
    assert "共 5 条问题，浏览器装不下全部，本页表格只列出其中 2 条" in page and "xlsx 或 csv" in page
    assert 'id="capped"' not in html.render(make_report())


def test_a_county_of_findings_stays_far_under_30_mb(tmp_path):
    path = tmp_path / "report.html"
    html.write(Report(many(300_000)), path)
    assert path.stat().st_size < 15 * 2**20
    assert embedded(path.read_text(encoding="utf-8"))["shown"] == html.MAX_ROWS


def test_long_cells_are_capped_by_bytes(tmp_path):
    path = tmp_path / "report.html"
    html.write(Report(many(600, message="x" * 40_000)), path)
    assert path.stat().st_size < html.MAX_BYTES + 2**20
    assert 0 < embedded(path.read_text(encoding="utf-8"))["shown"] < 600


def test_write_is_atomic_and_leaves_nothing_else(tmp_path):
    html.write(make_report(), tmp_path / "报告.html")
    assert [p.name for p in tmp_path.iterdir()] == ["报告.html"]


def test_english_page():
    page = html.render(make_report(lang="en"))
    assert '<html lang="en">' in page and "<h1>hv check report</h1>" in page
    assert rates.RATES["insured"].definition("en") in page and "Contains personal data" in page
    assert embedded(page)["labels"][:2] == ["Rule", "Severity"]


# ---- the page in chromium ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


class Opened:
    """A page loaded from a file with every other request blocked, and what went wrong on it."""

    def __init__(self, browser, path: Path):
        self.url = path.as_uri()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": 1300, "height": 900})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.route("**/*", lambda route: route.continue_() if route.request.url == self.url else route.abort())
        self.page.goto(self.url)

    def text(self, selector: str) -> str:
        return self.page.inner_text(selector)

    def rows(self) -> list[list[str]]:
        return self.page.eval_on_selector_all(
            "#table tbody tr", "trs => trs.map(tr => [...tr.cells].map(td => td.textContent))")

    def column(self, name: str) -> list[str]:
        headers = self.page.eval_on_selector_all("#table thead th", "ths => ths.map(th => th.textContent)")
        return [row[headers.index(name)] for row in self.rows()]


@pytest.fixture
def opened(browser, tmp_path):
    pages = []

    def open_report(report: Report, **kwargs) -> Opened:
        path = tmp_path / f"report-{len(pages)}.html"
        html.write(report, path, **kwargs)
        pages.append(Opened(browser, path))
        return pages[-1]

    yield open_report
    for page in pages:
        assert page.errors == [] and page.requests == [page.url]
        page.page.close()


@in_browser
def test_renders_headline_and_every_finding(opened):
    page = opened(make_report())
    assert page.text("h1") == "健康扶贫名单核查报告"
    assert page.text(".card-total .number") == "5" and page.text(".card-error .number") == "3"
    assert page.text("#counter") == "显示 5 / 5 条"
    assert page.column("问题说明")[0] == FINDINGS["message"][0]  # as text: no script ran, no image was asked for
    assert page.page.locator("#table img").count() == 0
    assert page.text("#privacy").startswith("本文件含个人身份信息")


@in_browser
def test_filters_and_search(opened):
    page = opened(make_report())
    assert page.page.is_disabled("#f-village")
    page.page.select_option("#f-town", label="城关镇 (3)")
    assert page.text("#counter") == "显示 3 / 5 条" and set(page.column("乡镇")) == {"城关镇"}
    page.page.select_option("#f-village", label="西村 (1)")
    assert page.column("姓名") == ["王五"]
    page.page.select_option("#f-town", label="全部")
    assert page.page.is_disabled("#f-village") and page.text("#counter") == "显示 5 / 5 条"
    page.page.select_option("#f-rule", label="ID001 身份证号校验位错误 (2)")
    assert page.column("姓名") == ["张三", "赵六"]
    page.page.select_option("#f-severity", label="警告 (1)")
    assert page.text("#counter") == "显示 0 / 5 条" and page.rows() == []
    page.page.select_option("#f-rule", label="全部")
    assert page.column("姓名") == ["李四"] and page.page.locator("#table tbody tr.sev-warning").count() == 1
    page.page.select_option("#f-severity", label="全部")
    page.page.fill("#f-search", "赵六")
    expect(page.page.locator("#counter")).to_have_text("显示 1 / 5 条")
    assert page.column("行号") == ["5"]


@in_browser
def test_pages_through_many_findings(opened):
    page = opened(Report(many(250)))
    assert page.text("#counter") == "显示 250 / 250 条" and page.text("#page") == "第 1 / 3 页"
    assert len(page.rows()) == html.PAGE_ROWS and page.page.is_disabled("#prev")
    page.page.click("#next")
    page.page.click("#next")
    assert page.text("#page") == "第 3 / 3 页" and len(page.rows()) == 50 and page.page.is_disabled("#next")


@in_browser
def test_capped_page_counts_all_findings(opened):
    page = opened(make_report(), max_rows=2)
    assert "本页表格只列出其中 2 条" in page.text("#capped")
    assert page.text("#counter") == "显示 2 / 2 条 全部问题中符合条件的共 5 条。"
    assert page.column("姓名") == ["张三", "赵六"]  # each 乡镇's first error
    page.page.select_option("#f-town", label="城关镇 (3)")
    assert page.text("#counter") == "显示 1 / 2 条 全部问题中符合条件的共 3 条。"
    page.page.fill("#f-search", "张三")
    expect(page.page.locator("#counter")).to_contain_text("文字搜索只在本页列出的条目中进行")


@in_browser
def test_masked_page(opened):
    page = opened(Report.build(conform(pl.DataFrame(FINDINGS)), mask=True, inputs=["花名册.xlsx"]))
    assert page.text("#privacy") == "身份证号和姓名已部分隐藏。"
    assert page.column("身份证号")[0] == "411521********1233" and page.column("姓名")[0] == "张*"


@in_browser
def test_english_labels(opened):
    page = opened(make_report(lang="en"))
    assert page.text("h1") == "hv check report" and page.text("#counter") == "Showing 5 of 5"
    page.page.select_option("#f-severity", label="error (3)")
    assert page.text("#counter") == "Showing 3 of 5" and set(page.column("Severity")) == {"error"}
    assert page.text("#privacy").startswith("Contains personal data")


@in_browser
def test_screenshot(opened, tmp_path):
    page = opened(make_report())
    shot = tmp_path / "report.png"
    page.page.screenshot(path=shot, full_page=True)
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    assert width == 1300 and height > 1000
    assert len(png) > 50_000
    pixels = zlib.decompress(b"".join(_chunks(png, b"IDAT")))
    assert len(set(pixels)) > 100  # text, bars and coloured rows, not a blank page


def _chunks(png: bytes, kind: bytes):
    at = 8
    while at < len(png):
        length, = struct.unpack(">I", png[at:at + 4])
        if png[at + 4:at + 8] == kind:
            yield png[at + 8:at + 8 + length]
        at += 12 + length
