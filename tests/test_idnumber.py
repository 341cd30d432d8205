"""GB 11643 checks on the test vectors of domain.md §3.1."""

from datetime import date

import polars as pl
import pytest

from hv import idnumber


def evaluate(expr, values):
    return pl.DataFrame({"v": values}, schema={"v": pl.String}).select(expr(pl.col("v")).alias("out"))["out"].to_list()


@pytest.mark.parametrize("valid", [
    "11010519491231002X",  # the standard's example
    "360426199101010071",
    "411521196001011232",  # 罗山县, code from 1998, born 1960: libraries reject it, hv must not
    "110111198001011235",
    "413021196001011237",  # abolished 信阳地区 code
    "330113199001011233",  # 临平区 (2021)
    "653228202401011234",  # 和康县 (2024)
    "810000199001011230",  # Hong Kong residence permit
])
def test_valid_checksums(valid):
    assert evaluate(idnumber.checksum_ok, [valid]) == [True]


@pytest.mark.parametrize("invalid", ["110105194912310021", "411521196001011000"])
def test_invalid_checksums(invalid):
    assert evaluate(idnumber.checksum_ok, [invalid]) == [False]


def test_upgrade_15_to_18():
    assert evaluate(idnumber.upgrade15, ["110105491231002"]) == ["11010519491231002X"]


def test_birth_date_and_sex_from_the_id():
    assert evaluate(idnumber.birth_date, ["11010519491231002X", "110105194902300021"]) == [
        date(1949, 12, 31), None]
    assert evaluate(idnumber.is_male, ["11010519491231002X", "360426199101010071"]) == [False, True]


@pytest.mark.parametrize("digits, damaged", [
    ("411521196001011000", True),    # displayed or exported by Excel: first 15 digits + 000
    ("411521196001011008", True),    # read back from the double Excel stored
    ("411521196001011232", False),   # a genuine ID
    ("5700000027904973", False),     # a genuine 16-digit household number
    ("4115210010012340", True),      # 16 digits with only 15 significant: typed as a number
])
def test_excel_damage(digits, damaged):
    assert evaluate(idnumber.excel_damaged, [digits]) == [damaged]
