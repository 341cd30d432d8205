"""A check that fires on most rows of a file has misunderstood the file.

When one rule flags most rows of a list, or one unknown value fills a column, the likely cause is
hv's reading (a column mapped wrong, a local code list, a list of another year or scope), not that
most rows are wrong. Such a group of findings is reported once, as a column-level finding (IMP013)
that says where to look; its rows stay in the detail, lowered to 提示, and no longer count against
the people in 信息准确率 or in the exit code.
"""

from __future__ import annotations

import polars as pl

from hv import findings
from hv.config import Systematic as Thresholds
from hv.rules.imp import SYSTEMATIC


GROUP = ["rule", "list", "file", "field"]


def collapse(found: pl.DataFrame, rows: pl.DataFrame, rule_names: dict[str, str], lang: str,
             thresholds: Thresholds = Thresholds()) -> pl.DataFrame:
    """`found` with each systematic group lowered to info and one IMP013 finding per group.

    `rows`: list, file -> the number of data rows of that list in that file (the denominator).
    """
    candidates = found.filter(pl.col("severity").is_in(["error", "warning"]) & (pl.col("rule") != SYSTEMATIC.code))
    if candidates.height < min(thresholds.rows, thresholds.value_rows):
        return found
    counted = candidates.group_by(GROUP).agg(pl.len().alias("n")).join(rows, on=["list", "file"], how="left")
    by_rule = counted.filter((pl.col("n") >= thresholds.rows) & (pl.col("n") >= thresholds.share * pl.col("total")))
    by_value = (candidates.filter(pl.col("value").is_not_null()).join(by_rule.select(GROUP), on=GROUP, how="anti",
                                                                      nulls_equal=True)
                .group_by([*GROUP, "value"]).agg(pl.len().alias("n")).join(rows, on=["list", "file"], how="left")
                .filter((pl.col("n") >= thresholds.value_rows)
                        & (pl.col("n") >= thresholds.value_share * pl.col("total"))))
    if by_rule.height == 0 and by_value.height == 0:
        return found
    members = pl.concat([
        by_rule.select(*GROUP, pl.lit(None, pl.String).alias("value"), pl.lit(True).alias("_whole")),
        by_value.select(*GROUP, "value", pl.lit(False).alias("_whole")),
    ])
    marked = _mark(found, members)
    lowered = marked.with_columns(
        pl.when(pl.col("_systematic")).then(pl.lit("info")).otherwise(pl.col("severity")).alias("severity")
    ).drop("_systematic")
    summaries = _summaries(found, by_rule, by_value, rule_names, lang)
    return findings.concat([lowered, summaries])


def _mark(found: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    """`_systematic`: the finding belongs to a systematic group (its whole rule, or its value)."""
    whole = members.filter(pl.col("_whole")).select(*GROUP, pl.lit(True).alias("_a"))
    valued = members.filter(~pl.col("_whole")).select(*GROUP, "value", pl.lit(True).alias("_b"))
    out = (found.with_row_index("_i")
           .join(whole, on=GROUP, how="left", nulls_equal=True)
           .join(valued, on=[*GROUP, "value"], how="left", nulls_equal=True)
           .sort("_i"))
    serious = pl.col("severity").is_in(["error", "warning"]) & (pl.col("rule") != SYSTEMATIC.code)
    return out.with_columns(((pl.col("_a").fill_null(False) | pl.col("_b").fill_null(False)) & serious)
                            .alias("_systematic")).drop("_i", "_a", "_b")


def _summaries(found: pl.DataFrame, by_rule: pl.DataFrame, by_value: pl.DataFrame, rule_names: dict[str, str],
               lang: str) -> pl.DataFrame:
    """One IMP013 finding per group, on the group's first row's sheet and column."""
    first = (found.sort("file", "sheet", "row", nulls_last=True)
             .group_by(GROUP, maintain_order=True).agg(pl.col("sheet").first(), pl.col("column").first()))
    out = []
    for group in by_rule.join(first, on=GROUP, how="left", nulls_equal=True).iter_rows(named=True):
        common = _top_value(found, group)
        out.append(_finding(group, common, rule_names, lang, whole=True))
    for group in by_value.join(first, on=GROUP, how="left", nulls_equal=True).iter_rows(named=True):
        out.append(_finding(group, (group["value"], group["n"]), rule_names, lang, whole=False))
    return pl.DataFrame(out) if out else findings.empty()


def _top_value(found: pl.DataFrame, group: dict) -> tuple[str, int] | None:
    """The commonest value among a group's findings, when one value makes most of them."""
    rows = found.filter(*(pl.col(k).eq_missing(group[k]) for k in GROUP))
    counts = rows.filter(pl.col("value").is_not_null()).group_by("value").len().sort("len", descending=True)
    if counts.height and counts["len"][0] >= 0.5 * rows.height:
        return counts["value"][0], counts["len"][0]
    return None


def _finding(group: dict, common: tuple[str, int] | None, rule_names: dict[str, str], lang: str, *,
             whole: bool) -> dict:
    zh = lang == "zh"
    n, total = group["n"], group["total"] or 0
    pct = f"{100 * n / total:.0f}%" if total else "?"
    column = group["column"] or ""
    rule, summary = group["rule"], rule_names.get(group["rule"], "")
    where = (f"「{column}」" if column else "") if zh else (f"'{column}'" if column else "")
    if whole:
        head = (f"规则 {rule}（{summary}）在这个文件的 {n} 行（{pct}）上出现" if zh
                else f"rule {rule} ({summary}) fires on {n} rows ({pct}) of this file")
        if common:
            head += (f"，其中 {common[1]} 行{where}是「{common[0]}」" if zh
                     else f"; on {common[1]} of them {where} is '{common[0]}'")
        tail = ("：这么多行同时出错，多半是列对应错了、写法或代码表是本地的、或名单的年份与范围与配置不同，"
                "而不是这么多行都错了。请用 hv import --explain 核对列的对应，核对代码表或配置"
                if zh else ": so many rows at once usually means a column read wrongly, a local spelling or code list, "
                "or a list of another year or scope, not that all these rows are wrong. Check the columns with "
                "hv import --explain, the code list or the configuration")
    else:
        head = (f"{where}{n} 行（{pct}）都是「{common[0]}」，都被规则 {rule}（{summary}）指出" if zh
                else f"{where} is '{common[0]}' on {n} rows ({pct}), all flagged by {rule} ({summary})")
        tail = ("：多半是 hv 不认识这个写法，请核对代码表，或在 --schema-dir 的模式文件、hv.toml 中补充" if zh
                else ": hv most likely does not know this spelling; check the code list, or add it with --schema-dir "
                "or in hv.toml")
    note = "（涉及的各行仍列在明细中，已降为提示）" if zh else " (the rows stay in the detail, lowered to info)"
    return {"rule": SYSTEMATIC.code, "severity": SYSTEMATIC.severity, "category": SYSTEMATIC.category,
            "list": group["list"], "file": group["file"], "sheet": group["sheet"], "row": None,
            "column": column or None, "field": group["field"], "value": common[0] if common else None,
            "message": SYSTEMATIC.message(lang).format(summary=head + tail + note)}
