"""The inspection workbook (`hv check … --by town|village`) at county scale.

Builds a synthetic Report like a 1,000,000-person run's: ~300,000 findings in 18 乡镇 and ~20 村
each, cross-list findings among them, a rates table for the county, 乡镇 and 村, and the household
of every roster row. Then writes it by town and by village, each in a fresh process so that the
peak RSS is that run's own. Prints the seconds of building and of writing (wall, and CPU: the steadier
figure on a shared machine), and the peak RSS.
Sizes: BENCH_PEOPLE (default 1,000,000), BENCH_FINDINGS (default 300,000). Output: bench/out/inspection/
(督导-town.xlsx; 督导-village.xlsx and a file per 村 in 督导-village/).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from hv import findings, rates
from hv.report import Report, inspection

OUT = Path(__file__).resolve().parent / "out" / "inspection"
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "1000000"))
FINDINGS = int(os.environ.get("BENCH_FINDINGS", "300000"))
TOWNS = ["城关镇", "东关镇", "西关镇", "南湖乡", "北岭乡", "石桥镇", "柳林乡", "白沙镇", "青山乡", "河口镇",
         "东铺乡", "王集乡", "李湾镇", "三河乡", "高庄镇", "马店镇", "新集乡", "双桥镇"]
VILLAGES_PER_TOWN, PEOPLE_PER_HOUSEHOLD = 20, 3
ROSTER = "/data/county/建档立卡贫困人口花名册.xlsx"
RULES = [("ID001", "error", "id", "「身份证号」{} 的校验位不对（可能抄错了一位数字），请核对户口本后改正"),
         ("PF001", "warning", "person", "「性别」与身份证号 {} 第 17 位不符，请核对"),
         ("HH003", "error", "household", "同一户有两个户主（身份证号 {}），请确认户主并改正与户主关系"),
         ("CV001", "error", "coverage", "在册贫困人口 {} 在医保参保名单中没有正常参保记录，应参保未参保"),
         ("CS004", "warning", "consistency", "死亡人员名单中身份证号 {} 已死亡，但仍有有效的家庭医生签约"),
         ("PF010", "info", "person", "文化程度与在校生状况都已填写（身份证号 {}），只应填一个")]


def people() -> pl.DataFrame:
    """The roster: row, 乡镇 (one sheet each), 村, household, ID number and name of every person."""
    person = pl.int_range(0, PEOPLE, eager=True).alias("person")
    town = person * len(TOWNS) // PEOPLE
    return pl.DataFrame(person).with_columns(
        town=pl.lit(pl.Series(TOWNS)).get(town),
        village=pl.format("{}村", (person // 977) % VILLAGES_PER_TOWN + 1),
        household=pl.format("411521{}", (person // PEOPLE_PER_HOUSEHOLD).cast(pl.String).str.zfill(10)),
        id_no=pl.format("4115211{}", person.cast(pl.String).str.zfill(11)),
        name=pl.format("张{}", person % 997),
        row=person - town * (PEOPLE // len(TOWNS)) + 3,
    )


def report(roster: pl.DataFrame) -> Report:
    """FINDINGS findings on people drawn at random (a household gets one or a few), six rules in turn."""
    picked = roster.sample(FINDINGS, with_replacement=True, seed=20201231).with_row_index("n")
    rule = pl.col("n") % len(RULES)
    frame = picked.with_columns(
        rule=pl.lit(pl.Series([r[0] for r in RULES])).get(rule),
        severity=pl.lit(pl.Series([r[1] for r in RULES])).get(rule),
        category=pl.lit(pl.Series([r[2] for r in RULES])).get(rule),
        message=pl.lit(pl.Series([r[3] for r in RULES])).get(rule).str.replace("{}", pl.col("id_no"), literal=True),
        list=pl.lit("poverty"), file=pl.lit(ROSTER), sheet=pl.col("town"), column=pl.lit("证件号码"),
        field=pl.lit("id_no"), value=pl.col("id_no"),
        suggestion=pl.when(rule == 0).then(pl.col("id_no")),
        related_file=pl.when(rule == 3).then(pl.lit("/data/county/医保参保名单.csv")),
        related_row=pl.when(rule == 3).then(pl.col("row") + 7),
    )
    places = pl.concat([
        roster.select(pl.lit("village").alias("level"), "town", "village").unique(),
        roster.select(pl.lit("town").alias("level"), "town", pl.lit(None, pl.String).alias("village")).unique(),
        pl.DataFrame({"level": ["county"]}).with_columns(town=pl.lit(None, pl.String), village=pl.lit(None, pl.String)),
    ])
    table = places.join(pl.DataFrame({"rate": list(rates.RATES)}), how="cross").with_columns(
        numerator=(900 + pl.struct("town", "village", "rate").hash(1) % 100).cast(pl.Float64),
        denominator=pl.lit(1000.0)).with_columns(value=pl.col("numerator") / pl.col("denominator"))
    return Report(findings.conform(frame), inputs=[ROSTER, "/data/county/医保参保名单.csv"],
                  rates=table.select(list(rates.COLUMNS)),
                  households=roster.select(pl.lit(ROSTER).alias("file"), pl.col("town").alias("sheet"), "row",
                                           "household"),
                  list_labels={"poverty": "花名册"})


def run(by: str) -> None:
    """One measured write, in this process: prints build seconds, write seconds and peak RSS."""
    started = time.perf_counter()
    built = report(people())
    build = time.perf_counter() - started
    rss_built = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu = time.perf_counter(), time.process_time()
    files = inspection.write(built, OUT / f"督导-{by}.xlsx", by)
    wrote, wrote_cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = sum(f.stat().st_size for f in files) / 2**20
    print(f"by {by:<8} {built.findings.height:,} findings: build {build:5.1f} s ({rss_built:,.0f} MB); "
          f"write {wrote:5.1f} s wall, {wrote_cpu:5.1f} s cpu, {len(files)} files, {size:,.0f} MB; "
          f"peak RSS {peak:,.0f} MB", flush=True)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for by in ("town", "village"):
        subprocess.run([sys.executable, __file__, by], check=True)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        run(sys.argv[1])
    else:
        main()
