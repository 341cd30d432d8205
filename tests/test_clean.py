"""Cleaning cell text into values; the raw text always stays beside the clean value."""

from datetime import date

import polars as pl
import pytest

from hv import clean
from hv.schema import load_schemas

POVERTY = load_schemas()["poverty"]


def cleaned(fn, *values):
    frame = pl.DataFrame({"v": list(values)}, schema={"v": pl.String})
    return frame.select(fn(pl.col("v")).alias("out"))["out"].to_list()


@pytest.mark.parametrize("raw, clean_id", [
    ("411521196001011232", "411521196001011232"),
    (" 4115 2119 6001 0112 32 ", "411521196001011232"),
    ("４１１５２１１９６００１０１１２３２", "411521196001011232"),  # full-width digits
    ("'411521196001011232", "411521196001011232"),                 # Excel text apostrophe
    ('="411521196001011232"', "411521196001011232"),               # CSV trick against scientific notation
    ("11010519491231002x", "11010519491231002X"),
    ("411521196001011232.0", "411521196001011232"),
    ("4.11521196001011E+17", "411521196001011000"),                 # only the digits the cell still holds
    ("110105491231002", "11010519491231002X"),                      # 15-digit legacy ID upgraded
    ("41152119600101123212", "411521196001011232"),                 # 残疾证号 = ID + 2 digits
    ("411521196001011232\u200b", "411521196001011232"),
    ("", None),
])
def test_id_numbers(raw, clean_id):
    assert cleaned(clean.id_number, raw) == [clean_id]


@pytest.mark.parametrize("raw, name", [
    ("张 三", "张三"), (" 张三 ", "张三"), ("张\u3000三", "张三"),
    ("阿依古丽.买买提", "阿依古丽·买买提"), ("阿依古丽•买买提", "阿依古丽·买买提"),
    ("阿依古丽・买买提", "阿依古丽·买买提"), ("阿依古丽·买买提", "阿依古丽·买买提"),
    ("張三豐", "張三豐"),  # the displayed name stays as written
])
def test_names(raw, name):
    assert cleaned(clean.cleaner("name"), raw) == [name]


def test_name_match_key_is_simplified_and_dotless():
    assert cleaned(lambda e: clean.name_key(clean.cleaner("name")(e)), "張三豐", "阿依古丽.买买提", "刘德华") == [
        "张三丰", "阿依古丽买买提", "刘德华"]


@pytest.mark.parametrize("raw", ["2019-05-10", "2019/5/10", "2019.5.10", "2019年5月10日", "20190510", "43595",
                                 "2019-05-10 00:00:00", " 2019 - 05 - 10 "])
def test_dates(raw):
    assert cleaned(clean.parse_date, raw) == [date(2019, 5, 10)]


@pytest.mark.parametrize("raw", ["19/5/10", "2019", "2019-13-01", "2019-02-30", "去年"])
def test_ambiguous_or_impossible_dates_stay_unparsed(raw):
    assert cleaned(clean.parse_date, raw) == [None]


def test_year_month_means_the_first_day():
    assert cleaned(clean.parse_date, "2019-05", "2019年5月") == [date(2019, 5, 1)] * 2


@pytest.mark.parametrize("raw, amount", [("1,234.50", 1234.5), ("¥300", 300.0), ("300元", 300.0),
                                         ("１２３", 123.0), ("-12.5", -12.5), ("约300", None)])
def test_money(raw, amount):
    assert cleaned(clean.cleaner("money"), raw) == [amount]


@pytest.mark.parametrize("raw, ratio", [("90%", 0.9), ("0.9", 0.9), ("90", 0.9), ("92.5 %", 0.925), ("1", 1.0)])
def test_ratios(raw, ratio):
    assert cleaned(clean.parse_ratio, raw) == [pytest.approx(ratio)]


def test_vocabulary_maps_legacy_and_coded_values_to_the_standard():
    relation = POVERTY.fields["relation"]
    status = POVERTY.fields["hh_poverty_type"]
    assert cleaned(clean.cleaner("code", relation), "之子", "之配偶", "02", "本人（户主）", "外星人") == [
        "子", "配偶", "户主", "户主", None]
    assert cleaned(clean.cleaner("code", status), "五保户", "3", "3.0", " 低保户 ") == [
        "特困供养贫困户", "特困供养贫困户", "特困供养贫困户", "低保贫困户"]


def test_multi_valued_cells():
    health = POVERTY.fields["health_status"]
    assert cleaned(clean.cleaner("multicode", health), "残疾,长期慢性病", "长期慢性病、残疾", "慢病；大病",
                   "健康", "残疾,感冒") == ["残疾,长期慢性病", "残疾,长期慢性病", "患有大病,长期慢性病", "健康", None]


def test_unparsed_ignores_placeholders_for_empty():
    frame = pl.DataFrame({"raw": ["2019-05-10", "-", "无", "", None, "去年"]})
    flags = frame.select(clean.unparsed(pl.col("raw"), clean.parse_date(pl.col("raw"))).alias("f"))["f"].to_list()
    assert flags == [False, False, False, False, False, True]
