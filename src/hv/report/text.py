"""The terminal summary: counts by rule and severity, then the first rows of each rule."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from rich.console import Console

from hv import rates as rates_table
from hv.console import print_table
from hv.findings import SEVERITIES, SEVERITY_LABELS
from hv.report import Report

STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def print_summary(console: Console, report: Report, *, show: int, details: bool) -> None:
    """Counts always; with `details` the first `show` findings of each rule, then "… and N more"."""
    zh = report.lang == "zh"
    counts = report.counts_by_rule()
    if counts.height == 0:
        console.print("未发现问题。" if zh else "No findings.")
        return
    rows = [[r, SEVERITY_LABELS[report.lang][s], n, summary] for r, s, n, summary in
            counts.select("rule", "severity", "count", "summary").iter_rows()]
    styles = None if not console.is_terminal else [None, None, None, None]
    print_table(console, "问题汇总" if zh else "Findings by rule",
                ["规则", "级别", "数量", "说明"] if zh else ["rule", "severity", "count", "description"], rows, styles)
    if details:
        _print_details(console, report, counts, show)
    totals = {s: int(counts.filter(pl.col("severity") == s)["count"].sum()) for s in SEVERITIES}
    words = [f"{SEVERITY_LABELS[report.lang][s]} {totals[s]:,}" for s in SEVERITIES]
    console.print(("共 " if zh else "Total: ") + ("，".join(words) if zh else ", ".join(words)) + ("。" if zh else "."))


def _print_details(console: Console, report: Report, counts: pl.DataFrame, show: int) -> None:
    zh = report.lang == "zh"
    for rule, severity in counts.select("rule", "severity").iter_rows():
        subset = report.findings.filter(pl.col("rule") == rule)
        head = subset.head(show)
        rows = [[Path(f).name if f else "", sh, r, col or "", val or "", msg]
                for f, sh, r, col, val, msg in head.select("file", "sheet", "row", "column", "value", "message").iter_rows()]
        title = f"{rule} {SEVERITY_LABELS[report.lang][severity]}"
        print_table(console, title, ["文件", "工作表", "行", "列", "原值", "问题说明"] if zh else
                    ["file", "sheet", "row", "column", "value", "message"], rows)
        if subset.height > show:
            more = subset.height - show
            console.print(f"  … 还有 {more:,} 条（完整清单见报告文件）" if zh else f"  … and {more:,} more (see the report file)",
                          style=STYLES[severity] if console.is_terminal else None)


def print_rates(console: Console, rates: pl.DataFrame, lang: str) -> None:
    """The rates with numerator and denominator; the definitions once, below the table."""
    if rates.height == 0:
        return
    zh = lang == "zh"
    places = [k for k in ("town", "village") if rates[k].is_not_null().any()]
    keys = ["level", *places, "rate", "numerator", "denominator", "value"]
    shown = rates_table.labelled(rates, lang).rename({v: k for k, v in rates_table.HEADERS[lang].items()})
    rows = [[_number(k, v) for k, v in zip(keys, row)] for row in shown.select(keys).iter_rows()]
    print_table(console, "督导指标" if zh else "Rates", [rates_table.HEADERS[lang][k] for k in keys], rows)
    for key in rates["rate"].unique(maintain_order=True):
        rate = rates_table.RATES[key]
        console.print(f"  {rate.label(lang)}{'：' if zh else ': '}{rate.definition(lang)}")


def _number(key: str, value: object) -> object:
    if value is None or not isinstance(value, float):
        return "" if value is None else value
    return f"{value:.1f}" if key == "value" else f"{value:,.2f}".removesuffix(".00")
