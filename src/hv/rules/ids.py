"""ID: citizen ID numbers (GB 11643-1999), domain.md §3.1 and §6.1."""

from __future__ import annotations

import polars as pl

from hv import idnumber
from hv.rules.base import Check, Context, rule


@rule("ID006", "id-excel-damaged", "error", "id", at_import=True,
      zh="身份证号 {value} 在 Excel 中被存成了数字，后 3 位已经丢失，无法从本文件恢复",
      en="ID number {value} was stored as a number in Excel; its last 3 digits are lost")
def id_excel_damaged(ctx: Context):
    """身份证号被 Excel 存成了数字，最后几位已丢失。

    Why: Excel 的数字只保留 15 位有效数字。18 位身份证号按数字录入后，后 3 位变成 000（或类似
    …008 的尾数），显示为 4.11521E+17。丢失的数字无法从文件本身恢复，这个人也就无法与其他名单比对。
    Bad: 411521196001011000、4.11521196001011E+17
    Good: 411521196001011232（单元格为“文本”格式）
    Fix: 把该列设为“文本”格式，按身份证原件或户籍系统重新录入完整号码；不要在 Excel 里直接补数字。
    """
    for key in ctx.fields_of_type("id"):
        raw = pl.col(f"{key}_raw").str.to_uppercase().str.strip_chars()
        scientific = raw.str.contains(r"^\d(\.\d+)?E\+?\d+$")
        yield Check(field=key, when=scientific | idnumber.excel_damaged(pl.col(key)))
