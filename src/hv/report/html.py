"""HTML report (`-o report.html`): one self-contained page a supervisor opens from a USB stick.

Headline numbers, each rate by 乡镇 with its definition, the findings by category, 乡镇 and rule,
and the findings table with filters. Charts are SVG drawn here; the table is filled by a small
script (html_report.js) from JSON embedded in the page, so nothing is ever fetched: the page's
Content-Security-Policy forbids every request and runs only its own script and style.

A browser cannot hold a million findings. Charts and filter counts always cover every finding;
the table embeds at most `max_rows` of them (and `MAX_BYTES` of text), taken from each 乡镇 in
turn with errors first, and the page says so and points to the xlsx/csv report for the full list.
"""

from __future__ import annotations

import base64
import hashlib
import json
from html import escape
from importlib.resources import files
from pathlib import Path

import polars as pl

from hv.findings import CATEGORIES, CATEGORY_LABELS, LABELS, SEVERITIES, SEVERITY_LABELS, STATUS_LABELS
from hv.output import atomic_write
from hv.rates import LEVEL_LABELS, RATES, Rate
from hv.report import Report
from hv.report.workbook import FILLS
from hv.report.workbook import TEXT as WORKBOOK_TEXT

MAX_ROWS = 50_000  # rows a browser filters and pages through without stalling
MAX_BYTES = 16 * 2**20  # cell text embedded, so that the page stays well under 30 MB
PAGE_ROWS = 100
TOP_RULES = 15
TOP_TOWNS = 40  # a county has fewer; more means a mis-mapped column, and the chart shows the worst
FILTERS = ("town", "village", "rule", "severity")  # the table's selects; counted over every finding
BAR_COLORS = {"error": "#c0392b", "warning": "#e0a100", "info": "#4a86c5"}  # stronger than the xlsx fills

TEXT = {
    "zh": {
        "title": "健康扶贫名单核查报告", "overview": "概况", "findings_total": "问题", "people": "涉及人员",
        "households": "涉及户", "towns": "涉及乡镇", "villages": "涉及村", "rates": "各乡镇指标",
        "definition": "口径", "no_denominator": "分母为 0", "worse": "差于全县的乡镇标为橙色，虚线为全县水平。",
        "by_village": "各村（差的在前）", "rate": "比率", "numerator": "分子", "denominator": "分母", "yuan": "元",
        "distribution": "问题分布", "by_category": "按类别和级别", "by_town": "按乡镇",
        "top_towns": "问题最多的 {n} 个乡镇（共 {total} 个）", "top_rules": "问题最多的规则",
        "no_findings": "未发现问题。", "all": "全部", "blank": "（空）", "search": "搜索姓名、身份证号、说明……",
        "shown": "显示 {x} / {y} 条", "full_count": "全部问题中符合条件的共 {z} 条。",
        "search_local": "文字搜索只在本页列出的条目中进行。", "prev": "上一页", "next": "下一页",
        "page": "第 {p} / {n} 页",
        "capped": "共 {total} 条问题，浏览器装不下全部，本页表格只列出其中 {shown} 条（各乡镇轮流选取，错误优先）；"
                  "图表和筛选计数按全部问题统计。完整清单见 xlsx 或 csv 报告。",
    },
    "en": {
        "title": "hv check report", "overview": "Overview", "findings_total": "Findings", "people": "People",
        "households": "Households", "towns": "Townships", "villages": "Villages", "rates": "Rates by township",
        "definition": "Definition", "no_denominator": "denominator is 0",
        "worse": "Townships worse than the county are orange; the dashed line is the county.",
        "by_village": "Villages (worst first)", "rate": "Rate", "numerator": "Numerator",
        "denominator": "Denominator", "yuan": "yuan", "distribution": "Findings at a glance",
        "by_category": "By category and severity", "by_town": "By township",
        "top_towns": "The {n} townships with most findings (of {total})", "top_rules": "Most frequent rules",
        "no_findings": "No findings.", "all": "All", "blank": "(blank)", "search": "Search names, IDs, messages…",
        "shown": "Showing {x} of {y}", "full_count": "{z} of all findings match these filters.",
        "search_local": "Text search looks only at the findings listed on this page.", "prev": "Previous",
        "next": "Next", "page": "Page {p} of {n}",
        "capped": "{total} findings are more than a browser can hold: the table lists {shown} of them (each township "
                  "in turn, errors first); the charts and the filter counts cover all findings. The full list is in "
                  "the xlsx or csv report.",
    },
}


def write(report: Report, path: Path, *, max_rows: int = MAX_ROWS) -> None:
    page = render(report, max_rows=max_rows)
    atomic_write(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))


def render(report: Report, *, max_rows: int = MAX_ROWS) -> str:
    lang = report.lang
    text = TEXT[lang] | {k: WORKBOOK_TEXT[lang][k] for k in ("findings", "generated", "inputs", "personal", "masked")}
    style = _asset("html_report.css") + "".join(f".sev-{s}{{background:{c}}}" for s, c in FILLS.items()) + \
        "".join(f".bar-{s}{{fill:{c}}}" for s, c in BAR_COLORS.items())
    script = _asset("html_report.js")
    table, data = _table_data(report, text, max_rows)
    policy = (f"default-src 'none'; style-src '{_sha256(style)}'; script-src '{_sha256(script)}'; "
              "form-action 'none'; base-uri 'none'")
    return "".join([
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(text['title'])}</title>\n<style>{style}</style>\n</head>\n<body>\n",
        _header(report, text),
        _overview(report, text),
        _rates(report, text),
        _distribution(report, text),
        table,
        '<script type="application/json" id="hv-data">', _json(data), "</script>\n",
        f"<script>{script}</script>\n</body>\n</html>\n",
    ])


def _asset(name: str) -> str:
    return files("hv.report").joinpath(name).read_text(encoding="utf-8")


def _sha256(source: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")


def _json(data: dict) -> str:
    """JSON that cannot end its <script> element: every `<` (as in `</script>` or `<!--`) is escaped."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _header(report: Report, text: dict) -> str:
    inputs = ("；" if report.lang == "zh" else "; ").join(Path(p).name for p in report.inputs)
    privacy = "masked" if report.masked else "personal"
    return (f"<header>\n<h1>{escape(text['title'])}</h1>\n<p class=\"meta\">{escape(text['generated'])}: "
            f"{report.generated_at:%Y-%m-%d %H:%M} · hv {escape(report.version)}"
            + (f" · {escape(text['inputs'])}: {escape(inputs)}" if inputs else "") + "</p>\n"
            f'<p class="notice {privacy}" id="privacy">{escape(text[privacy])}</p>\n</header>\n')


def _overview(report: Report, text: dict) -> str:
    found = report.findings
    by_severity = dict(found.group_by("severity").len().iter_rows())
    cards = [(text["findings_total"], found.height, "total"),
             *((SEVERITY_LABELS[report.lang][s], by_severity.get(s, 0), s) for s in SEVERITIES)]
    if not report.masked:  # masked ID numbers can coincide, so they cannot be counted as people
        cards.append((text["people"], found["id_no"].drop_nulls().n_unique(), "people"))
    if report.households is not None:
        households = found.select("file", "sheet", "row").join(
            report.households, on=["file", "sheet", "row"], how="inner", nulls_equal=True)["household"]
        cards.append((text["households"], households.drop_nulls().n_unique(), "households"))
    cards += [(text["towns"], found["town"].drop_nulls().n_unique(), "towns"),
              (text["villages"], found.select("town", "village").drop_nulls().n_unique(), "villages")]
    items = "".join(f'<div class="card card-{key}" data-key="{key}"><span class="number">{count:,}</span>'
                    f'<span class="label">{escape(label)}</span></div>' for label, count, key in cards)
    return f'<section id="overview">\n<h2>{escape(text["overview"])}</h2>\n<div class="cards">{items}</div>\n</section>\n'


def _rates(report: Report, text: dict) -> str:
    """One figure per rate: the county's value, numerator, denominator and definition, then each 乡镇."""
    rates = report.rates
    if rates is None or rates.height == 0:
        return ""
    lang = report.lang
    figures = []
    for key, rate in RATES.items():
        rows = rates.filter(pl.col("rate") == key)
        if rows.height == 0:
            continue
        county = rows.filter(pl.col("level") == "county").head(1).to_dicts()
        county_value = county[0]["value"] if county else None
        towns = rows.filter(pl.col("level") == "town").sort("town", nulls_last=True)
        bars = []
        for town, numerator, denominator, value in towns.select("town", "numerator", "denominator",
                                                                 "value").iter_rows():
            worse = county_value is not None and value is not None and \
                (value < county_value if rate.higher_is_better else value > county_value)
            bars.append((town or text["blank"], [(value or 0, "bar-worse" if worse else "bar-rate")],
                         _ratio(rate, value, numerator, denominator, text)))
        chart = _bar_chart(bars, 1.0, label_width=120, marker=county_value)
        headline = (f"{LEVEL_LABELS[lang]['county']} <strong>{escape(_percent(county_value, text))}</strong> "
                    f"({escape(_amount(rate, county[0]['numerator'], text))} / "
                    f"{escape(_amount(rate, county[0]['denominator'], text))})") if county else ""
        figures.append(
            f'<figure class="rate" data-rate="{key}">\n<h3>{escape(rate.label(lang))}</h3>\n'
            f'<p class="rate-value">{headline}</p>\n'
            f'<p class="definition">{escape(text["definition"])}: {escape(rate.definition(lang))}</p>\n'
            f"{chart}{_village_table(rows, rate, text, lang)}</figure>\n")
    if not figures:
        return ""
    return (f'<section id="rates">\n<h2>{escape(text["rates"])}</h2>\n<p class="hint">{escape(text["worse"])}</p>\n'
            f'<div class="figures">{"".join(figures)}</div>\n</section>\n')


def _village_table(rows: pl.DataFrame, rate: Rate, text: dict, lang: str) -> str:
    villages = rows.filter(pl.col("level") == "village").sort(
        "value", "town", "village", descending=[not rate.higher_is_better, False, False], nulls_last=True)
    if villages.height == 0:
        return ""
    header = "".join(f"<th>{escape(h)}</th>" for h in (
        LEVEL_LABELS[lang]["town"], LEVEL_LABELS[lang]["village"], text["rate"], text["numerator"], text["denominator"]))
    body = "".join(
        f"<tr><td>{escape(town or '')}</td><td>{escape(village or '')}</td><td>{escape(_percent(value, text))}</td>"
        f"<td>{escape(_amount(rate, numerator, text))}</td><td>{escape(_amount(rate, denominator, text))}</td></tr>"
        for town, village, numerator, denominator, value in
        villages.select("town", "village", "numerator", "denominator", "value").iter_rows())
    return (f'<details class="villages"><summary>{escape(text["by_village"])} ({villages.height:,})</summary>'
            f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table></details>\n")


def _percent(value: float | None, text: dict) -> str:
    return f"{value:.1%}" if value is not None else f"— ({text['no_denominator']})"


def _amount(rate: Rate, amount: float | None, text: dict) -> str:
    if amount is None:
        return ""
    return f"{amount:,.0f} {text['yuan']}" if rate.money else f"{amount:,.0f}"


def _ratio(rate: Rate, value, numerator, denominator, text: dict) -> str:
    if value is None:
        return _percent(value, text)
    return f"{value:.1%}  ({_amount(rate, numerator, text)} / {_amount(rate, denominator, text)})"


def _distribution(report: Report, text: dict) -> str:
    """Counts over every finding, embedded or not: by category and severity, by 乡镇, and the top rules."""
    found = report.findings
    if found.height == 0:
        return ""
    lang = report.lang
    counts = report.counts_by_rule()

    def stacked(frame: pl.DataFrame, key: str, order: list, label) -> list:
        cells = {(k, s): n for k, s, n in frame.group_by(key, "severity").agg(pl.col("count").sum()).iter_rows()}
        return [(label(k), [(cells.get((k, s), 0), f"bar-{s}") for s in SEVERITIES],
                 f"{sum(cells.get((k, s), 0) for s in SEVERITIES):,}") for k in order]

    present = set(counts["category"])
    categories = [c for c in CATEGORIES if c in present] + \
        sorted(present - set(CATEGORIES), key=lambda c: (c is None, c or ""))
    by_category = stacked(counts, "category", categories, lambda c: CATEGORY_LABELS[lang].get(c) or c or text["blank"])
    towns = found.group_by("town", "severity").len("count")
    most_first = towns.group_by("town").agg(pl.col("count").sum()).sort("count", "town", descending=[True, False])
    by_town = stacked(towns, "town", most_first["town"].head(TOP_TOWNS).to_list(), lambda t: t or text["blank"])
    town_title = text["by_town"] if most_first.height <= TOP_TOWNS else \
        text["top_towns"].format(n=TOP_TOWNS, total=f"{most_first.height:,}")
    top = counts.head(TOP_RULES)
    rules = [(f"{rule} {summary}".strip(), [(n, f"bar-{severity}")], f"{n:,}")
             for rule, severity, n, summary in top.select("rule", "severity", "count", "summary").iter_rows()]
    legend = "".join(f'<span class="key"><svg width="12" height="12"><rect width="12" height="12" class="bar-{s}"/>'
                     f"</svg> {escape(SEVERITY_LABELS[lang][s])}</span>" for s in SEVERITIES)
    charts = [(text["by_category"], _bar_chart(by_category, _most(by_category), label_width=120)),
              (town_title, _bar_chart(by_town, _most(by_town), label_width=120)),
              (text["top_rules"], _bar_chart(rules, _most(rules), label_width=330))]
    figures = "".join(f'<figure class="chart"><h3>{escape(title)}</h3>{svg}</figure>\n' for title, svg in charts)
    return (f'<section id="distribution">\n<h2>{escape(text["distribution"])}</h2>\n<p class="legend">{legend}</p>\n'
            f'<div class="figures">{figures}</div>\n</section>\n')


def _most(bars: list) -> float:
    return max((sum(n for n, _ in segments) for _, segments, _ in bars), default=1) or 1


def _bar_chart(bars: list[tuple[str, list[tuple[float, str]], str]], top: float, *, label_width: int,
               marker: float | None = None) -> str:
    """Horizontal bars as inline SVG: a label, stacked segments (amount, css class) and the value's text.

    `top` is the amount of a full-length bar; `marker` draws a dashed line at that amount.
    """
    if not bars:
        return ""
    bar_width, height, gap = 260, 18, 6
    width = label_width + bar_width + max(_width(value_text) for _, _, value_text in bars) + 12
    total_height = len(bars) * (height + gap) + gap
    parts = [f'<svg class="bars" viewBox="0 0 {width} {total_height}" width="{width}" height="{total_height}" '
             'role="img">']
    if marker is not None:
        x = label_width + bar_width * marker / top
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{total_height}" class="marker"/>')
    for i, (label, segments, value_text) in enumerate(bars):
        y = gap + i * (height + gap)
        parts.append(f'<g><title>{escape(label)}: {escape(value_text)}</title><text x="{label_width - 8}" '
                     f'y="{y + height - 5}" class="label">{escape(_clip(label, label_width - 8))}</text>')
        x = float(label_width)
        for amount, css in segments:
            length = bar_width * amount / top
            if length > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="{height}" class="{css}"/>')
            x += length
        parts.append(f'<text x="{x + 6:.1f}" y="{y + height - 5}" class="value">{escape(value_text)}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _width(text: str) -> int:
    """About how many pixels `text` takes at 12 px: a CJK character is about twice a Latin one."""
    return sum(12 if ord(char) > 0x2E7F else 7 for char in text)


def _clip(label: str, width: int) -> str:
    """`label`, or as much of it as fits in `width` pixels and "…"."""
    if _width(label) <= width:
        return label
    used, end = _width("…"), 0
    for end, char in enumerate(label):
        used += _width(char)
        if used > width:
            break
    return label[:end] + "…"


def _table_data(report: Report, text: dict, max_rows: int) -> tuple[str, dict]:
    """The findings section's markup and the JSON the script fills it from.

    Every column is dictionary-encoded (distinct values + a code per row). The filter columns'
    dictionaries come from all findings, so that the counts of all findings (`groups`) share them.
    """
    table = _cells(report)
    shown = _shown(report.findings, table, max_rows)
    rows = table[shown]
    dictionaries = {c: _dictionary(table[c] if c in FILTERS else rows[c], report.lang) for c in table.columns}
    groups = table.select(FILTERS).fill_null("").group_by(FILTERS).len("n")
    severity_keys = {label: key for key, label in SEVERITY_LABELS[report.lang].items()}
    labels = LABELS[report.lang] | STATUS_LABELS[report.lang]
    data = {
        "total": table.height,
        "shown": rows.height,
        "pageRows": PAGE_ROWS,
        "columns": table.columns,
        "labels": [labels[c] for c in table.columns],
        "values": dictionaries,
        "codes": {c: _codes(rows[c], dictionaries[c]) for c in table.columns},
        "groups": {**{c: _codes(groups[c], dictionaries[c]) for c in FILTERS}, "n": groups["n"].to_list()},
        "severityKeys": [severity_keys.get(label, "") for label in dictionaries["severity"]],
        "ruleNames": report.rule_names,
        "text": {k: text[k] for k in ("all", "blank", "shown", "full_count", "search_local", "page")},
    }
    return _table_markup(report, text, rows.height), data


def _table_markup(report: Report, text: dict, shown: int) -> str:
    total = report.findings.height
    head = f'<section id="findings">\n<h2>{escape(text["findings"])}</h2>\n'
    if total == 0:
        return head + f'<p class="empty">{escape(text["no_findings"])}</p>\n</section>\n'
    capped = text["capped"].format(total=f"{total:,}", shown=f"{shown:,}")
    notice = f'<p class="notice capped" id="capped">{escape(capped)}</p>\n' if shown < total else ""
    labels = LABELS[report.lang]
    selects = "".join(f'<label>{escape(labels[c])} <select id="f-{c}"></select></label>' for c in FILTERS)
    return (head + notice +
            f'<div class="controls">{selects}<input id="f-search" type="search" placeholder="{escape(text["search"])}">'
            '</div>\n<p id="counter" aria-live="polite"></p>\n'
            '<div class="scroll"><table id="table"><thead></thead><tbody></tbody></table></div>\n'
            f'<p class="pager"><button type="button" id="prev">{escape(text["prev"])}</button> <span id="page"></span> '
            f'<button type="button" id="next">{escape(text["next"])}</button></p>\n</section>\n')


def _cells(report: Report) -> pl.DataFrame:
    """Every finding as the table shows it: translated values as text under the contract's keys,
    files by name, and without the columns no finding fills."""
    table = report.labelled()
    table.columns = report.columns
    table = table.with_columns(
        pl.col("file", "related_file").str.extract(r"([^/\\]+)$"),
        pl.col("score").round(2),
        pl.col(pl.Datetime).dt.strftime("%Y-%m-%d %H:%M"),
    ).with_columns(pl.all().cast(pl.String))
    return table.select(c for c in table.columns if c in FILTERS or table[c].null_count() < table.height)


def _shown(findings: pl.DataFrame, table: pl.DataFrame, max_rows: int) -> pl.Series:
    """The rows the table embeds, in reading order: all of them when they fit; else each 乡镇 in
    turn, errors first, up to `max_rows` rows and MAX_BYTES of text."""
    size = table.select(pl.sum_horizontal(pl.all().str.len_bytes().fill_null(0)).alias("bytes"))["bytes"]
    if table.height <= max_rows and size.sum() <= MAX_BYTES:
        return pl.int_range(table.height, eager=True)
    severity = pl.col("severity").replace_strict({s: i for i, s in enumerate(SEVERITIES)}, default=len(SEVERITIES))
    priority = severity.cast(pl.Int64) * findings.height + pl.col("index")
    return (findings.select("town", "severity").with_row_index("index").with_columns(bytes=size)
            .with_columns(priority.alias("priority"))
            .with_columns(pl.col("priority").rank("ordinal").over("town").alias("turn"))
            .sort("turn", "priority")
            .filter(pl.col("bytes").cum_sum() <= MAX_BYTES)
            .head(max_rows)["index"].sort())


def _dictionary(column: pl.Series, lang: str) -> list[str]:
    """A column's distinct values, sorted; severities in their own order, a missing value as ""."""
    values = column.fill_null("").unique().sort().to_list()
    if column.name == "severity":
        order = list(SEVERITY_LABELS[lang].values())
        values.sort(key=lambda v: order.index(v) if v in order else len(order))
    return values


def _codes(column: pl.Series, dictionary: list[str]) -> list[int]:
    return column.fill_null("").cast(pl.Enum(dictionary)).to_physical().to_list()
