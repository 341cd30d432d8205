"""Match keys of a canonical table: the values the person linker blocks on and compares.

A clerk's typo leaves most of a person's record intact, so each key keeps one part that survives
a kind of damage: `id15` survives Excel cutting the last 3 digits, `name_key` survives traditional
characters and dropped middle dots, `name_pinyin` survives homophones (同音字), `birth` survives a
missing ID. Every key is computed for the whole table at once, without a Python call per row
(domain.md §7).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import polars as pl
from pypinyin.pinyin_dict import pinyin_dict

from hv import clean, idnumber

MALE, FEMALE = "男", "女"
# What a village is called besides its name: 王湾村 and 王湾 are one village.
VILLAGE_SUFFIX = r"(村民委员会|村委会|居民委员会|居委会|社区|村)$"


def person_keys(table: pl.DataFrame) -> pl.DataFrame:
    """`table` with the match keys added; a column the list lacks leaves its keys empty.

    id18        cleaned ID number when it has 18 characters
    id_valid    its MOD 11-2 check character is right (False without an ID)
    id15        its first 15 digits: what Excel keeps of a number (domain.md §4.2 X1)
    id_damaged  it is what Excel leaves of an ID stored as a number (idnumber.excel_damaged)
    birth       from the ID's digits 7–14 when they are a date, else the birth_date column
    id_sex      男/女 from the ID's 17th digit (not on a damaged ID), else the sex column
    name_key    simplified characters, no middle dot (hv.clean.name_key)
    name_pinyin toneless pinyin of name_key, one syllable per character, space-separated
    village_key the village without 村/社区/村委会
    """
    def column(name: str, dtype: pl.DataType) -> pl.Expr:
        return pl.col(name) if name in table.columns else pl.lit(None, dtype)

    id_no = table["id_no"] if "id_no" in table.columns else pl.Series("id_no", [None] * table.height, pl.String)
    keyed = table.hstack(id_keys(id_no))
    if "name_key" not in table.columns:
        keyed = keyed.with_columns(name_key=clean.name_key(column("name", pl.String)))
    male = pl.when(~pl.col("id_damaged")).then(idnumber.is_male(pl.col("id18")))
    sex = column("sex", pl.String)
    return keyed.with_columns(
        birth=pl.coalesce(idnumber.birth_date(pl.col("id18")), column("birth_date", pl.Date)),
        id_sex=pl.coalesce(pl.when(male).then(pl.lit(MALE)).when(~male).then(pl.lit(FEMALE)),
                           pl.when(sex.is_in([MALE, FEMALE])).then(sex)),
        name_pinyin=name_pinyin(keyed["name_key"]),
        village_key=column("village", pl.String).str.replace(VILLAGE_SUFFIX, "").replace("", None),
    )


def id_keys(id_no: pl.Series) -> pl.DataFrame:
    """id18, id_valid, id15 and id_damaged of cleaned ID numbers (see person_keys)."""
    ids = id_no.to_frame("id_no").select(id18=pl.when(pl.col("id_no").str.len_chars() == 18).then("id_no"))
    ids = ids.with_columns(id_valid=idnumber.checksum_ok(pl.col("id18")).fill_null(False),
                           id15=pl.col("id18").str.slice(0, 15))
    return ids.with_columns(id_damaged=_excel_damaged(ids["id18"], ids["id_valid"]))


def name_pinyin(keys: pl.Series) -> pl.Series:
    """`王晓明` -> `wang xiao ming`: a character table applied by Aho-Corasick, no Python call per
    row. A character without a reading stays as it is."""
    return _by_character(keys, syllables()).str.strip_chars_end()


def name_sound(keys: pl.Series) -> pl.Series:
    """Each character replaced by one fixed character of the same toneless reading: homophones
    become equal strings of one character per syllable, ready for an edit distance."""
    return _by_character(keys, sound_alike())


def _by_character(keys: pl.Series, table: dict[str, str]) -> pl.Series:
    """`keys` with each character replaced by `table`; the automaton is built from the characters
    present only (a few thousand), not from all 40,000."""
    present = keys.str.split("").explode().unique().drop_nulls().to_list()
    used = {c: table[c] for c in present if c in table}
    return keys.str.replace_many(used) if used else keys


@lru_cache(maxsize=1)
def syllables() -> dict[str, str]:
    """Every character pypinyin knows -> its first (most common) reading without tone, then a space.

    The first reading, not the one a phrase would give: both lists are read the same way, which
    is all a homophone test needs. ü is written v, as pypinyin does (女 nv is not 努 nu).
    """
    def toneless(reading: str) -> str:
        decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
        return "".join(c for c in decomposed if not unicodedata.combining(c))

    return {chr(code): toneless(readings.split(",")[0]) + " " for code, readings in pinyin_dict.items()}


@lru_cache(maxsize=1)
def sound_alike() -> dict[str, str]:
    """Character -> the first character with the same toneless reading."""
    first: dict[str, str] = {}
    for char, syllable in syllables().items():
        first.setdefault(syllable, char)
    return {char: first[syllable] for char, syllable in syllables().items()}


def _excel_damaged(id18: pl.Series, valid: pl.Series) -> pl.Series:
    """idnumber.excel_damaged on the invalid IDs only: it nests the checksum several times, so on
    the few invalid rows it costs nothing and on a million valid ones it would cost seconds."""
    suspects = (id18.is_not_null() & ~valid).arg_true()
    flags = (id18.gather(suspects).to_frame("id").lazy()
             .select(idnumber.excel_damaged(pl.col("id"))).collect().to_series())
    return pl.repeat(False, id18.len(), eager=True).scatter(suspects, flags).alias("id_damaged")
