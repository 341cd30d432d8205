"""hv.sample: a bundle is deterministic, readable by hv, clean where the answers say nothing, and
each answer points at a row that really carries its defect."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from hv.importer import import_files
from hv import sample
from hv.sample import DEFECTS, generate_bundle

ANSWER_COLUMNS = ["file", "sheet", "row", "category", "field", "kind", "rule", "related_file", "related_sheet",
                  "related_row"]
ROSTER, INSURANCE, CONTRACT = "建档立卡贫困人口花名册.xlsx", "医保参保名单.csv", "家庭医生签约名单.xlsx"
TREATMENT, SETTLEMENT, DEATH = "大病专项救治台账.xlsx", "住院结算明细.csv", "死亡人员名单.xlsx"
HEADER_ROWS = {ROSTER: 3, CONTRACT: 2, TREATMENT: 2, DEATH: 1}  # the last header row of each workbook
ID_HEADERS = ("证件号码", "身份证号")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
PAYMENTS = ("基本医疗保险统筹基金支出", "居民大病保险资金支出", "医疗救助基金支出", "精准扶贫报销支付金额", "个人负担总金额")


def gb11643_valid(number) -> bool:
    """ISO 7064 MOD 11-2, written out here so the test does not trust hv.idnumber."""
    if not isinstance(number, str) or len(number) != 18 or not number[:17].isdigit():
        return False
    return "10X98765432"[sum(int(d) * w for d, w in zip(number, WEIGHTS)) % 11] == number[17]


def read_records(path: Path) -> dict[tuple[str, int], dict]:
    """(sheet, Excel row or CSV line) -> {header: cell} for every data row of a list."""
    if path.suffix == ".csv":
        encoding = "gb18030" if path.name == INSURANCE else "utf-8-sig"
        with path.open(encoding=encoding, newline="") as fh:
            rows = list(csv.reader(fh))
        return {("", line): dict(zip(rows[0], cells)) for line, cells in enumerate(rows[1:], start=2)}
    book = openpyxl.load_workbook(path, read_only=True)
    last_header = HEADER_ROWS[path.name]
    out = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        headers = [lower or upper for upper, lower in zip(rows[last_header - 2], rows[last_header - 1])] \
            if last_header == 2 and path.name == CONTRACT else rows[last_header - 1]
        for number, cells in enumerate(rows[last_header:], start=last_header + 1):
            if cells[0] is not None and not str(cells[0]).startswith("合计"):
                out[(sheet.title, number)] = dict(zip(headers, cells))
    return out


def read_answers(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """The size of the committed sample: every kind occurs at least three times."""
    info = generate_bundle(tmp_path_factory.mktemp("bundle"), people=2000, seed=1)
    records = {path.name: read_records(path) for path in info.files}
    return info, records, read_answers(info.answers)


def record_of(records, answer: dict, side: str = "") -> dict:
    return records[answer[f"{side}file"]][(answer[f"{side}sheet"], int(answer[f"{side}row"]))]


def answers_of(answers: list[dict], kind: str) -> list[dict]:
    found = [a for a in answers if a["kind"] == kind]
    assert found, kind
    return found


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return generate_bundle(tmp_path_factory.mktemp("small"), people=300, seed=7)


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(small, tmp_path):
    again = generate_bundle(tmp_path / "again", people=300, seed=7)
    other = generate_bundle(tmp_path / "other", people=300, seed=8)
    names = sorted(p.name for p in small.answers.parent.iterdir())
    assert names == sorted(p.name for p in again.answers.parent.iterdir())
    for name in names:
        assert (small.answers.parent / name).read_bytes() == (again.answers.parent / name).read_bytes(), name
    assert small.answers.read_bytes() != other.answers.read_bytes()
    assert (small.people, small.defects) == (again.people, again.defects)


def test_all_six_lists_are_written_and_hv_reads_each_as_its_kind(small):
    assert [p.name for p in small.files] == [ROSTER, INSURANCE, CONTRACT, TREATMENT, SETTLEMENT, DEATH]
    imported = import_files(small.files)
    assert set(imported.tables) == {"poverty", "insurance", "contract", "treatment", "settlement", "death"}
    assert imported.tables["poverty"].height == len(read_records(small.answers.parent / ROSTER))
    assert len(imported.tables["poverty"]["sheet"].unique()) > 10  # one sheet per township


def test_csv_encodings_are_the_ones_real_exports_use(bundle):
    info, _, _ = bundle
    gbk = (info.answers.parent / INSURANCE).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    assert gbk.decode("gb18030").startswith("姓名,身份证号")
    assert (info.answers.parent / SETTLEMENT).read_bytes().startswith(b"\xef\xbb\xbf")


def test_contract_list_has_a_two_row_merged_header(bundle):
    info, _, _ = bundle
    sheet = openpyxl.load_workbook(info.answers.parent / CONTRACT).active
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"B1:B2", "C1:C2"} <= merged
    assert sheet["D1"].value == "签约信息" and sheet["D2"].value == "签约日期"


def test_answers_have_the_agreed_columns_and_point_at_data_rows(bundle):
    info, records, answers = bundle
    with info.answers.open(encoding="utf-8-sig") as fh:
        assert next(csv.reader(fh)) == ANSWER_COLUMNS
    assert len(answers) == info.defects
    for a in answers:
        assert DEFECTS[a["kind"]].rule == a["rule"]
        assert (a["sheet"], int(a["row"])) in records[a["file"]], a
        if a["related_file"]:
            assert (a["related_sheet"], int(a["related_row"])) in records[a["related_file"]], a
    places = Counter((a["file"], a["sheet"], a["row"]) for a in answers)
    assert places.most_common(1)[0][1] == 1  # a row carries at most one defect


def test_every_kind_occurs_at_least_three_times(bundle):
    _, _, answers = bundle
    counts = Counter(a["kind"] for a in answers)
    assert {kind for kind in DEFECTS if counts[kind] < 3} == set()


def test_ids_without_a_defect_are_valid_and_unique_in_the_roster(bundle):
    _, records, answers = bundle
    spoiled = {(a["file"], a["sheet"], int(a["row"])) for a in answers}
    roster_ids = Counter()
    for file, rows in records.items():
        for (sheet, row), cells in rows.items():
            number = next(cells[h] for h in ID_HEADERS if h in cells)
            if (file, sheet, row) not in spoiled:
                assert gb11643_valid(number), (file, sheet, row, number)
                if file == ROSTER:
                    roster_ids[number] += 1
    assert roster_ids.most_common(1)[0][1] == 1


def test_clean_settlements_add_up_and_reach_ninety_percent(bundle):
    _, records, answers = bundle
    spoiled = {("", int(a["row"])) for a in answers if a["file"] == SETTLEMENT}
    for place, cells in records[SETTLEMENT].items():
        if place in spoiled:
            continue
        total, self_pay = float(cells["医疗费总额"]), float(cells["个人负担总金额"])
        assert abs(total - sum(float(cells[p]) for p in PAYMENTS)) < 0.005, place
        ratio = (total - self_pay) / total
        assert ratio >= 0.9
        assert abs(ratio * 100 - float(cells["实际报销比例"].rstrip("%"))) <= 0.051
        assert float(cells["预交金"]) == 0 and float(cells["减免金额"]) > 0


def test_answer_rows_carry_their_defects(bundle):
    _, records, answers = bundle
    for a in answers_of(answers, "id_checksum"):
        number = record_of(records, a)["证件号码"]
        assert len(number) == 18 and not gb11643_valid(number)
    for a in answers_of(answers, "id_excel_damaged"):
        assert isinstance(record_of(records, a)["证件号码"], float)
    for a in answers_of(answers, "money_not_adding_up"):
        cells = record_of(records, a)
        assert abs(float(cells["医疗费总额"]) - sum(float(cells[p]) for p in PAYMENTS)) > 1
    for a in answers_of(answers, "ratio_below_floor"):
        cells = record_of(records, a)
        assert float(cells["个人负担总金额"]) / float(cells["医疗费总额"]) > 0.1
    for a in answers_of(answers, "name_homophone"):
        typed, roster = record_of(records, a)["姓名"], record_of(records, a, "related_")["姓名"]
        assert typed != roster and len(typed) == len(roster)
    insured = {cells["身份证号"] for cells in records[INSURANCE].values()}
    for a in answers_of(answers, "not_insured"):
        assert record_of(records, a)["证件号码"] not in insured


def test_household_answers_sit_on_households_that_are_wrong(bundle):
    _, records, answers = bundle
    members = Counter(cells["户编号"] for cells in records[ROSTER].values())
    for a in answers_of(answers, "household_size_wrong"):
        cells = record_of(records, a)
        assert cells["与户主关系"] == "户主" and int(cells["人数"]) != members[cells["户编号"]]
    for a in answers_of(answers, "household_two_heads"):
        cells = record_of(records, a)
        heads = [c for c in records[ROSTER].values() if c["户编号"] == cells["户编号"] and c["与户主关系"] == "户主"]
        assert len(heads) == 2


def test_a_list_longer_than_a_sheet_continues_on_the_next_sheet(tmp_path, monkeypatch):
    monkeypatch.setattr(sample, "EXCEL_ROWS", 150)
    info = generate_bundle(tmp_path, people=300, seed=7)
    book = openpyxl.load_workbook(tmp_path / CONTRACT, read_only=True)
    assert book.sheetnames == ["签约名单", "签约名单2", "签约名单3"]
    assert max(sheet.max_row for sheet in book.worksheets) <= 150
    records = read_records(tmp_path / CONTRACT)
    for a in read_answers(info.answers):
        if a["file"] == CONTRACT:
            assert (a["sheet"], int(a["row"])) in records
