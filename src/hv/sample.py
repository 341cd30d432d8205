"""Synthetic bundles: one county's six lists, as messy as real exports, with known defects.

`generate_bundle` writes the poverty roster, insurance, contract, treatment, settlement and
death lists of one county plus `answers.csv`, one row per injected defect with the rule that
should find it. Rows without a defect are clean by every rule of the catalog, so a bundle
measures both what hv finds and what it wrongly finds. The same seed gives the same bundle.

The people are made in `_sample_people`, the lists in `_sample_lists`, the defects (the
DEFECTS table) in `_sample_defects`; this module lays the lists out and writes the files.
"""

from __future__ import annotations

import csv
import gc
import multiprocessing
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from hv._sample_defects import DEFECTS, Answer, inject
from hv._sample_lists import (CONTRACT, CONTRACT_GROUPS, DEATH, INSURANCE, POVERTY, SETTLEMENT, TREATMENT,
                              TREATMENT_TITLE, YEAR, Row, Table, contract_list, death_list, insurance_list,
                              poverty_list, settlement_list, teams, treatment_list)
from hv._sample_names import TOWNS
from hv._sample_people import COUNTY, REF_DATE, populate
from hv.xlsx_stream import Sheet, write_xlsx
from hv.layout import column_letter

__all__ = ["DEFECTS", "BundleInfo", "generate_bundle"]

ANSWER_COLUMNS = ["file", "sheet", "row", "category", "field", "kind", "rule", "related_file", "related_sheet",
                  "related_row"]
CSV_ENCODING = {INSURANCE: "gb18030", SETTLEMENT: "utf-8-sig"}  # a GBK-era export and an Excel-friendly one
PARALLEL_FROM = 50_000  # people; below this, starting processes costs more than it saves


@dataclass(frozen=True)
class BundleInfo:
    files: list[Path]
    answers: Path
    people: int
    defects: int


def generate_bundle(out_dir: Path, people: int = 2000, seed: int = 1) -> BundleInfo:
    """Write a bundle of `people` poor people into `out_dir`; deterministic for a seed."""
    collecting = gc.isenabled()
    gc.disable()  # millions of long-lived rows: the cycle collector would rescan them again and again
    try:
        return _generate(Path(out_dir), people, seed)
    finally:
        if collecting:
            gc.enable()


def _generate(out_dir: Path, people: int, seed: int) -> BundleInfo:
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    county = populate(rng, people)
    village_teams = teams(rng, county)
    tables = {
        POVERTY: poverty_list(county),
        INSURANCE: insurance_list(county),
        CONTRACT: contract_list(rng, county, village_teams),
        TREATMENT: treatment_list(rng, county),
        SETTLEMENT: settlement_list(rng, county),
        DEATH: death_list(rng, county),
    }
    answers = inject(rng, county, tables, village_teams)
    jobs = [(table, out_dir / table.file, place(table)) for table in tables.values()]
    _write_all(jobs, parallel=people >= PARALLEL_FROM)
    answers_path = out_dir / "answers.csv"
    _write_answers(answers_path, answers)
    _write_config(out_dir / "hv.toml", [t.file for t in tables.values()])
    return BundleInfo(files=[path for _, path, _ in jobs], answers=answers_path, people=people, defects=len(answers))


# --- layout: which sheet and Excel row each record lands on ------------------------------------


def _number(rows: list[Row], table: Table, sheet: str, first: int) -> None:
    seq = table.col.get("seq")
    for i, row in enumerate(rows):
        row.sheet, row.number = sheet, first + i
        if seq is not None:
            row[seq] = i + 1


EXCEL_ROWS = 1_048_576
TOP_ROWS = {POVERTY: 3, CONTRACT: 2, TREATMENT: 2, DEATH: 1}  # rows above the data
SHEET_NAMES = {CONTRACT: "签约名单", TREATMENT: "救治台账", DEATH: "死亡人员"}


def place(table: Table) -> list[Sheet] | None:
    """Sort the rows, give each its sheet and row number, and return the sheets to write
    (None for a CSV list: header on line 1, data from line 2)."""
    rows = table.rows = sorted(table.rows, key=lambda r: r.order)
    if table.kind in CSV_ENCODING:
        _number(rows, table, "", 2)
        return None
    if table.kind == POVERTY:  # one sheet per township, as the townships send them in
        by_town: dict[str, list[Row]] = {}
        for row in rows:
            by_town.setdefault(table.get(row, "town"), []).append(row)
        groups = [(town, by_town[town]) for town in TOWNS if town in by_town]
    else:
        groups = [(SHEET_NAMES[table.kind], rows)]
    room = EXCEL_ROWS - TOP_ROWS[table.kind] - 1  # one spare for the roster's 合计 line
    sheets = []
    for name, group in groups:
        for i in range(0, max(len(group), 1), room):  # a longer list goes on 名单2, 名单3 … as exports do
            sheet = name if i == 0 else f"{name}{i // room + 1}"
            chunk = group[i:i + room]
            _number(chunk, table, sheet, TOP_ROWS[table.kind] + 1)
            sheets.append(_SHEET_LAYOUT[table.kind](table, sheet, chunk))
    return sheets


def _poverty_sheet(table: Table, town: str, rows: list[Row]) -> Sheet:
    """Title, 填报单位 line, header, members, and a 合计 line a clerk adds at the bottom."""
    last = column_letter(len(table.columns) - 1)
    title = f"{COUNTY}{YEAR}年建档立卡贫困人口花名册（{town}）"
    unit = f"填报单位（盖章）：{town}人民政府　　　　填报日期：{REF_DATE.year}年{REF_DATE.month}月{REF_DATE.day}日"
    total = [f"合计：{len(rows)}人"]
    return Sheet(town, [[title], [unit], table.headers, *rows, total],
                 merges=[f"A1:{last}1", f"A2:{last}2", f"A{len(rows) + 4}:B{len(rows) + 4}"],
                 widths={table.col["name"]: 10, table.col["id_no"]: 21, table.col["household_no"]: 19})


def _contract_sheet(table: Table, name: str, rows: list[Row]) -> Sheet:
    return Sheet(name, [*_contract_header(table), *rows], merges=_contract_merges(table))


def _treatment_sheet(table: Table, name: str, rows: list[Row]) -> Sheet:
    last = column_letter(len(table.columns) - 1)
    return Sheet(name, [[TREATMENT_TITLE], table.headers, *rows], merges=[f"A1:{last}1"])


def _death_sheet(table: Table, name: str, rows: list[Row]) -> Sheet:
    return Sheet(name, [table.headers, *rows])


_SHEET_LAYOUT = {POVERTY: _poverty_sheet, CONTRACT: _contract_sheet, TREATMENT: _treatment_sheet, DEATH: _death_sheet}


def _contract_header(table: Table) -> list[list[str]]:
    """Two header rows: a group label over its columns, other labels merged down both rows."""
    upper, lower = [], []
    spans = _group_spans(table)
    for i, header in enumerate(table.headers):
        group = next((g for g, (a, b) in spans.items() if a <= i <= b), None)
        upper.append(group if group and spans[group][0] == i else (header if not group else ""))
        lower.append(header if group else "")
    return [upper, lower]


def _group_spans(table: Table) -> dict[str, tuple[int, int]]:
    return {group: (table.col[a], table.col[b]) for group, (a, b) in CONTRACT_GROUPS.items()}


def _contract_merges(table: Table) -> list[str]:
    spans = _group_spans(table)
    grouped = {i for a, b in spans.values() for i in range(a, b + 1)}
    merges = [f"{column_letter(a)}1:{column_letter(b)}1" for a, b in spans.values()]
    return merges + [f"{column_letter(i)}1:{column_letter(i)}2" for i in range(len(table.columns)) if i not in grouped]


# --- writing --------------------------------------------------------------------------------------


def _csv_cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write_csv(table: Table, path: Path) -> None:
    with path.open("w", encoding=CSV_ENCODING[table.kind], newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(table.headers)
        writer.writerows([_csv_cell(v) for v in row] for row in table.rows)


def _write_one(job: tuple[Table, Path, list[Sheet] | None]) -> None:
    table, path, sheets = job
    if sheets is None:
        _write_csv(table, path)
    else:
        write_xlsx(path, sheets)


_PENDING: list = []  # the jobs a forked writer process inherits (too big to pickle)


def _write_pending(index: int) -> None:
    _write_one(_PENDING[index])


def _write_all(jobs: list, parallel: bool) -> None:
    """Largest file first; with `parallel`, two forked processes share the files."""
    jobs = sorted(jobs, key=lambda job: -len(job[0].rows) * len(job[0].columns))
    if not parallel or "fork" not in multiprocessing.get_all_start_methods():
        for job in jobs:
            _write_one(job)
        return
    _PENDING[:] = jobs
    try:
        with multiprocessing.get_context("fork").Pool(2) as pool:
            pool.map(_write_pending, range(len(jobs)), chunksize=1)
    finally:
        _PENDING.clear()


def _write_answers(path: Path, answers: list[Answer]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(ANSWER_COLUMNS)
        for a in sorted(answers, key=lambda a: (a.table.file, a.row.sheet, a.row.number, a.kind)):
            defect = DEFECTS[a.kind]
            related = ["", "", ""] if a.related is None else [a.related_table.file, a.related.sheet, a.related.number]
            writer.writerow([a.table.file, a.row.sheet, a.row.number, defect.category, a.field_key, a.kind,
                             defect.rule, *related])


# The policy the answers assume.
BUNDLE_POLICY = {"ref_date": f'"{REF_DATE.isoformat()}"', "self_pay_cap": "5000", "waiver_required": "true",
                 "serious_deductible": "3000"}


def _write_config(path: Path, files: list[str]) -> None:
    """hv.toml beside the lists: `hv check` run in the bundle checks it as the answers assume."""
    policy = "\n".join(f"{key} = {value}" for key, value in BUNDLE_POLICY.items())
    lists = ", ".join(f'"{f}"' for f in files)
    path.write_text(f"lists = [{lists}]\n\n[policy]\n{policy}\n", encoding="utf-8")
