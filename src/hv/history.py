"""The finding ledger: which findings are new, still open or corrected since the last run.

A nightly `hv check --history` is only useful if tomorrow's run can say what changed since
today's. The ledger is one SQLite file (standard library) beside the configuration. Each run is
one transaction, so a run that crashes or is killed leaves the ledger as it was; WAL and a busy
timeout make two runs at once wait for each other instead of failing or corrupting the file.

Two things are kept:

- `findings`: one row per *episode* of a finding, keyed by its fingerprint
  (`hv.findings.fingerprints`): opened by the run that first saw it, closed by the run that no
  longer did. A run keeps the open episodes it finds again (未整改), opens one for each finding it
  did not have (新增) and closes the others (已整改). A finding that comes back after being
  corrected opens a new episode: it is new again. Rules a run did not select keep their episodes
  open. The open findings are compared with the run's in one bulk pass (polars), and a finding
  that merely persists is not written at all, whatever its row number does.
- `run_findings`: each run's findings table as reported (with status), compressed (parquet),
  so that a past run's summary can be reprinted exactly and a corrected finding can be shown as
  it was last seen. It holds the findings table's columns, each finding's status and
  fingerprint digest, and nothing else; masked when the run was masked.

The fingerprint is stored as a keyed digest: a fingerprint holds the unmasked ID number, and an
unkeyed digest of it could be reversed by trying the few thousand possible birth dates. The key
lives in a file beside the database (`history.key`), never in it.

A ledger follows one bundle; a run over other files belongs in another ledger (`--history PATH`),
or their findings would count as corrected.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import repeat
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from hv import __version__, findings
from hv.errors import HvError, InputError
from hv.mask import mask_findings

if TYPE_CHECKING:
    from hv.api import CheckResult

SCHEMA_VERSION = 1
STATUSES = ("new", "open", "resolved")
STATUS_LABELS = {
    "zh": {"new": "新增", "open": "未整改", "resolved": "已整改"},
    "en": {"new": "new", "open": "still open", "resolved": "corrected"},
}
# What a run's findings carry beside the findings table's own columns.
STATUS_COLUMNS: dict[str, pl.DataType] = {"status": pl.String, "first_seen": pl.Datetime("us"),
                                          "last_seen": pl.Datetime("us")}
COUNT_COLUMNS = ("findings", "new", "open", "resolved")
_COUNTS_SCHEMA = {"rule": pl.String, "severity": pl.String, "town": pl.String, "status": pl.String,
                  "count": pl.Int64}
_TIME = "%Y-%m-%d %H:%M:%S"
_KEY_BYTES = 32

_DDL = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    """CREATE TABLE IF NOT EXISTS runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        hv_version TEXT NOT NULL,
        rules TEXT,                          -- JSON list of the rule codes checked, NULL for every rule
        masked INTEGER NOT NULL,
        findings INTEGER NOT NULL DEFAULT 0, -- open after the run: new + open
        new INTEGER NOT NULL DEFAULT 0, open INTEGER NOT NULL DEFAULT 0, resolved INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS run_inputs (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        path TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS run_inputs_by_run ON run_inputs(run_id)",
    """CREATE TABLE IF NOT EXISTS run_counts (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        rule TEXT NOT NULL, severity TEXT, town TEXT, status TEXT NOT NULL, count INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS run_counts_by_run ON run_counts(run_id)",
    """CREATE TABLE IF NOT EXISTS run_findings (
        run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        parquet BLOB NOT NULL)               -- the run's findings with status and fingerprint digest""",
    """CREATE TABLE IF NOT EXISTS findings (
        id INTEGER PRIMARY KEY,
        fingerprint BLOB NOT NULL,           -- keyed digest of hv.findings.fingerprints
        rule TEXT NOT NULL,
        first_run INTEGER NOT NULL,          -- no foreign key: the run may have been pruned
        first_seen TEXT NOT NULL,
        resolved_run INTEGER REFERENCES runs(id) ON DELETE CASCADE)  -- NULL while open""",
    "CREATE UNIQUE INDEX IF NOT EXISTS findings_open ON findings(fingerprint) WHERE resolved_run IS NULL",
    "CREATE INDEX IF NOT EXISTS findings_resolved ON findings(resolved_run) WHERE resolved_run IS NOT NULL",
)


class LedgerError(HvError):
    """The ledger cannot be used: not a ledger, made by a newer hv, locked too long, or its key is lost."""


@dataclass
class RunRecord:
    """One run as the ledger saw it: what `record_run` returns and what `run` reads back."""

    run_id: int
    started_at: datetime
    previous_run: int | None
    # the findings table's columns + status, first_seen, last_seen: the run's own findings first
    # (in the order given), then the ones it found corrected, as they were last seen
    findings: pl.DataFrame
    counts: pl.DataFrame  # rule, severity, town, status, count
    inputs: pl.DataFrame  # path, size, sha256

    def count(self, status: str) -> int:
        """How many findings of this run have the status (`new`, `open` or `resolved`)."""
        return int(self.counts.filter(pl.col("status") == status)["count"].sum())

    def corrected(self) -> pl.DataFrame:
        """Corrected findings per 乡镇 and rule (town, rule, count): the line a report quotes."""
        return (self.counts.filter(pl.col("status") == "resolved").group_by("town", "rule")
                .agg(pl.col("count").sum()).sort("town", "rule", nulls_last=True))


def default_path(config: Path | None = None, cwd: Path | None = None) -> Path:
    """`.hv/history.db` beside the configuration file, else in the working directory (where hv.toml is looked for)."""
    base = Path(config).parent if config is not None else (cwd or Path.cwd())
    return base / ".hv" / "history.db"


def rules_checked(result: CheckResult) -> list[str]:
    """The selected rules that apply to a list kind the run read: the ones whose open findings it may close.

    A settlement rule says nothing about settlements on a night only the roster was checked.
    """
    kinds = list(result.imported.tables)
    return [r.code for r in result.rules if any(r.applies_to(k) for k in kinds)]


def describe_inputs(paths: Sequence[Path | str]) -> list[tuple[str, int, str]]:
    """(path, size, sha256) of each input, streamed: a run records exactly which files it judged."""
    described = []
    for path in paths:
        try:
            with open(path, "rb") as f:
                digest = hashlib.file_digest(f, "sha256").hexdigest()
                described.append((str(path), os.fstat(f.fileno()).st_size, digest))
        except OSError as exc:
            raise InputError(f"无法读取输入文件：{exc.strerror}", f"cannot read the input: {exc.strerror}",
                             file=path) from None
    return described


class Ledger:
    """An open ledger; the file, its directory and its key are made when they do not exist.

    Raises LedgerError when the file is not a ledger, was made by a newer hv, or has runs but
    lost its key file (its findings could no longer be matched). `timeout` is how long a run
    waits for another one writing at the same time.
    """

    def __init__(self, path: Path | str, *, timeout: float = 600.0) -> None:
        self.path = Path(path)
        with self._plain_errors():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            try:
                self._setup()
                self._key = self._load_key()
            except BaseException:
                self._db.close()
                raise

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def record_run(self, found: pl.DataFrame, *, inputs: Sequence[Path | str] = (),
                   rules: Sequence[str] | None = None, mask: bool = False, when: datetime | None = None) -> RunRecord:
        """Record one run's findings (unmasked, as `hv.api.check` returns them) in one transaction.

        `rules` are the codes the run checked, `rules_checked(result)` (None: every rule; the
        findings' own rules count too); open findings of other rules stay open. With `mask` the
        ledger stores the findings masked; the returned findings are the given ones (mask the
        report as usual) followed by the corrected ones as stored. `inputs` are hashed (InputError
        when one cannot be read). Raises LedgerError when the ledger stays locked longer than
        the timeout or cannot be written; nothing of the run is kept then.
        """
        found = findings.conform(found)
        started = _local(when or datetime.now())
        now = started.strftime(_TIME)
        keys = pl.Series("fingerprint", self._digests(findings.fingerprints(found)), dtype=pl.Binary)
        described = describe_inputs(inputs)
        checked = None if rules is None else sorted(set(rules) | set(found["rule"].drop_nulls()))
        with self._transaction():
            db = self._db
            previous = db.execute("SELECT max(id) FROM runs").fetchone()[0]
            run_id = db.execute("INSERT INTO runs (started_at, hv_version, masked, rules) VALUES (?, ?, ?, ?)",
                                (now, __version__, int(mask), None if checked is None else json.dumps(checked))
                                ).lastrowid
            db.executemany("INSERT INTO run_inputs VALUES (?, ?, ?, ?)", [(run_id, *d) for d in described])
            first_seen = self._update_episodes(run_id, now, keys, found["rule"], checked)
            current = found.with_columns(
                first_seen.is_null().replace_strict({True: "new", False: "open"}).alias("status"),
                first_seen.fill_null(now).str.to_datetime(_TIME, time_unit="us").alias("first_seen"),
                pl.lit(started, dtype=pl.Datetime("us")).alias("last_seen"),
            )
            resolved = self._resolved(run_id)
            counts = self._store(run_id, pl.concat([(mask_findings(current) if mask else current).with_columns(keys),
                                                    resolved]))
        return RunRecord(run_id, started, previous, pl.concat([current, resolved.drop("fingerprint")]), counts,
                         _inputs_frame(described))

    def runs(self) -> pl.DataFrame:
        """Every run, oldest first: run, started_at, hv_version, masked, rules, inputs, findings, new, open, resolved.

        `findings` is what was open after the run (new + open); `rules` and `inputs` are joined
        by ", " (`rules` is null for a run that checked every rule).
        """
        with self._plain_errors():
            frame = _frame(self._db.execute(
                "SELECT r.id, r.started_at, r.hv_version, r.masked, "
                "(SELECT group_concat(value, ', ') FROM json_each(r.rules)), "
                "(SELECT group_concat(path, ', ') FROM run_inputs i WHERE i.run_id = r.id), "
                "r.findings, r.new, r.open, r.resolved FROM runs r ORDER BY r.id"),
                {"run": pl.Int64, "started_at": pl.String, "hv_version": pl.String, "masked": pl.Boolean,
                 "rules": pl.String, "inputs": pl.String, **{c: pl.Int64 for c in COUNT_COLUMNS}})
        return frame.with_columns(pl.col("started_at").str.to_datetime(_TIME))

    def run(self, run_id: int) -> RunRecord:
        """A past run read back exactly as it was reported, to reprint its summary (`hv history --run N`).

        Raises LedgerError for a run the ledger does not have (never recorded, or pruned).
        """
        with self._plain_errors():
            row = self._db.execute(
                "SELECT r.started_at, (SELECT max(id) FROM runs WHERE id < r.id), f.parquet "
                "FROM runs r JOIN run_findings f ON f.run_id = r.id WHERE r.id = ?", (run_id,)).fetchone()
            if row is None:
                raise LedgerError(f"历史记录中没有第 {run_id} 次运行", f"no run {run_id} in the ledger", file=self.path)
            counts = _frame(self._db.execute("SELECT rule, severity, town, status, count FROM run_counts "
                                             "WHERE run_id = ?", (run_id,)), _COUNTS_SCHEMA)
            inputs = self._db.execute("SELECT path, size, sha256 FROM run_inputs WHERE run_id = ?", (run_id,))
            described = inputs.fetchall()
        started_at, previous, blob = row
        return RunRecord(run_id, datetime.strptime(started_at, _TIME), previous,
                         pl.read_parquet(io.BytesIO(blob)).drop("fingerprint"), counts, _inputs_frame(described))

    def trend(self, by: str = "rule") -> pl.DataFrame:
        """Per run and per rule (or per town): run, started_at, <by>, findings, new, open, resolved.

        `findings` is how many were open after the run (new + still open): the trend line to draw.
        """
        if by not in ("rule", "town"):
            raise ValueError(f"trend by 'rule' or 'town', not {by!r}")
        per_status = ", ".join(f"sum(CASE WHEN c.status = '{s}' THEN c.count ELSE 0 END)" for s in STATUSES)
        with self._plain_errors():
            frame = _frame(self._db.execute(
                f"SELECT r.id, r.started_at, c.{by}, sum(CASE WHEN c.status != 'resolved' THEN c.count ELSE 0 END), "
                f"{per_status} FROM runs r JOIN run_counts c ON c.run_id = r.id "
                f"GROUP BY r.id, c.{by} ORDER BY r.id, c.{by}"),
                {"run": pl.Int64, "started_at": pl.String, by: pl.String, **{c: pl.Int64 for c in COUNT_COLUMNS}})
        return frame.with_columns(pl.col("started_at").str.to_datetime(_TIME))

    def prune(self, days: int, *, now: datetime | None = None) -> int:
        """Delete runs older than `days` days and the corrected findings closed by them; return how many runs.

        The latest run is always kept: it is what the next run is compared with. Open findings
        stay, with their first-seen dates.
        """
        cutoff = _local(now or datetime.now()) - timedelta(days=days)
        with self._transaction():
            deleted = self._db.execute("DELETE FROM runs WHERE started_at < ? AND id < (SELECT max(id) FROM runs)",
                                       (cutoff.strftime(_TIME),)).rowcount
        with self._plain_errors():
            self._db.executescript("PRAGMA incremental_vacuum")  # execute() would step it once: one page
        return deleted

    def _setup(self) -> None:
        db = self._db
        db.execute("PRAGMA foreign_keys = ON")
        version = self._schema_version()
        if version is None:
            db.execute("PRAGMA auto_vacuum = INCREMENTAL")  # before anything is written: prune can shrink the file
        if db.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
            raise LedgerError("历史记录文件无法使用 WAL 模式", "the ledger cannot use WAL mode", file=self.path)
        db.execute("PRAGMA synchronous = NORMAL")  # with WAL: a crash loses no committed run
        if version is None:  # a new ledger; an existing one opens without waiting for a run writing to it
            with self._transaction():
                for statement in _DDL:
                    db.execute(statement)
                db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            version = self._schema_version()
        if version > SCHEMA_VERSION:
            raise LedgerError("历史记录由更新版本的 hv 创建，请升级 hv", "the ledger was made by a newer hv; upgrade hv",
                              file=self.path)

    def _schema_version(self) -> int | None:
        if not self._db.execute("SELECT 1 FROM sqlite_schema WHERE name = 'meta'").fetchone():
            return None
        return int(self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])

    def _load_key(self) -> bytes:
        """The digest key beside the database, made on first use so that two first runs agree on one key."""
        key_path = self.path.with_suffix(".key")
        if not key_path.exists():
            if self._db.execute("SELECT 1 FROM runs LIMIT 1").fetchone():
                raise LedgerError(f"密钥文件 {key_path.name} 丢失，无法与以前的运行比对；请恢复该文件，或删除历史记录重新开始",
                                  f"its key file {key_path.name} is missing, so findings cannot be matched with "
                                  "earlier runs; restore it, or delete the ledger to start over", file=self.path)
            fd, tmp = tempfile.mkstemp(prefix=f".{key_path.name}.", dir=key_path.parent)  # mode 0600
            try:
                os.write(fd, secrets.token_bytes(_KEY_BYTES).hex().encode())
                os.close(fd)
                os.link(tmp, key_path)  # never replaces: the first run to get here wins
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        try:
            key = bytes.fromhex(key_path.read_text().strip())
        except ValueError:
            key = b""
        if len(key) != _KEY_BYTES:
            raise LedgerError(f"密钥文件 {key_path.name} 已损坏", f"its key file {key_path.name} is damaged",
                              file=self.path)
        return key

    def _digests(self, fingerprints: pl.Series) -> list[bytes]:
        """16-byte keyed digests (blake2b): what the ledger keeps instead of the fingerprints."""
        keyed = hashlib.blake2b(key=self._key, digest_size=16)

        def digest(text: str) -> bytes:
            h = keyed.copy()
            h.update(text.encode())
            return h.digest()

        return list(map(digest, fingerprints.to_list()))

    def _update_episodes(self, run_id: int, now: str, keys: pl.Series, rules: pl.Series,
                         checked: list[str] | None) -> pl.Series:
        """Close the open findings this run checked and did not find, open the new ones.

        The open findings are read in one query and compared with the run's in polars; SQLite is
        written only what changed. (Loading every fingerprint of the run into a temporary table
        instead costs 3 s per million findings in Python's sqlite3 binding alone.) Returns, per
        finding of the run, the first-seen date of its open episode, null for a new one.
        """
        db = self._db
        open_now = _frame(
            db.execute("SELECT fingerprint, id, rule, first_seen FROM findings WHERE resolved_run IS NULL"),
            {"fingerprint": pl.Binary, "id": pl.Int64, "rule": pl.String, "first_seen": pl.String})
        current = pl.DataFrame([keys, rules])
        seen = current.join(open_now.select("fingerprint", "first_seen"), on="fingerprint", how="left",
                            maintain_order="left")
        gone = open_now.join(current, on="fingerprint", how="anti")
        if checked is not None:
            gone = gone.filter(pl.col("rule").is_in(checked))
        db.execute("UPDATE findings SET resolved_run = ? WHERE id IN (SELECT value FROM json_each(?))",
                   (run_id, json.dumps(gone["id"].to_list())))
        new = seen.filter(pl.col("first_seen").is_null()).sort("fingerprint")  # in index order
        db.executemany("INSERT INTO findings (fingerprint, rule, first_run, first_seen) VALUES (?, ?, ?, ?)",
                       zip(new["fingerprint"].to_list(), new["rule"].to_list(), repeat(run_id), repeat(now)))
        return seen["first_seen"]

    def _store(self, run_id: int, reported: pl.DataFrame) -> pl.DataFrame:
        """Keep the run's findings as reported, with their counts by rule, severity, town and status."""
        counts = (reported.group_by("rule", "severity", "town", "status").len("count")
                  .sort("rule", "town", "status", nulls_last=True).cast(_COUNTS_SCHEMA))
        totals = {s: int(counts.filter(pl.col("status") == s)["count"].sum()) for s in STATUSES}
        self._db.execute("INSERT INTO run_findings VALUES (?, ?)", (run_id, _parquet(reported)))
        self._db.executemany("INSERT INTO run_counts VALUES (?, ?, ?, ?, ?, ?)",
                             ((run_id, *row) for row in counts.iter_rows()))
        self._db.execute("UPDATE runs SET findings = ?, new = ?, open = ?, resolved = ? WHERE id = ?",
                         (totals["new"] + totals["open"], totals["new"], totals["open"], totals["resolved"], run_id))
        return counts

    def _resolved(self, run_id: int) -> pl.DataFrame:
        """The findings this run closed, each as the last run that checked its rule reported it.

        A finding whose last run was pruned keeps only its rule and first-seen date.
        """
        closed = _frame(self._db.execute("SELECT fingerprint, rule, first_seen FROM findings WHERE resolved_run = ?",
                                         (run_id,)), {"fingerprint": pl.Binary, "rule": pl.String,
                                                      "first_seen": pl.String})
        last = self._last_checked(run_id, closed["rule"].unique().to_list())
        content = {c: t for c, t in findings.COLUMNS.items() if c != "rule"} | {"fingerprint": pl.Binary}
        snapshots = self._db.execute(
            "SELECT parquet FROM run_findings WHERE run_id IN (SELECT value FROM json_each(?))",
            (json.dumps(last["last_run"].unique().to_list()),))
        seen = pl.concat([pl.DataFrame(schema=content), *(
            pl.read_parquet(io.BytesIO(blob)).filter(pl.col("status") != "resolved").select(*content)
            .join(closed, on="fingerprint", how="semi") for (blob,) in snapshots)])
        resolved = (closed.join(last, on="rule", how="left").join(seen, on="fingerprint", how="left")
                    .with_columns(pl.lit("resolved").alias("status"),
                                  pl.col("first_seen", "last_seen").str.to_datetime(_TIME, time_unit="us")))
        return findings.sort(resolved.select(*findings.COLUMNS, *STATUS_COLUMNS, "fingerprint"))

    def _last_checked(self, run_id: int, rules: list[str]) -> pl.DataFrame:
        """rule, last_run, last_seen: the latest run before `run_id` that checked each rule."""
        wanted, found = set(rules), []
        earlier = self._db.execute("SELECT id, started_at, rules FROM runs WHERE id < ? ORDER BY id DESC", (run_id,))
        for run, started_at, checked in earlier:
            hits = set(wanted) if checked is None else wanted & set(json.loads(checked))
            found += [(rule, run, started_at) for rule in hits]
            wanted -= hits
            if not wanted:
                break
        return pl.DataFrame(found, schema={"rule": pl.String, "last_run": pl.Int64, "last_seen": pl.String},
                            orient="row")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so that two writers queue instead of deadlocking."""
        with self._plain_errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                if self._db.in_transaction:  # SQLite rolls some failures back itself
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def _plain_errors(self) -> Iterator[None]:
        """SQLite's and the file system's errors (locked, damaged, disk full) as one line and exit code 2."""
        try:
            yield
        except sqlite3.Error as exc:
            raise LedgerError(f"历史记录无法使用：{exc}", f"the ledger cannot be used: {exc}", file=self.path) from None
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise LedgerError(f"历史记录无法使用：{reason}", f"the ledger cannot be used: {reason}",
                              file=self.path) from None


def _local(moment: datetime) -> datetime:
    """Local wall-clock time to the second: what a clerk reads, and what sorts as text."""
    return moment.astimezone().replace(tzinfo=None, microsecond=0) if moment.tzinfo else moment.replace(microsecond=0)


def _frame(cursor: sqlite3.Cursor, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(cursor.fetchall(), schema=schema, orient="row")


def _parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd")
    return buffer.getvalue()


def _inputs_frame(described: Sequence[tuple[str, int, str]]) -> pl.DataFrame:
    return pl.DataFrame(list(described), schema={"path": pl.String, "size": pl.Int64, "sha256": pl.String},
                        orient="row")
