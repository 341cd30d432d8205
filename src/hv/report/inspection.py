"""Inspection workbook (`hv check … --by town|village`): the findings a 督导组 prints for a visit.

One sheet per 乡镇 (or one file per 村) with that place's findings grouped by household in visiting
order, A4 landscape, and two blank bordered columns (核实情况, 整改结果) the team fills in on
site. A cover sheet carries the rates (numerator, denominator, value, definition), the counts and
native Excel charts. Grouping, sorting and labels are polars; only the cell writes loop in Python.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import xlsxwriter

from hv.errors import HvError
from hv.findings import CATEGORIES, CATEGORY_LABELS, LABELS, SEVERITIES, SEVERITY_LABELS
from hv.mask import mask_name
from hv.output import atomic_write, refuse_inputs
from hv.rates import LEVEL_LABELS, RATES, Rate
from hv.report import Report
from hv.report.workbook import FILLS, TEXT as WORKBOOK_TEXT, print_setup

TEXT = {lang: WORKBOOK_TEXT[lang] | extra for lang, extra in {
    "zh": {"title": "健康扶贫名单核查督导清单", "no_town": "未分乡镇", "no_village": "未分村", "no_household": "未分户",
           "household": "户", "person": "人员", "location": "位置", "verified": "核实情况", "result": "整改结果",
           "n_findings": " 条", "by_town": "各乡镇问题数", "by_village": "各村问题数", "by_category": "问题按类别",
           "rates": "指标（分子 ÷ 分母）", "households": "涉及户数", "sheet": "工作表", "file": "文件",
           "place": "地区", "numerator": "分子", "denominator": "分母", "value": "比率", "definition": "口径",
           "higher": "越高越好", "lower": "越低越好", "money": "金额单位：元", "findings_by_town": "问题数（按乡镇）",
           "findings_by_category": "问题数（按类别）", "sep": "：", "list_sep": "；", "paren": "（{}）"},
    "en": {"title": "Health poverty-alleviation roster check: inspection list", "no_town": "No township",
           "no_village": "No village", "no_household": "No household", "household": "Household", "person": "Person",
           "location": "Location", "verified": "Verified on site", "result": "Rectification",
           "n_findings": " findings", "by_town": "Findings by township", "by_village": "Findings by village",
           "by_category": "Findings by category", "rates": "Rates (numerator / denominator)",
           "households": "Households", "sheet": "Sheet", "file": "File", "place": "Place",
           "numerator": "Numerator", "denominator": "Denominator", "value": "Rate", "definition": "Definition",
           "higher": "higher is better", "lower": "lower is better", "money": "amounts in yuan",
           "findings_by_town": "Findings by township", "findings_by_category": "Findings by category",
           "sep": ": ", "list_sep": "; ", "paren": " ({})"},
}.items()}

# The findings sheet: what a visiting team reads, then the two columns it writes in by hand.
COLUMNS = ("village", "household", "name", "id_no", "list", "location", "rule", "severity", "message",
           "suggestion", "verified", "result")
FILLED = COLUMNS[:-2]  # hv fills these; the team writes in the last two
WIDTHS = {"village": 8, "household": 15, "name": 7, "id_no": 17.5, "list": 8, "location": 16, "rule": 6.5,
          "severity": 7, "message": 34, "suggestion": 17.5, "verified": 18, "result": 18}  # an ID fits on one line
WRAPPED = ("household", "id_no", "list", "location", "message", "suggestion")  # the others fit one line
LINE_HEIGHT = 13.5  # points per line of 10-point text
COVER_WIDTHS = (16, 13, 13, 13, 9, 9, 24)  # A–G: place, counts or numerator/denominator/rate, link
CHART_COLUMN, CHART_SIZE, CHART_ROWS = 8, (520, 260), 14  # charts stand right of the tables, one per block
DEFAULT_ROW, DEFAULT_COLUMN = 15, 64  # points, pixels
MARGINS = {"left": 0.5, "right": 0.4, "top": 0.75, "bottom": 0.6}  # inches
# An A4 landscape page between the margins: its width in pixels, its height in points less a little.
PAGE_WIDTH = (297 / 25.4 - MARGINS["left"] - MARGINS["right"]) * 96
PAGE_HEIGHT = 210 / 25.4 * 72 - (MARGINS["top"] + MARGINS["bottom"]) * 72 - 10
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
EXCEL_ROWS = 1_048_576
FORBIDDEN_IN_SHEET = re.compile(r"[\[\]:*?/\\]")
FORBIDDEN_IN_FILE = r"[\\/:*?\"<>|#%\x00-\x1f]"


def write(report: Report, path: Path, by: str) -> list[Path]:
    """Write the inspection workbook(s); returns the files written, the cover first."""
    if by not in ("town", "village"):
        raise ValueError(f"by must be 'town' or 'village', not {by!r}")
    path = Path(path)
    visits = _visits(report)
    _check_fits(visits, ["town"] if by == "town" else ["town", "village"])
    if by == "town":
        atomic_write(path, lambda tmp: _county_workbook(report, visits, tmp, villages=None))
        return [path]
    folder = path.parent / path.stem
    villages = _village_files(visits, folder, TEXT[report.lang])
    files = [folder / name for name in villages["file"]]
    refuse_inputs(files, report.inputs)
    atomic_write(path, lambda tmp: _county_workbook(report, visits, tmp, villages=villages))
    folder.mkdir(exist_ok=True)
    # split once: a filter per 村 would scan everything again for each of hundreds of files
    parts = visits.filter(pl.col("town").is_not_null()).partition_by("town", "village", as_dict=True)
    categories = _by_category(visits, report.lang, ("town", "village")).partition_by(
        "town", "village", as_dict=True, include_key=False)
    rates = _village_rates(report, villages)
    for place, file in zip(villages.select("town", "village").iter_rows(), files):
        atomic_write(file, lambda tmp: _village_workbook(report, tmp, place, parts[place], categories[place],
                                                         rates.get(place)))
    return [path, *files]


def _check_fits(visits: pl.DataFrame, by: list[str]) -> None:
    """Refuse a place whose findings need more rows than a sheet has: xlsxwriter would drop the rest unsaid."""
    rows = _counts(visits, by).filter(pl.col("total") + pl.col("households") + 1 > EXCEL_ROWS)
    if rows.height:
        place = " ".join(name or "—" for name in rows.select(by).row(0))
        raise HvError(f"{place} 的问题超过一张工作表的行数上限（{EXCEL_ROWS:,} 行）：请用 --by village 分村写出",
                      f"{place} has more findings than a worksheet has rows ({EXCEL_ROWS:,}): use --by village")


def _visits(report: Report) -> pl.DataFrame:
    """The findings in visiting order, with the findings sheet's cells as text.

    Order: 乡镇, 村, household (a finding on a row with no known household stands under its person,
    then under 未分户), then person, severity and rule. `group` numbers the households, `first`
    marks a household's first finding, `line` is its header line and `height` the row height its
    wrapped cells need beyond two lines. `severity` and `category` stay codes, for the counts.
    """
    text = TEXT[report.lang]
    households = report.households
    if households is None:
        households = pl.DataFrame(schema={"file": pl.String, "sheet": pl.String, "row": pl.Int64,
                                          "household": pl.String})
    households = households.select("file", "sheet", "row", pl.col("household").cast(pl.String))
    found = report.findings.join(households.unique(["file", "sheet", "row"], keep="first"),
                                 on=["file", "sheet", "row"], how="left", nulls_equal=True, maintain_order="left")
    household = pl.col("household")
    if report.masked:  # the roster's 户主 stands in for a missing 户编号: a name, masked like the others
        household = pl.when(household.str.contains(r"^[\x00-\x7F]*$")).then(household).otherwise(mask_name(household))
    person = pl.coalesce(pl.col("id_no"), pl.col("name"))
    kind = pl.when(household.is_not_null()).then(0).when(person.is_not_null()).then(1).otherwise(2)
    found = (found.with_columns(household.alias("household"), person.alias("person"), kind.alias("kind"))
             .with_columns(pl.coalesce("household", "person", pl.lit("")).alias("key"))
             .sort("town", "village", "kind", "key", "person",
                   pl.col("severity").replace_strict(SEVERITY_RANK, default=9), "rule", "file", "row",
                   nulls_last=True, maintain_order=True)
             .with_columns(pl.struct("town", "village", "kind", "key").rle_id().alias("group")))
    prefix = (pl.when(pl.col("kind") == 0).then(pl.lit(text["household"] + text["sep"]) + pl.col("household"))
              .when(pl.col("kind") == 1).then(pl.lit(text["person"] + text["sep"]) + pl.col("person"))
              .otherwise(pl.lit(text["no_household"])))
    here, there = _location("file", "sheet", "row"), _location("related_file", "related_sheet", "related_row")
    found = found.with_columns(
        pl.col("group").is_first_distinct().alias("first"),
        pl.concat_str([prefix, pl.col("village").fill_null(text["no_village"]),
                       pl.len().over("group").cast(pl.String) + text["n_findings"]], separator=" · ").alias("line"),
        pl.when(pl.col("related_file").is_null()).then(here).otherwise(here + "\n↔ " + there).alias("location"),
        pl.col("severity").replace(SEVERITY_LABELS[report.lang]).alias("severity_label"),
        pl.col("list").replace(report.list_labels),
    )
    lines = pl.max_horizontal(*(_lines(pl.col(c), WIDTHS[c]) for c in WRAPPED)).clip(upper_bound=30)
    return found.select("town", "category", "group", "first", "line",
                        pl.when(lines > 2).then(_height(lines)).alias("height"), *FILLED, "severity_label")


def _height(lines: int | pl.Expr) -> float | pl.Expr:
    return lines * LINE_HEIGHT + 3


def _location(file: str, sheet: str, row: str) -> pl.Expr:
    """`花名册.xlsx!城关镇!15`: the file's name (not its folder), the sheet (none for CSV) and the row."""
    return pl.concat_str([pl.col(file).str.extract(r"([^/\\]+)$"), pl.col(sheet).replace("", None),
                          pl.col(row).cast(pl.String)], separator="!", ignore_nulls=True)


def _lines(text: pl.Expr, width: float) -> pl.Expr:
    """Printed lines a wrapped cell needs: a CJK character (3 bytes in UTF-8) is two columns wide."""
    columns = (text.str.len_bytes() + text.str.len_chars()) / 2
    return ((columns / (width - 1)).ceil() + text.str.count_matches("\n", literal=True)).fill_null(1)


def _village_files(visits: pl.DataFrame, folder: Path, text: dict) -> pl.DataFrame:
    """One row per 村 with findings (乡镇 known): its counts and a safe, unique file name `<乡镇>-<村>.xlsx`."""
    villages = _counts(visits.filter(pl.col("town").is_not_null()), ["town", "village"])
    stem = pl.concat_str([_safe(pl.col("town")), _safe(pl.col("village").fill_null(text["no_village"]))],
                         separator="-")
    copy = pl.int_range(pl.len()).over(stem.str.to_lowercase())
    return villages.with_columns(
        (stem + pl.when(copy > 0).then("-" + (copy + 1).cast(pl.String)).otherwise(pl.lit("")) + ".xlsx")
        .alias("file"), pl.lit(folder.name).alias("folder"))


def _safe(name: pl.Expr) -> pl.Expr:
    """A file-name part Windows and Excel links accept: no reserved characters, no trailing dots or blanks."""
    return name.str.replace_all(FORBIDDEN_IN_FILE, "_").str.strip_chars(" .").str.slice(0, 60).replace("", "_")


def _counts(visits: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Findings per place by severity, their total and the households they touch."""
    return (visits.group_by(by).agg(*((pl.col("severity") == s).sum().alias(s) for s in SEVERITIES),
                                    pl.len().alias("total"), pl.col("group").n_unique().alias("households"))
            .sort(by, nulls_last=True))


def _by_category(visits: pl.DataFrame, lang: str, by: tuple[str, ...] = ()) -> pl.DataFrame:
    """Findings per category (in the catalogue's order) by severity, for each place of `by`."""
    counts = visits.group_by(*by, "category").agg(*((pl.col("severity") == s).sum().alias(s) for s in SEVERITIES),
                                                  pl.len().alias("total"))
    order = pl.col("category").replace_strict({c: i for i, c in enumerate(CATEGORIES)}, default=len(CATEGORIES))
    return counts.sort(*by, order, "category").with_columns(pl.col("category").replace(CATEGORY_LABELS[lang]))


def _workbook(path: Path, small: bool = False) -> tuple[xlsxwriter.Workbook, dict]:
    """A county's workbook streams its rows to disk; a 村's is built in memory (no temporary files to make
    and remove, which costs more than the writing for hundreds of small files)."""
    mode = {"in_memory": True} if small else {"constant_memory": True}
    wb = xlsxwriter.Workbook(str(path), mode | {"strings_to_numbers": False, "strings_to_formulas": False,
                                                "strings_to_urls": False})
    base = {"font_size": 10, "valign": "top"}
    cell = base | {"border": 1, "border_color": "#808080"}
    formats = {
        "title": {"bold": True, "font_size": 16}, "bold": {"bold": True},
        "notice": {"bold": True, "font_color": "#C00000"},
        "header": cell | {"bold": True, "bg_color": "#D9D9D9", "text_wrap": True, "valign": "vcenter"},
        "body": cell | {"text_wrap": True},
        "group": cell | {"bold": True, "bg_color": "#EDEDED", "valign": "vcenter", "text_wrap": True},
        "household": base | {"bold": True, "valign": "bottom"},
        "count": cell | {"num_format": "#,##0"}, "rate": cell | {"num_format": "0.0%"},
        "definition": cell | {"text_wrap": True, "italic": True, "bg_color": "#F2F2F2"},
        "link": cell | {"font_color": "#0563C1", "underline": 1},
    }
    return wb, {name: wb.add_format(spec) for name, spec in formats.items()}


def _county_workbook(report: Report, visits: pl.DataFrame, path: Path, villages: pl.DataFrame | None) -> None:
    """Cover, then one sheet per 乡镇 (by town) or the villages' file list (by village); file-level findings last."""
    text = TEXT[report.lang]
    wb, fmt = _workbook(path)
    parts = visits.partition_by("town", as_dict=True)
    own_sheet = [town for (town,) in parts if villages is None or town is None]  # by village: file-level only
    names = _sheet_names([text["summary"], *(town or text["no_town"] for town in own_sheet)])
    sheets = dict(zip(own_sheet, names[1:]))
    counted = [*SEVERITIES, "total", "households"]
    town_counts = (_counts(visits, ["town"]).join(_rate_places(report.rates), on="town", how="full", coalesce=True)
                   .with_columns(pl.col(counted).fill_null(0)).sort("town", nulls_last=True))
    cover = _Cover(wb, fmt, report, names[0], LEVEL_LABELS[report.lang]["county"], charts=True)
    cover.by_town(town_counts, sheets)
    cover.categories(_by_category(visits, report.lang))
    if report.rates is not None:
        cover.rates(_county_rates(report))
    if villages is not None:
        cover.villages(villages)
    cover.finish()
    for town, sheet in sheets.items():
        _findings_sheet(wb, fmt, report, sheet, town or text["no_town"], parts[(town,)])
    wb.close()


def _village_workbook(report: Report, path: Path, place: tuple[str, str | None], part: pl.DataFrame,
                      categories: pl.DataFrame, rates: pl.DataFrame | None) -> None:
    """One 村's cover (its counts, its rates beside its 乡镇's and the county's) and its findings."""
    text = TEXT[report.lang]
    town, village = place
    title = f"{town} {village or text['no_village']}"
    wb, fmt = _workbook(path, small=True)
    names = _sheet_names([text["summary"], village or text["no_village"]])
    cover = _Cover(wb, fmt, report, names[0], title, charts=False)
    cover.categories(categories)
    if rates is not None:
        cover.rates(rates)
    cover.finish()
    _findings_sheet(wb, fmt, report, names[1], title, part)
    wb.close()


def _print(ws, report: Report, place: str) -> None:
    """workbook.py's A4 landscape setup, the place in the page header, margins that leave room to bind."""
    print_setup(ws, report, f"{TEXT[report.lang]['title']} · {place}".replace("&", "&&"))  # & starts a code
    ws.set_margins(**MARGINS)


def _sheet_names(wanted: list[str]) -> list[str]:
    """Names Excel accepts: at most 31 characters, none of []:*?/\\, unique regardless of case."""
    names, seen = [], set()
    for want in wanted:
        base = FORBIDDEN_IN_SHEET.sub("_", want).strip("'") or "_"
        name, n = base[:31], 1
        while name.casefold() in seen or name.casefold() == "history":  # History is reserved by Excel
            n += 1
            name = f"{base[:31 - len(str(n)) - 1]}~{n}"
        seen.add(name.casefold())
        names.append(name)
    return names


def _rate_places(rates: pl.DataFrame | None) -> pl.DataFrame:
    """The 乡镇 that have rates, so that a 乡镇 without findings still shows, with zero."""
    if rates is None:
        return pl.DataFrame(schema={"town": pl.String})
    return rates.filter(pl.col("level") == "town").select("town").unique()


def _ordered(rates: pl.DataFrame) -> pl.DataFrame:
    """Known rates in RATES' order, each rate's places in the order given."""
    known = rates.filter(pl.col("rate").is_in(list(RATES)))
    return known.sort(pl.col("rate").replace_strict({k: i for i, k in enumerate(RATES)}), maintain_order=True)


def _county_rates(report: Report) -> pl.DataFrame:
    """The county, then each 乡镇 by name."""
    county = LEVEL_LABELS[report.lang]["county"]
    places = (report.rates.filter(pl.col("level").is_in(["county", "town"]))
              .sort(pl.col("level") != "county", "town", nulls_last=True))
    # a settlement whose patient has no 乡镇 is counted under 未分乡镇
    return _ordered(places.with_columns(pl.when(pl.col("level") == "county").then(pl.lit(county))
                                        .otherwise(pl.col("town").fill_null(TEXT[report.lang]["no_town"]))
                                        .alias("place")))


def _village_rates(report: Report, villages: pl.DataFrame) -> dict[tuple, pl.DataFrame]:
    """For each 村 (town, village): its rates, then its 乡镇's and the county's, to compare."""
    if report.rates is None:
        return {}
    text, labels = TEXT[report.lang], LEVEL_LABELS[report.lang]
    places, rates, level = villages.select("town", "village"), report.rates, pl.col("level")
    own = rates.filter(level == "village").join(places, on=["town", "village"], nulls_equal=True).with_columns(
        pl.col("village").fill_null(text["no_village"]).alias("place"))
    town = places.join(rates.filter(level == "town").drop("village"), on="town").with_columns(
        (pl.col("town") + text["paren"].format(labels["town"])).alias("place"))
    county = places.join(rates.filter(level == "county").drop("town", "village"), how="cross").with_columns(
        pl.lit(labels["county"]).alias("place"))
    compared = pl.concat([own, town, county], how="diagonal_relaxed")
    return _ordered(compared).partition_by("town", "village", as_dict=True)


class _Cover:
    """The cover sheet, written top to bottom (rows stream to disk), a chart beside each table.

    It remembers where each table starts and how tall its rows are, so that page breaks can fall
    between tables and never cut a chart in two.
    """

    def __init__(self, wb, fmt: dict, report: Report, name: str, place: str, charts: bool):
        self.wb, self.fmt, self.report, self.place, self.charts = wb, fmt, report, place, charts
        self.text, self.lang = TEXT[report.lang], report.lang
        self.ws = wb.add_worksheet(name)
        self.tall: dict[int, float] = {}  # row -> points, where higher than the default
        self.starts: list[int] = []  # the first row of each part kept on one page
        for c, width in enumerate(COVER_WIDTHS):
            self.ws.set_column(c, c, width)
        self._height(0, 26)
        self.ws.write_string(0, 0, self.text["title"], fmt["title"])
        self.ws.write_string(1, 0, f"{place}    {self.text['generated']}{self.text['sep']}"
                                   f"{report.generated_at:%Y-%m-%d %H:%M}    hv {report.version}", fmt["bold"])
        inputs = self.text["list_sep"].join(Path(p).name for p in report.inputs)
        self.ws.write_string(2, 0, f"{self.text['inputs']}{self.text['sep']}{inputs}")
        self.ws.write_string(3, 0, self.text["masked"] if report.masked else self.text["personal"], fmt["notice"])
        self.row = 5

    def by_town(self, counts: pl.DataFrame, sheets: dict) -> None:
        """Findings per 乡镇 by severity, linked to its sheet, with a stacked chart."""
        ws, fmt, text = self.ws, self.fmt, self.text
        first = self._table(text["by_town"], [LABELS[self.lang]["town"], *self._severities(), text["households"],
                                              text["sheet"]])
        for town, *numbers in counts.select("town", *SEVERITIES, "total", "households").iter_rows():
            ws.write_string(self.row, 0, town or text["no_town"], fmt["body"])
            ws.write_row(self.row, 1, numbers, fmt["count"])
            if town in sheets:
                ws.write_url(self.row, 6, f"internal:'{sheets[town]}'!A1", fmt["link"], sheets[town])
            else:
                ws.write_blank(self.row, 6, None, fmt["body"])
            self.row += 1
        self._total(counts.select(*SEVERITIES, "total", "households"))
        self._severity_chart(text["findings_by_town"], first, counts.height)

    def categories(self, counts: pl.DataFrame) -> None:
        """Findings per category by severity, with a stacked chart."""
        first = self._table(self.text["by_category"], [LABELS[self.lang]["category"], *self._severities()])
        for category, *numbers in counts.select("category", *SEVERITIES, "total").iter_rows():
            self.ws.write_string(self.row, 0, category, self.fmt["body"])
            self.ws.write_row(self.row, 1, numbers, self.fmt["count"])
            self.row += 1
        self._total(counts.select(*SEVERITIES, "total"))
        self._severity_chart(self.text["findings_by_category"], first, counts.height)

    def rates(self, rates: pl.DataFrame) -> None:
        """One block per rate: its definition, then place | numerator | denominator | rate, and a chart by place."""
        ws, fmt, text, lang = self.ws, self.fmt, self.text, self.lang
        first = self._table(text["rates"], [text["place"], text["numerator"], text["denominator"], text["value"]])
        for key, block in rates.partition_by("rate", as_dict=True, maintain_order=True).items():
            rate = RATES[key[0]]
            start = self.row
            if start != first:  # the first block stays with the title
                self.starts.append(start)
            direction = text["higher"] if rate.higher_is_better else text["lower"]
            notes = [direction, text["money"]] if rate.money else [direction]
            self._height(start, _height(2))
            ws.write_string(start, 0, rate.label(lang), fmt["group"])
            ws.merge_range(start, 1, start, 6, text["definition"] + text["sep"] + rate.definition(lang)
                           + text["paren"].format(text["list_sep"].join(notes)), fmt["definition"])
            self.row += 1
            for place, numerator, denominator, value in block.select("place", "numerator", "denominator",
                                                                     "value").iter_rows():
                ws.write_string(self.row, 0, place, fmt["body"])
                ws.write_row(self.row, 1, [numerator, denominator], fmt["count"])
                ws.write(self.row, 3, value, fmt["rate"])
                self.row += 1
            if self.charts and block.height > 1:  # the first place is the county; the chart compares the others
                self._rate_chart(rate, block["value"][0], start, start + 2, self.row - 1)
            self.row += 1

    def villages(self, villages: pl.DataFrame) -> None:
        """Each 村's counts and the file that holds its findings (a link relative to this workbook)."""
        ws, fmt, text = self.ws, self.fmt, self.text
        self._table(text["by_village"], [LABELS[self.lang]["town"], LABELS[self.lang]["village"],
                                         *self._severities(), text["file"]])
        for town, village, *numbers, folder, file in villages.select("town", "village", *SEVERITIES, "total",
                                                                     "folder", "file").iter_rows():
            ws.write_row(self.row, 0, [town, village or text["no_village"]], fmt["body"])
            ws.write_row(self.row, 2, numbers, fmt["count"])
            ws.write_url(self.row, 6, f"external:{folder}/{file}", fmt["link"], f"{folder}/{file}")
            self.row += 1

    def finish(self) -> None:
        """Page breaks between the parts (the heading goes with the first), then the print setup.

        A page holds more rows than at 100 %: fitted to the page width, the tables and the charts
        beside them print smaller (Excel rounds the scale down to a whole percent).
        """
        pixels = sum(int(width * 7 + 0.5) + 5 for width in COVER_WIDTHS)  # xlsxwriter's width -> pixels
        if self.charts:
            pixels += DEFAULT_COLUMN + CHART_SIZE[0]
        page = PAGE_HEIGHT / min(1, int(PAGE_WIDTH / pixels * 100) / 100)
        used, breaks = 0.0, []
        for start, end in zip([0, *self.starts[1:]], [*self.starts[1:], self.row]):
            height = sum(self.tall.get(r, DEFAULT_ROW) for r in range(start, end))
            if used and used + height > page:
                breaks.append(start)
                used = 0.0
            used += height
        self.ws.set_h_pagebreaks(breaks)
        _print(self.ws, self.report, self.place)

    def _height(self, row: int, points: float) -> None:
        self.ws.set_row(row, points)
        self.tall[row] = points

    def _severities(self) -> list[str]:
        return [*SEVERITY_LABELS[self.lang].values(), self.text["total"]]

    def _table(self, title: str, headers: list[str]) -> int:
        """A part's title and header row; returns the first data row."""
        if self.starts:
            self.row += 1
        self.starts.append(self.row)
        self.ws.write_string(self.row, 0, title, self.fmt["bold"])
        self.ws.write_row(self.row + 1, 0, headers, self.fmt["header"])
        self.row += 2
        return self.row

    def _total(self, numbers: pl.DataFrame) -> None:
        self.ws.write_string(self.row, 0, self.text["total"], self.fmt["group"])
        self.ws.write_row(self.row, 1, numbers.sum().row(0), self.fmt["count"])
        self.row += 1

    def _severity_chart(self, title: str, first: int, n: int) -> None:
        """Stacked columns of the n rows from `first`: the name in A, the severities in B–D."""
        if not (self.charts and n):
            return
        sheet, last = self.ws.name, first + n - 1
        chart = self.wb.add_chart({"type": "column", "subtype": "stacked"})
        for c, severity in enumerate(SEVERITIES, start=1):
            chart.add_series({"name": [sheet, first - 1, c], "categories": [sheet, first, 0, last, 0],
                              "values": [sheet, first, c, last, c], "gap": 60,
                              "fill": {"color": FILLS[severity]}, "border": {"color": "#808080"}})
        chart.set_legend({"position": "top"})
        self._insert(chart, title, first - 2, n)

    def _rate_chart(self, rate: Rate, county: float | None, anchor: int, first: int, last: int) -> None:
        """The rate by place as columns on a 0–100 % axis, the county's value in the title."""
        sheet, lang = self.ws.name, self.lang
        chart = self.wb.add_chart({"type": "column"})
        chart.add_series({"categories": [sheet, first, 0, last, 0], "values": [sheet, first, 3, last, 3],
                          "fill": {"color": "#5B9BD5" if rate.higher_is_better else "#ED7D31"}, "gap": 60,
                          "data_labels": {"value": True, "num_format": "0%", "font": {"size": 8}}})
        chart.set_legend({"none": True})
        chart.set_y_axis({"min": 0, "max": 1, "num_format": "0%", "major_gridlines": {"visible": True}})
        county_value = "" if county is None else self.text["paren"].format(
            f"{LEVEL_LABELS[lang]['county']} {county:.1%}")
        self._insert(chart, rate.label(lang) + county_value, anchor, last - first + 1)

    def _insert(self, chart, title: str, anchor: int, n: int) -> None:
        chart.set_title({"name": title, "name_font": {"size": 11}})
        chart.set_x_axis({"num_font": {"rotation": -45}} if n > 8 else {})
        chart.set_size({"width": CHART_SIZE[0], "height": CHART_SIZE[1]})
        self.ws.insert_chart(anchor, CHART_COLUMN, chart)
        self.row = max(self.row, anchor + CHART_ROWS)  # the rows the chart covers


def _findings_sheet(wb, fmt: dict, report: Report, name: str, place: str, part: pl.DataFrame) -> None:
    """A place's findings, a bold line per household, ready to print with room for handwriting.

    Only cells with text are written: xlsxwriter's cost is per cell, so borders come from the
    columns' format (the blank 核实情况 / 整改结果 cells included) and the household line is one
    cell in a row formatted without borders, its text running across the row.
    """
    text, lang = TEXT[report.lang], report.lang
    labels = LABELS[lang] | {k: text[k] for k in ("household", "location", "verified", "result")}
    ws = wb.add_worksheet(name)
    for c, key in enumerate(COLUMNS):
        ws.set_column(c, c, WIDTHS[key], fmt["body"])
    ws.set_default_row(_height(2))  # two lines: room to write, and no set_row() for most rows
    ws.write_row(0, 0, [labels[key] for key in COLUMNS], fmt["header"])
    write, set_row, body = ws.write_string, ws.set_row, fmt["body"]
    row = 1
    cells = ("severity_label" if key == "severity" else key for key in FILLED)
    for first, line, height, *values in part.select("first", "line", "height", *cells).iter_rows():
        if first:
            set_row(row, LINE_HEIGHT + 8, fmt["household"])
            write(row, 0, line, fmt["household"])
            row += 1
        if height:
            set_row(row, height)
        for c, value in enumerate(values):
            if value is not None:
                write(row, c, value, body)
        row += 1
    column = COLUMNS.index("severity")
    letter = xlsxwriter.utility.xl_col_to_name(column)
    for key, color in FILLS.items():
        ws.conditional_format(1, column, max(row - 1, 1), column, {
            "type": "formula", "criteria": f'=${letter}2="{SEVERITY_LABELS[lang][key]}"',
            "format": wb.add_format({"bg_color": color})})
    ws.freeze_panes(1, 0)
    ws.print_area(0, 0, max(row - 1, 0), len(COLUMNS) - 1)
    _print(ws, report, place)
