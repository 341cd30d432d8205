"""The HTML report at county scale: write `report.html` for BENCH_FINDINGS (default 300,000)
synthetic findings over 18 乡镇, about 400 村 and 50 rules, with a rates table for every place.

Prints the seconds to write it, the peak RSS of this process and the file's size. The page must
be written in well under 60 s and stay under 30 MB however many findings there are.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from hv import findings, rates
from hv.report import Report
from hv.report import html

FINDINGS = int(os.environ.get("BENCH_FINDINGS", "300000"))
TOWNS = [f"{name}{kind}" for name, kind in zip(
    ["城关", "东关", "西关", "南湖", "北岭", "石桥", "柳林", "白沙", "青山", "河口", "王店", "李湾", "张集", "刘庄",
     "陈楼", "杨桥", "黄岗", "周寨"], ["镇", "乡"] * 9)]
VILLAGES_PER_TOWN = 22
RULES = [f"{prefix}{n:03d}" for prefix in ("ID", "PF", "HH", "CV", "CS") for n in range(1, 11)]
SEVERITIES = ("error", "warning", "info")


def synthetic(n: int) -> pl.DataFrame:
    """Findings that look like hv's: a person, a place, a rule and a sentence about a value."""
    person = pl.int_range(0, n, eager=True).alias("person")
    frame = pl.DataFrame(person).with_columns(
        town=pl.lit(pl.Series(TOWNS)).get(pl.col("person") // 37 % len(TOWNS)),
        village=pl.format("{}村", pl.col("person") // 5 % VILLAGES_PER_TOWN),
        rule=pl.lit(pl.Series(RULES)).get(pl.col("person") * 7 % len(RULES)),
        severity=pl.lit(pl.Series(SEVERITIES)).get(pl.col("person") * 7 % len(RULES) % 3),
        id_no=pl.format("41152119{}", pl.col("person").cast(pl.String).str.zfill(10)),
        name=pl.format("张{}", pl.col("person") % 997),
        row=pl.col("person") // len(TOWNS) + 3,
    )
    return findings.conform(frame.with_columns(
        category=pl.lit("person"), list=pl.lit("poverty"), file=pl.lit("/data/county/建档立卡贫困人口花名册.xlsx"),
        sheet=pl.col("town"), column=pl.lit("证件号码"), field=pl.lit("id_no"), value=pl.col("id_no"),
        message=pl.format("「身份证号」{} 的校验位不对，应为 X（可能抄错了一位数字）", pl.col("id_no")),
    ))


def rates_table() -> pl.DataFrame:
    """Every rate for the county, each 乡镇 and each 村, with plausible numbers."""
    places = [("county", None, None), *(("town", t, None) for t in TOWNS),
              *(("village", t, f"{v}村") for t in TOWNS for v in range(VILLAGES_PER_TOWN))]
    rows = [(level, town, village, key, 900.0 + i % 97, 1000.0, (900.0 + i % 97) / 1000)
            for key in rates.RATES for i, (level, town, village) in enumerate(places)]
    return pl.DataFrame(rows, schema=rates.COLUMNS, orient="row")


def main() -> None:
    report = Report(synthetic(FINDINGS), inputs=["/data/county/建档立卡贫困人口花名册.xlsx"],
                    rule_names={r: f"规则 {r} 的一句话说明" for r in RULES}, rates=rates_table())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.html"
        started, cpu = time.perf_counter(), time.process_time()
        html.write(report, path)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        size = path.stat().st_size
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"html report, {FINDINGS:,} findings: {wall:.2f} s wall, {cpu:.2f} s cpu, peak RSS {rss:,.0f} MB, "
          f"{size / 2**20:.1f} MB")
    print(f"cpus: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}, python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
