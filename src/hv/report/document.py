"""JSON report: a versioned document with a summary and every finding."""

import json
from pathlib import Path

from hv import rates as rates_table
from hv.findings import SEVERITIES
from hv.output import atomic_write
from hv.report import Report

FORMAT_VERSION = 1


def write(report: Report, path: Path) -> None:
    counts = report.counts_by_rule()
    by_severity = {s: int(counts.filter(counts["severity"] == s)["count"].sum()) for s in SEVERITIES}
    document = {
        "format": "hv-findings",
        "format_version": FORMAT_VERSION,
        "hv_version": report.version,
        "generated_at": report.generated_at.isoformat(),
        "lang": report.lang,
        "masked": report.masked,
        "inputs": report.inputs,
        "summary": {
            "findings": report.findings.height,
            "by_severity": by_severity,
            "by_rule": [{"rule": r["rule"], "severity": r["severity"], "category": r["category"],
                         "count": r["count"], "summary": r["summary"]} for r in counts.iter_rows(named=True)],
        },
        "rates": _rates(report),
        "findings": report.findings.select(report.columns).to_dicts(),
    }

    def dump(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(document, fh, ensure_ascii=False, indent=1, default=str)

    atomic_write(path, dump)


def _rates(report: Report) -> dict:
    """The rates by place (machine keys) and, once, each rate's name and definition."""
    table = report.rates if report.rates is not None else rates_table.empty()
    used = table["rate"].unique(maintain_order=True).to_list()
    return {
        "definitions": {k: {"name": rates_table.RATES[k].label(report.lang),
                            "definition": rates_table.RATES[k].definition(report.lang)} for k in used},
        "by_place": table.to_dicts(),
    }
