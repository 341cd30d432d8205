"""Reports: one function per format, chosen by the output's suffix (datasette-style table).

Every writer takes the same `Report` and writes atomically; files are never capped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from hv import __version__
from hv.errors import InputError
from hv.findings import CATEGORY_LABELS, COLUMNS, LABELS, SEVERITY_LABELS, STATUS_LABELS
from hv.mask import mask_findings


@dataclass
class Report:
    findings: pl.DataFrame
    lang: str = "zh"
    masked: bool = False
    inputs: list[str] = field(default_factory=list)
    rule_names: dict[str, str] = field(default_factory=dict)  # code -> one-line summary
    list_labels: dict[str, str] = field(default_factory=dict)  # kind -> label in the report's language
    rates: pl.DataFrame | None = None  # hv.rates' table: rates by county, 乡镇 and 村
    # file, sheet, row -> household (the row's 户编号, else its roster person's) of every row (crosslist.households)
    households: pl.DataFrame | None = None
    generated_at: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))
    version: str = __version__

    @classmethod
    def build(cls, findings: pl.DataFrame, *, mask: bool = False, **kwargs) -> Report:
        return cls(mask_findings(findings) if mask else findings, masked=mask, **kwargs)

    def labelled(self) -> pl.DataFrame:
        """The findings with the contract's labels and translated values, for people."""
        from hv.history import STATUS_LABELS as STATUS_VALUES

        frame = self.findings.select(self.columns).with_columns(
            pl.col("severity").replace(SEVERITY_LABELS[self.lang]),
            pl.col("category").replace(CATEGORY_LABELS[self.lang]),
            pl.col("list").replace(self.list_labels),
        )
        if "status" in frame.columns:
            frame = frame.with_columns(pl.col("status").replace(STATUS_VALUES[self.lang]))
        return frame.rename({**LABELS[self.lang], **STATUS_LABELS[self.lang]}, strict=False)

    @property
    def columns(self) -> list[str]:
        """The contract's columns, then the run-history columns when the findings carry them."""
        return [*COLUMNS, *(c for c in STATUS_LABELS["zh"] if c in self.findings.columns)]

    def counts_by_rule(self) -> pl.DataFrame:
        return (self.findings.group_by("rule", "severity", "category").len("count")
                .with_columns(pl.col("rule").replace_strict(self.rule_names, default="").alias("summary"))
                .sort(["count", "rule"], descending=[True, False]))


Writer = Callable[[Report, Path], None]


def writers() -> dict[str, Writer]:
    from hv.report import document, html, table, workbook

    return {".xlsx": workbook.write, ".csv": table.write, ".json": document.write, ".html": html.write}


def check_outputs(paths: list[Path]) -> None:
    """Refuse an unknown format before any work is done."""
    known = writers()
    for path in paths:
        if Path(path).suffix.lower() not in known:
            raise InputError(f"不支持的报告格式 {Path(path).suffix or '（无扩展名）'}，可用：{'、'.join(known)}",
                             f"unsupported report format {Path(path).suffix or '(none)'}; use {', '.join(known)}",
                             file=path)


def write_report(report: Report, path: Path) -> None:
    writers()[Path(path).suffix.lower()](report, Path(path))
