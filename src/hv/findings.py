"""The findings table: one row per finding, with exactly the keys of design.md §4."""

from __future__ import annotations

import polars as pl

COLUMNS: dict[str, pl.DataType] = {
    "rule": pl.String, "severity": pl.String, "category": pl.String, "list": pl.String,
    "file": pl.String, "sheet": pl.String, "row": pl.Int64, "column": pl.String, "field": pl.String,
    "value": pl.String, "suggestion": pl.String, "message": pl.String, "name": pl.String,
    "id_no": pl.String, "town": pl.String, "village": pl.String, "related_file": pl.String,
    "related_sheet": pl.String, "related_row": pl.Int64, "score": pl.Float64,
}

LABELS = {
    "zh": {
        "rule": "规则", "severity": "级别", "category": "类别", "list": "名单", "file": "文件", "sheet": "工作表",
        "row": "行号", "column": "列名", "field": "字段", "value": "原值", "suggestion": "建议值",
        "message": "问题说明", "name": "姓名", "id_no": "身份证号", "town": "乡镇", "village": "村",
        "related_file": "对照文件", "related_sheet": "对照工作表", "related_row": "对照行号", "score": "匹配度",
    },
    "en": {key: key.replace("_", " ").capitalize() for key in COLUMNS} | {"id_no": "ID number"},
}

# Columns a report carries beside the contract when run history is on (hv.history).
STATUS_LABELS = {"zh": {"status": "整改状态", "first_seen": "首次发现", "last_seen": "最近发现"},
                 "en": {"status": "Status", "first_seen": "First seen", "last_seen": "Last seen"}}

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = {"zh": {"error": "错误", "warning": "警告", "info": "提示"},
                   "en": {"error": "error", "warning": "warning", "info": "info"}}
CATEGORIES = ("import", "id", "person", "household", "coverage", "consistency", "settlement")
CATEGORY_LABELS = {
    "zh": {"import": "导入", "id": "身份证号", "person": "个人信息", "household": "家庭户", "coverage": "覆盖",
           "consistency": "一致性", "settlement": "结算"},
    "en": {c: c for c in CATEGORIES},
}


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=COLUMNS)


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """The contract's columns, in order and with their types; missing ones are null."""
    return frame.select(
        (pl.col(k) if k in frame.columns else pl.lit(None)).cast(dtype).alias(k) for k, dtype in COLUMNS.items()
    )


def concat(frames: list[pl.DataFrame]) -> pl.DataFrame:
    frames = [conform(f) for f in frames if f.height]
    return pl.concat(frames) if frames else empty()


def sort(frame: pl.DataFrame) -> pl.DataFrame:
    """Stable reading order: by file, sheet, row, then severity and rule."""
    rank = pl.col("severity").replace_strict({s: i for i, s in enumerate(SEVERITIES)}, default=9)
    return frame.sort(["file", "sheet", "row", rank, "rule"], nulls_last=True, maintain_order=True)


def fingerprints(frame: pl.DataFrame) -> pl.Series:
    """A key per finding that stays the same across runs when rows move (design.md §4).

    rule | list | person | field, where the person is the normalised ID number (else the name,
    else the file and sheet for a finding about a file); a person with the same finding twice (a
    duplicated ID) gets `#2`, `#3` in reading order.
    """
    person = pl.coalesce(
        pl.col("id_no"), pl.col("name"),
        pl.concat_str([pl.col("file").str.extract(r"([^/\\]+)$"), pl.col("sheet").fill_null("")], separator="!"),
    )
    base = pl.concat_str([pl.col("rule"), pl.col("list").fill_null(""), person.fill_null(""),
                          pl.col("field").fill_null("")], separator="|")
    keyed = frame.select(base.alias("fingerprint"), "file", "sheet", "row").with_row_index("_i")
    repeated = keyed.filter(pl.col("fingerprint").is_duplicated())
    if repeated.height == 0:  # the usual case: no sorting at all
        return keyed["fingerprint"]
    ordinal = pl.int_range(pl.len()).over("fingerprint") + 1
    numbered = repeated.sort("file", "sheet", "row", "_i", nulls_last=True).select(
        "_i", pl.when(ordinal > 1).then(pl.col("fingerprint") + "#" + ordinal.cast(pl.String))
        .otherwise(pl.col("fingerprint")))
    return keyed["fingerprint"].scatter(numbered["_i"], numbered["fingerprint"])
