"""The finding ledger: statuses across runs, safety when killed or run twice at once, masking, pruning."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from tests.conftest import LI, WANG, WANG_WRONG_SEX, ZHANG, ZHAO, ZHAO_BAD_ID, ROSTER_HEADER, write_xlsx

from hv import findings
from hv.api import check
from hv.config import Config, RulesConfig
from hv.history import Ledger, LedgerError, default_path, rules_checked

DAY1 = datetime(2020, 11, 1, 2, 0)
QIAN_WRONG_SEX = ["4115210010012348", "钱七", "女", "110111198001011235", "户主", "石桥镇", "北村"]  # PF001


def roster(folder: Path, *rows: list[str]) -> Path:
    return write_xlsx(folder / "花名册.xlsx", {"城关镇": [ROSTER_HEADER, *rows]})


def status_of(record, rule: str, name: str) -> tuple[str, int | None]:
    hit = record.findings.filter((pl.col("rule") == rule) & (pl.col("name") == name))
    assert hit.height == 1, hit
    return hit["status"].item(), hit["row"].item()


def test_a_finding_appears_persists_and_is_corrected_across_three_runs(tmp_path):
    ledger = Ledger(tmp_path / ".hv" / "history.db")
    first = check([roster(tmp_path, ZHANG, LI, WANG_WRONG_SEX, ZHAO_BAD_ID)])
    run1 = ledger.record_run(first.findings, inputs=[tmp_path / "花名册.xlsx"], rules=rules_checked(first), when=DAY1)
    assert status_of(run1, "ID001", "赵六") == ("new", 5)
    assert status_of(run1, "PF001", "王五") == ("new", 4)

    # rows reordered, 王五's sex corrected, 钱七 added with a new error
    second = check([roster(tmp_path, ZHAO_BAD_ID, QIAN_WRONG_SEX, WANG, LI, ZHANG)])
    run2 = ledger.record_run(second.findings, rules=rules_checked(second), when=DAY1 + timedelta(days=1))
    assert status_of(run2, "ID001", "赵六") == ("open", 2)  # same finding, its row moved
    assert status_of(run2, "PF001", "钱七") == ("new", 3)
    assert status_of(run2, "PF001", "王五") == ("resolved", 4)  # as it was last seen
    assert (run2.count("new"), run2.count("open"), run2.count("resolved")) == (1, 1, 1)
    zhao = run2.findings.filter(pl.col("name") == "赵六")
    assert zhao["first_seen"].item() == DAY1 and zhao["last_seen"].item() == DAY1 + timedelta(days=1)

    third = check([roster(tmp_path, LI, ZHAO, ZHANG, QIAN_WRONG_SEX, WANG)])
    run3 = ledger.record_run(third.findings, rules=rules_checked(third), when=DAY1 + timedelta(days=2))
    assert status_of(run3, "ID001", "赵六") == ("resolved", 2)
    assert status_of(run3, "PF001", "钱七") == ("open", 5)
    assert run3.corrected().rows() == [("石桥镇", "ID001", 1)]
    assert run2.corrected().rows() == [("城关镇", "PF001", 1)]

    runs = ledger.runs()
    assert runs.select("run", "findings", "new", "open", "resolved").rows() == [
        (1, 2, 2, 0, 0), (2, 2, 1, 1, 1), (3, 1, 0, 1, 1)]
    trend = ledger.trend("town")
    assert trend.filter(pl.col("town") == "石桥镇").select("run", "findings", "resolved").rows() == [
        (1, 1, 0), (2, 2, 0), (3, 1, 1)]


def test_a_past_run_reads_back_as_it_was_reported(tmp_path):
    ledger = Ledger(tmp_path / "history.db")
    first = check([roster(tmp_path, ZHANG, WANG_WRONG_SEX, ZHAO_BAD_ID)])
    ledger.record_run(first.findings, when=DAY1)
    second = check([roster(tmp_path, ZHAO_BAD_ID, WANG)])
    run2 = ledger.record_run(second.findings, when=DAY1 + timedelta(days=1))
    ledger.record_run(findings.empty(), when=DAY1 + timedelta(days=2))
    again = ledger.run(2)
    assert again.findings.equals(run2.findings)
    assert again.counts.equals(run2.counts)
    assert again.previous_run == 1 and again.started_at == DAY1 + timedelta(days=1)
    with pytest.raises(LedgerError):
        ledger.run(9)


def test_rules_a_run_did_not_select_stay_open(tmp_path):
    ledger = Ledger(tmp_path / "history.db")
    path = roster(tmp_path, WANG_WRONG_SEX, ZHAO_BAD_ID)
    every = check([path])
    ledger.record_run(every.findings, rules=rules_checked(every), when=DAY1)
    only_ids = check([path], Config(rules=RulesConfig(select=("ID",))))
    run2 = ledger.record_run(only_ids.findings, rules=rules_checked(only_ids), when=DAY1 + timedelta(days=1))
    assert run2.count("resolved") == 0 and run2.findings["rule"].to_list() == ["ID001"]
    run3 = ledger.record_run(every.findings, rules=rules_checked(every), when=DAY1 + timedelta(days=2))
    assert status_of(run3, "PF001", "王五") == ("open", 2)
    assert ledger.run(2).findings["rule"].to_list() == ["ID001"]


def test_only_rules_for_the_lists_read_count_as_checked(tmp_path):
    result = check([roster(tmp_path, ZHANG, LI)])
    checked = rules_checked(result)
    assert "ID001" in checked and "HH001" in checked and "IMP003" in checked
    assert not [code for code in checked if code.startswith("ST")]  # no settlement list was read


def test_a_finding_that_comes_back_after_correction_is_new_again(tmp_path):
    ledger = Ledger(tmp_path / "history.db")
    wrong, right = check([roster(tmp_path, ZHANG, WANG_WRONG_SEX)]), check([roster(tmp_path, ZHANG, WANG)])
    for day, result in enumerate([wrong, right, wrong]):
        record = ledger.record_run(result.findings, rules=["PF001"], when=DAY1 + timedelta(days=day))
    assert status_of(record, "PF001", "王五") == ("new", 3)
    assert record.findings["first_seen"].item() == DAY1 + timedelta(days=2)


def test_the_ledger_holds_masked_findings_when_masking_is_on(tmp_path):
    path = tmp_path / "history.db"
    ledger = Ledger(path)
    result = check([roster(tmp_path, ZHANG, LI, ZHAO_BAD_ID)])
    ledger.record_run(result.findings, mask=True, when=DAY1)
    fixed = check([roster(tmp_path, ZHANG, LI, ZHAO)])
    run2 = ledger.record_run(fixed.findings, mask=True, when=DAY1 + timedelta(days=1))
    assert run2.findings["id_no"].to_list() == ["411521********1233"]  # the corrected one, as stored
    assert run2.findings["name"].to_list() == ["赵*"]
    ledger.close()
    with sqlite3.connect(path) as db:
        for (blob,) in db.execute("SELECT parquet FROM run_findings"):
            stored = pl.read_parquet(io.BytesIO(blob)).select(pl.col(pl.String))
            assert not stored.select(pl.any_horizontal(pl.all().str.contains("196001021233|赵六"))).to_series().any()
        fingerprints = [bytes(f) for (f,) in db.execute("SELECT fingerprint FROM findings")]
    assert fingerprints and all(len(f) == 16 and b"4115" not in f for f in fingerprints)
    assert path.with_suffix(".key").stat().st_mode & 0o777 == 0o600  # the digest key, readable by its owner only


def test_inputs_are_recorded_with_size_and_hash(tmp_path):
    import hashlib

    path = roster(tmp_path, ZHANG, LI)
    record = Ledger(tmp_path / "history.db").record_run(findings.empty(), inputs=[path], when=DAY1)
    assert record.inputs.rows() == [(str(path), path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest())]


def test_prune_deletes_old_runs_but_keeps_the_latest(tmp_path):
    ledger = Ledger(tmp_path / "history.db")
    open_finding = check([roster(tmp_path, ZHANG, LI, ZHAO_BAD_ID)]).findings
    for day in range(5):
        ledger.record_run(open_finding, when=DAY1 + timedelta(days=day))
    assert ledger.prune(2, now=DAY1 + timedelta(days=4)) == 2  # runs of day 0 and 1
    assert ledger.runs()["run"].to_list() == [3, 4, 5]
    with pytest.raises(LedgerError):
        ledger.run(1)
    later = ledger.record_run(open_finding, when=DAY1 + timedelta(days=5))
    assert later.findings["first_seen"].item() == DAY1  # an open finding keeps its history
    assert ledger.prune(0, now=DAY1 + timedelta(days=30)) == 3
    assert ledger.runs()["run"].to_list() == [6]
    with sqlite3.connect(tmp_path / "history.db") as db:
        assert db.execute("PRAGMA freelist_count").fetchone() == (0,)  # the freed pages were given back


def test_unusable_ledgers_are_one_clear_error(tmp_path):
    not_a_ledger = tmp_path / "notes.db"
    not_a_ledger.write_text("这不是数据库" * 200)
    with pytest.raises(LedgerError):
        Ledger(not_a_ledger)

    path = tmp_path / "history.db"
    Ledger(path).record_run(findings.empty(), when=DAY1)
    path.with_suffix(".key").unlink()
    with pytest.raises(LedgerError, match="key file"):
        Ledger(path)

    newer = tmp_path / "newer.db"
    Ledger(newer).close()
    with sqlite3.connect(newer) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(LedgerError, match="newer hv"):
        Ledger(newer)


def test_the_default_ledger_sits_beside_the_configuration(tmp_path):
    assert default_path(tmp_path / "conf" / "hv.toml") == tmp_path / "conf" / ".hv" / "history.db"
    assert default_path(None, cwd=tmp_path) == tmp_path / ".hv" / "history.db"


# --- safety: a killed run, two runs at once -------------------------------------------------------

# A child process that records a findings parquet file. Inside the transaction (every finding
# written, nothing committed) it prints "inside", then holds the write lock until the file
# `hold_until` exists (then one second more; a minute at most) or, without one, for `pause`
# seconds. It touches `announce` just before it opens the ledger.
WRITER = textwrap.dedent("""
    import sys, time
    from datetime import datetime
    from pathlib import Path
    import polars as pl
    import hv.history as history

    ledger, data, announce, hold_until, pause = sys.argv[1:6]
    snapshot = history._parquet

    def slow_snapshot(frame):
        print("inside", flush=True)
        if hold_until == "-":
            time.sleep(float(pause))
        else:
            deadline = time.monotonic() + 60
            while not Path(hold_until).exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(1)
        return snapshot(frame)

    history._parquet = slow_snapshot
    found = pl.read_parquet(data)
    if announce != "-":
        Path(announce).touch()
    started = time.perf_counter()
    with history.Ledger(ledger) as opened:
        record = opened.record_run(found, when=datetime(2020, 11, 2))
    print("done", record.run_id, record.previous_run, round(time.perf_counter() - started, 2), flush=True)
""")


def many_findings(n: int) -> pl.DataFrame:
    person = pl.int_range(n).alias("person")
    return findings.conform(pl.select(
        rule=pl.lit("ID001"), severity=pl.lit("error"), list=pl.lit("poverty"), file=pl.lit("花名册.xlsx"),
        sheet=pl.lit("城关镇"), row=person + 2, field=pl.lit("id_no"), town=pl.lit("城关镇"),
        id_no=pl.format("411521{}", person.cast(pl.String).str.zfill(12)),
    ))


def start_writer(tmp_path: Path, ledger: Path, found: pl.DataFrame, *, announce: Path | None = None,
                 hold_until: Path | None = None, pause: float = 0) -> subprocess.Popen:
    script, data = tmp_path / "writer.py", tmp_path / f"findings-{found.height}.parquet"
    script.write_text(WRITER)
    found.write_parquet(data)
    args = [str(ledger), str(data), str(announce or "-"), str(hold_until or "-"), str(pause)]
    return subprocess.Popen([sys.executable, str(script), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_a_run_killed_mid_write_leaves_the_ledger_as_it_was(tmp_path):
    path = tmp_path / "history.db"
    with Ledger(path) as ledger:
        before = ledger.record_run(many_findings(1000), when=DAY1)
    child = start_writer(tmp_path, path, many_findings(50_000).slice(500), pause=60)
    assert child.stdout.readline().strip() == "inside"  # 49,000 new and 500 closed, not committed
    assert path.with_name("history.db-wal").stat().st_size > 1_000_000  # half-written pages already in the file
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with Ledger(path) as ledger:
        assert ledger.runs()["run"].to_list() == [1]
        assert ledger.run(1).findings.equals(before.findings)
        after = ledger.record_run(many_findings(1000), when=DAY1 + timedelta(days=2))
    assert (after.run_id, after.previous_run, after.count("open"), after.count("new")) == (2, 1, 1000, 0)


def test_two_runs_at_once_both_succeed_one_after_the_other(tmp_path):
    path, ready = tmp_path / "history.db", tmp_path / "second-is-recording"
    Ledger(path).close()
    first = start_writer(tmp_path, path, many_findings(2000), hold_until=ready)
    assert first.stdout.readline().strip() == "inside"  # it holds the write lock now
    with Ledger(path, timeout=1) as reader:  # reading does not wait for it
        assert reader.runs().height == 0
    second = start_writer(tmp_path, path, many_findings(3000), announce=ready)
    try:
        outputs = [p.communicate(timeout=120) for p in (first, second)]
    finally:
        for child in (first, second):
            child.kill()
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    done_first, done_second = (out.split()[-4:] for out, _ in outputs)
    assert done_first[:3] == ["done", "1", "None"] and done_second[:3] == ["done", "2", "1"]
    assert float(done_second[3]) >= 0.9  # the second waited for the first to commit
    with Ledger(path) as ledger:
        assert ledger.runs().select("run", "new", "open").rows() == [(1, 2000, 0), (2, 1000, 2000)]
        assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)
