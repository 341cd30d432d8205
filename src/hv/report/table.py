"""CSV report: the contract's keys as the header, UTF-8 with a BOM so that Excel opens it."""

from pathlib import Path

from hv.output import atomic_write
from hv.report import Report


def write(report: Report, path: Path) -> None:
    atomic_write(path, lambda tmp: report.findings.select(report.columns).write_csv(tmp, include_bom=True))
