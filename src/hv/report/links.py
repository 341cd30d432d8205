"""The links table of `hv match` (design.md §4) as xlsx, csv or json."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from hv.errors import InputError
from hv.output import atomic_write

OUTCOME_LABELS = {"zh": {"link": "确认", "possible": "待核实", "none": "无匹配"}}
LABELS_ZH = {"left_file": "文件1", "left_sheet": "工作表1", "left_row": "行号1", "right_file": "文件2",
             "right_sheet": "工作表2", "right_row": "行号2", "left_name": "姓名1", "right_name": "姓名2",
             "left_id_no": "身份证号1", "right_id_no": "身份证号2", "score": "匹配度", "outcome": "结果",
             "evidence": "理由"}


def write_links(table: pl.DataFrame, path: Path, lang: str) -> None:
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        atomic_write(path, lambda tmp: table.write_csv(tmp, include_bom=True))
    elif suffix == ".json":
        atomic_write(path, lambda tmp: table.write_json(tmp))
    elif suffix == ".xlsx":
        people = table
        if lang == "zh":
            people = table.with_columns(pl.col("outcome").replace(OUTCOME_LABELS["zh"])).rename(LABELS_ZH)
        atomic_write(path, lambda tmp: people.write_excel(tmp, worksheet="匹配结果" if lang == "zh" else "links",
                                                          autofit=True, freeze_panes=(1, 0)))
    else:
        raise InputError(f"不支持的格式 {suffix}，可用 .xlsx、.csv、.json", f"unsupported format {suffix}; use .xlsx, "
                         ".csv or .json", file=path)
