"""How well hv's findings match a sample bundle's answer key (`hv sample` writes answers.csv).

An injected defect counts as found when a finding of its rule sits on the same file, sheet and
row. A finding of severity error or warning on a row that carries no injected defect at all is a
false alarm. Both figures are what the accuracy test and `make bench` report.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

SINGLE_LIST = ("import", "id", "person", "household", "settlement")
CROSS_LIST = ("coverage", "consistency")


def read_answers(path: Path) -> pl.DataFrame:
    answers = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    return answers.with_columns(pl.col("row").cast(pl.Int64), pl.col("sheet").fill_null(""))


def _place(frame: pl.DataFrame) -> pl.DataFrame:
    """Findings name files as given on the command line; the answer key by file name only."""
    return frame.with_columns(pl.col("file").str.extract(r"([^/\\]+)$"), pl.col("sheet").fill_null(""))


def recall_by_kind(found: pl.DataFrame, answers: pl.DataFrame, categories: tuple[str, ...]) -> pl.DataFrame:
    """Per defect kind: how many were injected, how many a finding of the expected rule hit."""
    expected = answers.filter(pl.col("category").is_in(categories))
    hits = _place(found).select("file", "sheet", "row", "rule").unique().with_columns(hit=pl.lit(True))
    joined = expected.join(hits, on=["file", "sheet", "row", "rule"], how="left")
    return (joined.group_by("kind", "rule").agg(injected=pl.len(), found=pl.col("hit").fill_null(False).sum())
            .with_columns(recall=pl.col("found") / pl.col("injected")).sort("recall", "kind"))


def false_alarms(found: pl.DataFrame, answers: pl.DataFrame, categories: tuple[str, ...]) -> tuple[int, int]:
    """(error/warning findings on rows with no injected defect, all error/warning findings on rows)."""
    flagged = _place(found).filter(pl.col("severity").is_in(["error", "warning"]) & pl.col("row").is_not_null()
                                   & pl.col("category").is_in(categories))
    defect_rows = answers.select("file", "sheet", "row").unique().with_columns(defect=pl.lit(True))
    marked = flagged.join(defect_rows, on=["file", "sheet", "row"], how="left")
    return int(marked["defect"].is_null().sum()), marked.height


def precision_recall(found: pl.DataFrame, answers: pl.DataFrame) -> tuple[float, float]:
    """Over every defect kind: the share of error/warning findings on rows that carry a defect
    (precision) and the share of injected defects a finding of their rule hits (recall)."""
    categories = (*SINGLE_LIST, *CROSS_LIST)
    wrong, total = false_alarms(found, answers, categories)
    recall = recall_by_kind(found, answers, categories)
    return 1 - wrong / total if total else 1.0, recall["found"].sum() / recall["injected"].sum()
