"""`hv diff`: two hand-built versions of one roster, their people and their findings compared."""

from __future__ import annotations

import polars as pl
from tests.conftest import LI, WANG, WANG_WRONG_SEX, ZHANG, ZHAO, ZHAO_BAD_ID, ROSTER_HEADER, write_csv, write_xlsx

from hv.api import check
from hv.diff import diff_rosters, diff_versions, findings_diff
from hv.importer import import_files

LI_MOVED = ["4115210010012345", "李四", "女", "110111198001011227", "配偶", "城关镇", "西村"]
SUN_BAD_ID = ["4115210010012348", "孙八", "男", "411521197003051233", "户主", "石桥镇", "北村"]  # ID001, leaves
ZHOU_WRONG_SEX = ["4115210010012349", "周九", "男", "411521198507162344", "户主", "石桥镇", "北村"]  # PF001, stays
QIAN_WRONG_SEX = ["4115210010012350", "钱七", "女", "110111198001011235", "户主", "石桥镇", "北村"]  # PF001, arrives


def test_two_versions_count_corrected_departed_open_and_new_findings(tmp_path):
    old = check([write_xlsx(tmp_path / "花名册2020-10.xlsx", {"城关镇": [
        ROSTER_HEADER, ZHANG, LI, WANG_WRONG_SEX, ZHAO_BAD_ID, SUN_BAD_ID, ZHOU_WRONG_SEX]})])
    # rows reordered; 赵六's ID and 王五's sex corrected; 孙八 left, 钱七 arrived; 李四 moved village
    # without the rest of her household (HH006)
    new = check([write_xlsx(tmp_path / "花名册2020-11.xlsx", {"城关镇": [
        ROSTER_HEADER, ZHOU_WRONG_SEX, ZHAO, QIAN_WRONG_SEX, WANG, LI_MOVED, ZHANG]})])
    assert sorted(old.findings["rule"]) == ["ID001", "ID001", "PF001", "PF001"]

    diff = diff_versions(old, new)
    roster = diff.rosters["poverty"]
    assert roster.counts() == {"added": 1, "removed": 1, "changed_people": 3, "changed_fields": 3}
    assert roster.added["name"].to_list() == ["钱七"] and roster.removed["name"].to_list() == ["孙八"]
    assert roster.changes.select("name", "field", "old_value", "new_value", "row", "old_row").rows() == [
        ("赵六", "id_no", "411521196001021233", "411521196001021238", 3, 5),
        ("王五", "sex", "男", "女", 5, 4),
        ("李四", "village", "东村", "西村", 6, 3),
    ]
    assert roster.matched.filter(pl.col("matched_by") == "link").height == 1  # 赵六, through the linker
    assert roster.id_changes().rows() == [("411521196001021233", "411521196001021238")]

    found = diff.findings
    assert found.counts() == {"corrected": 2, "departed": 1, "still_open": 1, "introduced": 2}
    assert sorted(found.corrected.select("rule", "name").rows()) == [("ID001", "赵六"), ("PF001", "王五")]
    assert found.departed.select("rule", "name").rows() == [("ID001", "孙八")]
    assert found.still_open.select("rule", "name").rows() == [("PF001", "周九")]
    assert sorted(found.introduced.select("rule", "name").rows()) == [("HH006", "张三"), ("PF001", "钱七")]
    assert found.corrected_by_town().rows() == [("城关镇", "PF001", 1), ("石桥镇", "ID001", 1)]


def test_a_corrected_id_keeps_the_persons_other_findings(tmp_path):
    """赵's ID is corrected, his one-character name is not: that finding is still open, not new."""
    zhao_bad_id = ["4115210010012347", "赵", "男", "411521196001021233", "户主", "石桥镇", "南村"]
    zhao = ["4115210010012347", "赵", "男", "411521196001021238", "户主", "石桥镇", "南村"]
    old = check([write_xlsx(tmp_path / "old.xlsx", {"城关镇": [ROSTER_HEADER, ZHANG, LI, zhao_bad_id]})])
    new = check([write_xlsx(tmp_path / "new.xlsx", {"城关镇": [ROSTER_HEADER, zhao, LI, ZHANG]})])
    assert sorted(old.findings["rule"]) == ["ID001", "PF006"]
    found = diff_versions(old, new).findings
    assert found.counts() == {"corrected": 1, "departed": 0, "still_open": 1, "introduced": 0}
    assert found.corrected["rule"].to_list() == ["ID001"] and found.still_open["rule"].to_list() == ["PF006"]
    without_ids = findings_diff(old.findings, new.findings)  # without the rosters PF006 looks corrected and new
    assert without_ids.counts() == {"corrected": 2, "departed": 0, "still_open": 0, "introduced": 1}


def test_reordering_and_reformatting_change_nothing(tmp_path):
    old = import_files([write_xlsx(tmp_path / "old.xlsx", {"城关镇": [ROSTER_HEADER, ZHANG, LI, WANG]})])
    reformatted = [ZHANG[0], " 张三 ", "男 ", "4115 2119 6001 0112 32", *ZHANG[4:]]
    new = import_files([write_csv(tmp_path / "new.csv", [ROSTER_HEADER, WANG, reformatted, LI])])
    diff = diff_rosters(old.tables["poverty"], new.tables["poverty"])
    assert diff.counts() == {"added": 0, "removed": 0, "changed_people": 0, "changed_fields": 0}
    assert diff.matched.sort("old_index").select("old_index", "new_index").rows() == [(0, 1), (1, 2), (2, 0)]


def test_a_duplicated_id_pairs_its_rows_in_reading_order(tmp_path):
    twice = [ZHANG[0], "张叁", *ZHANG[2:]]
    old = import_files([write_xlsx(tmp_path / "old.xlsx", {"城关镇": [ROSTER_HEADER, ZHANG, twice, LI]})])
    new = import_files([write_xlsx(tmp_path / "new.xlsx", {"城关镇": [ROSTER_HEADER, LI, ZHANG]})])
    diff = diff_rosters(old.tables["poverty"], new.tables["poverty"])
    assert diff.counts() == {"added": 0, "removed": 1, "changed_people": 0, "changed_fields": 0}
    assert diff.removed.select("name", "row").rows() == [("张叁", 3)]


def test_a_renamed_file_keeps_its_file_level_findings(tmp_path):
    old = check([write_csv(tmp_path / "花名册2020-10.csv", [ROSTER_HEADER, ZHANG, LI])])
    new = check([write_csv(tmp_path / "花名册2020-11.csv", [ROSTER_HEADER, LI, ZHANG])])
    assert old.findings.select("rule", "id_no", "name").rows() == [("IMP006", None, None)]  # about the file
    assert diff_versions(old, new).findings.counts() == {"corrected": 0, "departed": 0, "still_open": 1,
                                                         "introduced": 0}
    assert findings_diff(old.findings, new.findings).counts() == {"corrected": 1, "departed": 0, "still_open": 0,
                                                                 "introduced": 1}
