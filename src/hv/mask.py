"""Masking personal data in outputs (`--mask`): the middle of ID numbers and of names."""

from __future__ import annotations

import polars as pl

_ID_IN_TEXT = r"(\d{6})\d{8}(\d{3}[\dXx])"
NAME_FIELDS = ("name", "head_name", "doctor")


def mask_id(expr: pl.Expr) -> pl.Expr:
    """411521196001011232 -> 411521********1232, wherever an ID stands in the text."""
    return expr.str.replace_all(_ID_IN_TEXT, "${1}********${2}")


def mask_name(expr: pl.Expr) -> pl.Expr:
    """张三 -> 张*, 王小明 -> 王*明, 阿依古丽·买买提 -> 阿*提."""
    n = expr.str.len_chars()
    tail = pl.when(n <= 2).then(pl.lit("*")).otherwise(pl.lit("*") + expr.str.slice(-1, 1))
    return pl.when(n >= 2).then(expr.str.slice(0, 1) + tail).otherwise(expr)


def mask_findings(found: pl.DataFrame) -> pl.DataFrame:
    """Every column of the findings table that can carry an ID number or a name."""
    is_name = pl.col("field").is_in(NAME_FIELDS)
    own_name = pl.col("name").fill_null("\x00")  # a name quoted in the message is masked too
    return found.with_columns(
        mask_name(pl.col("name")).alias("name"),
        mask_id(pl.col("id_no")).alias("id_no"),
        *(pl.when(is_name).then(mask_name(pl.col(c))).otherwise(mask_id(pl.col(c))).alias(c)
          for c in ("value", "suggestion")),
        mask_id(pl.col("message").str.split(own_name).list.join(mask_name(own_name))).alias("message"),
    )
