"""The finding ledger at county scale: record a run of a million findings, then a second run with
10 % changed and every row moved, and read the statuses back.

Prints the wall and CPU time of each step and the database size per million findings, by table.
Size: BENCH_FINDINGS (default 1,000,000). The ledger is made in a temporary directory and removed.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl

from hv import findings
from hv.history import Ledger

FINDINGS = int(os.environ.get("BENCH_FINDINGS", "1000000"))
RULES = [f"{prefix}{n:03d}" for prefix in ("ID", "PF", "HH", "IN") for n in range(1, 6)]
TOWNS = ["城关镇", "东关镇", "西关镇", "南湖乡", "北岭乡", "石桥镇", "柳林乡", "白沙镇", "青山乡", "河口镇"]
SEED = 20201231


@contextmanager
def step(name: str):
    """Wall time, and the CPU time of this process: on a shared machine the second is the steadier one."""
    started, cpu = time.perf_counter(), time.process_time()
    yield
    print(f"{name:<44}{time.perf_counter() - started:8.2f} s wall {time.process_time() - cpu:8.2f} s cpu", flush=True)


def synthetic(people: pl.Series) -> pl.DataFrame:
    """One finding per person number, in the conform()-ed shape, built column-wise."""
    frame = pl.DataFrame({"person": people}).with_columns(
        rule=pl.lit(pl.Series(RULES)).get(pl.col("person") % len(RULES)),
        town=pl.lit(pl.Series(TOWNS)).get(pl.col("person") // 7 % len(TOWNS)),
        village=pl.format("{}村", pl.col("person") // 11 % 40),
        id_no=pl.format("4115211{}", pl.col("person").cast(pl.String).str.zfill(11)),
        name=pl.format("张{}", pl.col("person") % 997),
        row=pl.col("person") + 2,
    )
    return findings.conform(frame.with_columns(
        severity=pl.lit("error"), category=pl.lit("person"), list=pl.lit("poverty"),
        file=pl.lit("/data/county/建档立卡花名册.xlsx"), sheet=pl.col("town"), column=pl.lit("证件号码"),
        field=pl.lit("id_no"), value=pl.col("id_no"),
        message=pl.format("「身份证号」{} 的校验位不对，应为 X（可能抄错了一位数字）", pl.col("id_no")),
    ))


def main() -> None:
    changed = FINDINGS // 20  # 5 % corrected, 5 % new: 10 % of the findings change
    with step(f"build {FINDINGS:,} findings"):
        first = synthetic(pl.int_range(0, FINDINGS, eager=True))
        second = (synthetic(pl.int_range(changed, FINDINGS + changed, eager=True))
                  .sample(fraction=1.0, shuffle=True, seed=SEED)
                  .with_columns(pl.int_range(2, pl.len() + 2).alias("row")))  # every row moved
    when = datetime(2020, 12, 1, 2, 0)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.db"
        with Ledger(path) as ledger:
            with step("record run 1 (all new)"):
                run1 = ledger.record_run(first, when=when)
            with step("record run 2 (10 % changed, rows moved)"):
                run2 = ledger.record_run(second, when=when + timedelta(days=1))
            with step("read run 2 back (statuses)"):
                again = ledger.run(run2.run_id)
            with step("runs() and trend by rule and by town"):
                ledger.runs(), ledger.trend("rule"), ledger.trend("town")
        assert run1.count("new") == FINDINGS
        assert (run2.count("new"), run2.count("open"), run2.count("resolved")) == (changed, FINDINGS - changed, changed)
        assert again.counts.equals(run2.counts)
        print(f"run 2 statuses: new {run2.count('new'):,}, open {run2.count('open'):,}, "
              f"resolved {run2.count('resolved'):,}")
        report_size(path, episodes=FINDINGS + changed, runs=2)
    print(f"cpus: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}, python {sys.version.split()[0]}, "
          f"sqlite {sqlite3.sqlite_version}")


def report_size(path: Path, *, episodes: int, runs: int) -> None:
    """File size after a checkpoint, and per table: the episodes grow with distinct findings, the
    snapshots with runs × findings."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = dict(db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
    mb = 2 ** 20
    episode_bytes = pages["findings"] + pages["findings_open"] + pages.get("findings_resolved", 0)
    print(f"database: {path.stat().st_size / mb:,.0f} MB after {runs} runs")
    print(f"  findings (episodes + indexes): {episode_bytes / mb:,.0f} MB for {episodes:,} "
          f"= {episode_bytes / mb / episodes * 1e6:,.0f} MB per million findings")
    print(f"  run_findings (compressed snapshots): {pages['run_findings'] / mb:,.0f} MB for {runs} runs "
          f"= {pages['run_findings'] / mb / runs / FINDINGS * 1e6:,.0f} MB per run per million findings")


if __name__ == "__main__":
    main()
