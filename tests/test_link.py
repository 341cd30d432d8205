"""The linker's decisions on hand-made pairs: who is the same person across two lists, and why."""

from datetime import date

import polars as pl
import pytest

from hv import clean, idnumber
from hv.config import LinkConfig
from hv.keys import person_keys
from hv.link import link, links_table


def with_check(first17: str) -> str:
    """A valid ID: the 17 digits and their check character."""
    return first17 + pl.select(idnumber.check_char(pl.lit(first17))).item()


def typo(id_no: str, position: int) -> str:
    """The ID with the digit at 1-based `position` changed: its check digit no longer fits."""
    digit = str((int(id_no[position - 1]) + 3) % 10)
    return id_no[:position - 1] + digit + id_no[position:]


WANG = with_check("41152119600101123")      # 王晓明, born 1960-01-01, male (3 is odd)
TWIN = with_check("41152119600101125")      # 王晓亮, his twin brother: sequence number + 2
ZHANG = with_check("11010519491231002")
LIU = with_check("36042619910101007")
STRANGER = with_check("41152119600101127")  # another man born the same day in the same county


def canonical(*people: dict, file: str = "list.xlsx") -> pl.DataFrame:
    """A table as `hv import` makes it: provenance, cleaned name, name_key."""
    columns = {"id_no": pl.String, "name": pl.String, "birth_date": pl.Date, "sex": pl.String, "village": pl.String}
    frame = pl.DataFrame([{c: p.get(c) for c in columns} for p in people], schema=columns)
    return frame.with_columns(
        file=pl.lit(file), sheet=pl.lit("Sheet1"), row=pl.int_range(pl.len(), dtype=pl.Int64) + 2,
        name_key=clean.name_key(pl.col("name")),
    )


def person(name: str, id_no: str | None = None, **other) -> dict:
    return {"name": name, "id_no": id_no, **other}


def pairs(left: list[dict], right: list[dict], **options) -> list[dict]:
    return link(canonical(*left), canonical(*right), **options).to_dicts()


def only_pair(left: list[dict], right: list[dict]) -> dict:
    found = pairs(left, right)
    assert len(found) == 1, found
    return found[0]


def test_same_id_and_name_is_a_link():
    pair = only_pair([person("王晓明", WANG)], [person("王晓明", WANG)])
    assert (pair["outcome"], pair["score"], pair["id_relation"], pair["name_relation"]) == ("link", 1.0, "same", "same")
    assert pair["evidence_zh"] == "身份证号相同，姓名相同"
    assert pair["evidence_en"] == "same ID number; same name"


def test_homophone_name_with_the_same_id_is_a_link():
    pair = only_pair([person("王晓明", WANG)], [person("王小明", WANG)])
    assert (pair["outcome"], pair["name_relation"]) == ("link", "homophone")
    assert pair["evidence_zh"] == "身份证号相同，姓名同音：王晓明/王小明"


def test_the_same_valid_id_is_one_person_whatever_the_name():
    # a typo or a brother's name over the number: the number decides, CS001 reports the two spellings
    pair = only_pair([person("王晓明", WANG)], [person("王晓亮", WANG)])
    assert (pair["outcome"], pair["name_relation"]) == ("link", "similar")
    other = only_pair([person("王晓明", WANG)], [person("李建国", WANG)])
    assert (other["outcome"], other["name_relation"]) == ("link", "different")


def test_a_row_without_an_id_links_on_name_birth_and_village_when_only_one_person_fits():
    left = [person("王晓明", WANG, village="东村"), person("李四", LIU, village="东村")]
    right = [person("王小明", birth_date=date(1960, 1, 1), village="东村")]  # no ID; a homophone
    pair = only_pair(left, right)
    assert (pair["left_index"], pair["outcome"], pair["id_relation"]) == (0, "link", "missing")


def test_a_row_without_an_id_stays_possible_when_two_people_fit_it():
    left = [person("王晓明", WANG, village="东村"), person("王晓明", STRANGER, village="东村")]
    right = [person("王晓明", birth_date=date(1960, 1, 1), village="东村")]
    assert all(p["outcome"] == "possible" for p in pairs(left, right))


def test_traditional_characters_and_middle_dots_are_the_same_name():
    pair = only_pair([person("张三", ZHANG)], [person("張三", ZHANG)])
    assert (pair["outcome"], pair["score"], pair["name_relation"]) == ("link", 1.0, "traditional")
    dots = only_pair([person("阿依古丽·买买提", LIU)], [person("阿依古丽买买提", LIU)])
    assert (dots["outcome"], dots["name_relation"]) == ("link", "same")


def test_transposed_digits_link_to_the_valid_id():
    swapped = WANG[:8] + WANG[9] + WANG[8] + WANG[10:]  # positions 9 and 10: 6 and 0
    pair = only_pair([person("王晓明", WANG)], [person("王晓明", swapped)])
    assert (pair["outcome"], pair["id_relation"], pair["valid_side"]) == ("link", "transposition", "left")
    assert pair["evidence_zh"].startswith("身份证号前后两位颠倒（第9、10位；左表号码有效")


@pytest.mark.parametrize("typo_on, valid_side", [("right", "left"), ("left", "right")])
def test_one_substituted_digit_links_and_names_the_valid_side(typo_on, valid_side):
    good, bad = person("王晓明", WANG), person("王晓明", typo(WANG, 15))
    left, right = ([good], [bad]) if typo_on == "right" else ([bad], [good])
    pair = only_pair(left, right)
    assert (pair["outcome"], pair["id_relation"], pair["valid_side"]) == ("link", "one_digit", valid_side)
    assert "第15位" in pair["evidence_zh"] and f"the {valid_side} one is valid" in pair["evidence_en"]


def test_excel_damaged_id_links_on_its_first_15_digits_and_the_name():
    pair = only_pair([person("王晓明", WANG)], [person("王晓明", WANG[:15] + "000", sex="男")])
    assert (pair["outcome"], pair["id_relation"]) == ("link", "excel_damaged")
    assert pair["evidence_zh"].startswith("身份证号后3位被Excel截断，前15位相同")


TWINS = [person("王晓明", WANG, village="王湾村"), person("王晓亮", TWIN, village="王湾村")]


def test_twins_each_link_to_their_own_record():
    found = pairs(TWINS, list(reversed(TWINS)))
    assert [(p["left_index"], p["right_index"], p["outcome"]) for p in found] == [(0, 1, "link"), (1, 0, "link")]


def test_a_twin_is_never_linked_to_the_other_twin():
    assert pairs(TWINS[:1], TWINS[1:]) == []
    # an Excel-damaged ID keeps only the 15 digits the twins share: the names tell them apart
    damaged = person("王晓亮", TWIN[:15] + "000", village="王湾村")
    assert [(p["left_index"], p["outcome"]) for p in pairs(TWINS, [damaged])] == [(1, "link")]
    alone = pairs(TWINS[:1], [damaged])
    assert all(p["outcome"] != "link" for p in alone)


def test_a_twin_typed_with_the_siblings_id_is_not_linked_to_the_sibling():
    sibling_id = person("王晓亮", WANG, village="王湾村")
    found = pairs(TWINS, [TWINS[0], sibling_id])
    assert [(p["left_index"], p["right_index"], p["outcome"]) for p in found] == [(0, 0, "link"), (1, 1, "possible")]
    # with his own record absent the number decides, and CS001 reports the two names on it
    assert pairs(TWINS[:1], [sibling_id])[0]["outcome"] == "link"


def test_same_name_and_birth_with_another_valid_id_is_at_most_possible():
    born = {"birth_date": date(1960, 1, 1), "sex": "男", "village": "王湾村"}
    pair = only_pair([person("王晓明", WANG, **born)], [person("王晓明", STRANGER, **born)])
    assert (pair["outcome"], pair["id_relation"], pair["valid_side"]) == ("possible", "different", "both")
    assert pair["score"] < LinkConfig().link


def test_without_an_id_name_birth_sex_and_village_decide():
    born = {"birth_date": date(1960, 1, 1), "sex": "男"}
    same_village = only_pair([person("王晓明", WANG, village="王湾村")], [person("王晓明", **born, village="王湾")])
    assert (same_village["outcome"], same_village["id_relation"]) == ("link", "missing")
    elsewhere = only_pair([person("王晓明", WANG)], [person("王晓明", **born)])
    assert elsewhere["outcome"] == "possible"
    assert pairs([person("王晓明", WANG)], [person("王晓明", birth_date=date(1961, 1, 1))]) == []


def test_one_to_one_gives_a_contested_row_to_the_better_candidate():
    right = [person("王晓明", WANG)]
    found = pairs([person("王晓明", typo(WANG, 12)), person("王晓明", WANG)], right)
    assert [(p["left_index"], p["right_index"]) for p in found] == [(1, 0)]


def test_a_duplicate_inside_one_list_is_linked_once():
    found = pairs([person("王晓明", WANG), person("王晓明", WANG), person("张三", ZHANG)],
                  [person("张三", ZHANG), person("王晓明", WANG)])
    assert [(p["left_index"], p["right_index"]) for p in found] == [(0, 1), (2, 0)]


def test_an_event_list_links_every_event_to_its_person():
    settlements = [person("王晓明", WANG), person("王小明", WANG), person("王晓明", typo(WANG, 7))]
    found = pairs([person("张三", ZHANG), person("王晓明", WANG)], settlements, one_to_one=False)
    assert [(p["left_index"], p["right_index"], p["outcome"]) for p in found] == [
        (1, 0, "link"), (1, 1, "link"), (1, 2, "link")]
    assert len(pairs([person("王晓明", WANG)], settlements)) == 1  # a person list links once


def test_links_table_lists_unmatched_rows_of_both_sides():
    left = canonical(person("王晓明", WANG), person("张三", ZHANG), file="roster.xlsx")
    right = canonical(person("王小明", WANG), person("刘德华", LIU), file="insurance.xlsx")
    table = links_table(left, right, link(left, right), lang="en")
    assert table.columns == ["left_file", "left_sheet", "left_row", "right_file", "right_sheet", "right_row",
                             "left_name", "right_name", "left_id_no", "right_id_no", "score", "outcome", "evidence"]
    rows = table.select("left_row", "right_row", "outcome").rows()
    assert rows == [(2, 2, "link"), (3, None, "none"), (None, 3, "none")]
    assert table["evidence"][0] == "same ID number; names sound the same: 王晓明/王小明"


def test_person_keys():
    table = canonical(
        person("王晓明", WANG, village="王湾村"),
        person("張三", ZHANG[:15] + "000", sex="女", birth_date=date(1950, 1, 1)),
        person("李四", sex="男", birth_date=date(1970, 5, 6)),
    )
    keys = person_keys(table).select("id_valid", "id15", "id_damaged", "birth", "id_sex", "name_pinyin",
                                     "village_key").rows()
    assert keys == [
        (True, WANG[:15], False, date(1960, 1, 1), "男", "wang xiao ming", "王湾"),
        (False, ZHANG[:15], True, date(1949, 12, 31), "女", "zhang san", None),  # birth from the ID
        (False, None, False, date(1970, 5, 6), "男", "li si", None),
    ]
