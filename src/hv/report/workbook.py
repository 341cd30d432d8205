"""Excel report: 问题清单 (every finding, filterable, coloured by severity) and 汇总 (counts)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import xlsxwriter

from hv import rates as rates_table
from hv.findings import LABELS, SEVERITY_LABELS
from hv.output import atomic_write
from hv.report import Report

WIDTHS = {"rule": 8, "severity": 6, "category": 9, "list": 14, "file": 22, "sheet": 10, "row": 6, "column": 12,
          "field": 12, "value": 20, "suggestion": 20, "message": 56, "name": 10, "id_no": 20, "town": 10,
          "village": 10, "related_file": 20, "related_sheet": 10, "related_row": 8, "score": 7, "status": 8,
          "first_seen": 18, "last_seen": 18}
FILLS = {"error": "#F8CBAD", "warning": "#FFE699", "info": "#DDEBF7"}
TEXT = {
    "zh": {"findings": "问题清单", "summary": "汇总", "by_rule": "按规则", "by_place": "按乡镇、村",
           "count": "数量", "total": "合计", "rule_summary": "规则说明", "generated": "生成时间", "inputs": "核查文件",
           "personal": "本文件含个人身份信息，请按规定保管，勿外传。", "masked": "身份证号和姓名已部分隐藏。",
           "rates": "督导指标（全县、乡镇）"},
    "en": {"findings": "Findings", "summary": "Summary", "by_rule": "By rule", "by_place": "By township and village",
           "count": "Count", "total": "Total", "rule_summary": "Rule", "generated": "Generated", "inputs": "Inputs",
           "personal": "Contains personal data: keep it safe and do not pass it on.",
           "masked": "ID numbers and names are partly hidden.", "rates": "Rates (county, townships)"},
}


def write(report: Report, path: Path) -> None:
    atomic_write(path, lambda tmp: _write(report, tmp))


def _write(report: Report, path: Path) -> None:
    text = TEXT[report.lang]
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    header = wb.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True, "valign": "top"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    _findings_sheet(wb, report, text, header, wrap)
    _summary_sheet(wb, report, text, header)
    wb.close()


def _findings_sheet(wb, report: Report, text: dict, header, wrap) -> None:
    ws = wb.add_worksheet(text["findings"])
    labelled = report.labelled()
    keys = report.columns
    for c, (key, label) in enumerate(zip(keys, labelled.columns)):
        ws.set_column(c, c, WIDTHS[key], wrap if key == "message" else None)
        ws.write_string(0, c, label, header)
    for r, values in enumerate(labelled.with_columns(pl.col(pl.Datetime).dt.strftime("%Y-%m-%d %H:%M")).iter_rows(),
                               start=1):
        ws.write_row(r, 0, values)
    last = max(labelled.height, 1)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, last, len(keys) - 1)
    severity_col = xlsxwriter.utility.xl_col_to_name(keys.index("severity"))
    for severity, color in FILLS.items():
        label = SEVERITY_LABELS[report.lang][severity]
        ws.conditional_format(1, 0, last, len(keys) - 1, {
            "type": "formula", "criteria": f'=${severity_col}2="{label}"',
            "format": wb.add_format({"bg_color": color})})
    print_setup(ws, report, text["findings"])


def print_setup(ws, report: Report, title: str) -> None:
    """A4 landscape, header row on every page, fitted to the width, title and date above, page numbers below."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_header(f"&L{title}&R{report.generated_at:%Y-%m-%d}")
    ws.set_footer("&C第 &P 页 / 共 &N 页" if report.lang == "zh" else "&CPage &P of &N")


def _summary_sheet(wb, report: Report, text: dict, header) -> None:
    ws = wb.add_worksheet(text["summary"])
    bold = wb.add_format({"bold": True})
    lang = report.lang
    row = 0
    ws.write_string(row, 0, f"{text['generated']}: {report.generated_at:%Y-%m-%d %H:%M}  hv {report.version}")
    row += 1
    ws.write_string(row, 0, f"{text['inputs']}: {'；'.join(Path(p).name for p in report.inputs)}")
    row += 1
    ws.write_string(row, 0, text["masked"] if report.masked else text["personal"], bold)
    row += 2
    row = _rates_table(ws, report, text, header, bold, row)
    ws.write_string(row, 0, text["by_rule"], bold)
    row += 1
    labels = LABELS[lang]
    for c, name in enumerate([labels["rule"], labels["severity"], labels["category"], text["rule_summary"],
                              text["count"]]):
        ws.write_string(row, c, name, header)
    for rule, severity, category, count, summary in report.counts_by_rule().select(
            "rule", "severity", "category", "count", "summary").iter_rows():
        row += 1
        ws.write_row(row, 0, [rule, SEVERITY_LABELS[lang][severity], category, summary, count])
    row += 2
    ws.write_string(row, 0, text["by_place"], bold)
    row += 1
    severities = list(SEVERITY_LABELS[lang])
    for c, name in enumerate([labels["town"], labels["village"], *SEVERITY_LABELS[lang].values(), text["total"]]):
        ws.write_string(row, c, name, header)
    places = (report.findings.group_by("town", "village", "severity").len()
              .pivot(on="severity", index=["town", "village"], values="len")
              .sort(["town", "village"], nulls_last=True))
    for record in places.iter_rows(named=True):
        row += 1
        counts = [record.get(s) or 0 for s in severities]
        ws.write_row(row, 0, [record["town"], record["village"], *counts, sum(counts)])
    ws.set_column(0, 1, 14)
    ws.set_column(2, 2, 10)
    ws.set_column(3, 3, 48)


def _rates_table(ws, report: Report, text: dict, header, bold, row: int) -> int:
    """The county's and each 乡镇's rates with numerator, denominator and definition; the next free row."""
    if report.rates is None or report.rates.height == 0:
        return row
    ws.write_string(row, 0, text["rates"], bold)
    shown = rates_table.labelled(rates_table.at_level(report.rates, "county", "town"), report.lang).drop(
        rates_table.HEADERS[report.lang]["village"])
    row += 1
    for c, name in enumerate(shown.columns):
        ws.write_string(row, c, name, header)
    for values in shown.iter_rows():
        row += 1
        ws.write_row(row, 0, values)
    return row + 2
