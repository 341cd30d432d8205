"""Cell text -> normalised values, one vectorised expression per field type.

The raw text is always kept beside the clean value (`<key>_raw`), so a finding can show what
the clerk typed and a report never loses it. A cell that does not parse becomes null here and a
finding later (IMP007), never an exception.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl

from hv import idnumber
from hv.schema import Field, Schema

# Written in empty cells by clerks and exports; they mean "nothing here", not a value to parse.
BLANKS = ["-", "--", "—", "——", "/", "\\", "无", "空", "暂无", "null", "NULL", "None", "none", "NaN", "nan",
          "#N/A", "N/A", "n/a"]
_INVISIBLE = r"[\s\u200b\u200c\u200d\u2060\ufeff]"
EXCEL_EPOCH = date(1899, 12, 30)


# Characters that NFKC changes in rosters: NBSP, general punctuation, circled numbers, the
# ideographic space, compatibility ideographs and full-width forms. A column without any of them is
# left as it is: NFKC costs a third of a second per million cells.
NEEDS_NFKC = r"[\u00a0\u2000-\u206f\u2460-\u24ff\u3000\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"


def nfkc(raw: pl.Expr) -> pl.Expr:
    return raw.str.normalize("NFKC")


def _null_if_empty(s: pl.Expr) -> pl.Expr:
    return pl.when(s == "").then(None).otherwise(s)


def fold_text(s: pl.Expr) -> pl.Expr:
    """Trimmed, inner runs of space folded."""
    return _null_if_empty(s.str.replace_all(r"\s+", " ").str.strip_chars())


def only_where(mask: pl.Expr, s: pl.Expr, fn: Callable[[pl.Expr], pl.Expr]) -> pl.Expr:
    """`fn` on the cells where `mask` holds; the others pass through untouched.

    `fn` sees null everywhere else, which costs next to nothing: in a million clean ID numbers
    only the few typed with spaces or apostrophes pay for the regular expressions.
    """
    return pl.when(mask).then(fn(pl.when(mask).then(s))).otherwise(s)


def _digits_basic(s: pl.Expr) -> pl.Expr:
    """No spaces, apostrophes, `="…"` wrappers or `.0` tails."""

    def scrub(t: pl.Expr) -> pl.Expr:
        t = t.str.replace_all(_INVISIBLE, "").str.strip_chars_start("=").str.strip_chars("'‘’`\"")
        return _null_if_empty(t.str.to_uppercase().str.strip_suffix(".0"))

    return only_where(~s.str.contains(r"^\d+X?$"), s, scrub)


def _expand_scientific(s: pl.Expr) -> pl.Expr:
    """`4.11521196001011E+17` -> `411521196001011000`: the digits the cell still holds, then zeros
    (a float round-trip would invent digits like …1008)."""
    parts = pl.when(s.str.contains("E", literal=True)).then(s).str.extract_groups(r"^(\d)\.?(\d*)E\+?(\d{1,2})$")
    mantissa = parts.struct.field("1") + parts.struct.field("2")
    zeros = parts.struct.field("3").cast(pl.Int64) + 1 - mantissa.str.len_chars()
    expanded = mantissa + pl.lit("0" * 30).str.slice(0, zeros.clip(lower_bound=0))
    return pl.when(mantissa.is_not_null() & (zeros >= 0)).then(expanded).otherwise(s)


def _id_form(s: pl.Expr) -> pl.Expr:
    """18-character form: a 残疾证号 (the ID, then 残疾类别 1–7 and 等级 1–4) cut to its ID, a
    15-digit legacy ID upgraded."""
    s = pl.when(s.str.contains(r"^\d{17}[\dX][1-7][1-4]$")).then(s.str.slice(0, 18)).otherwise(s)
    legacy = pl.when(s.str.contains(idnumber.ID15)).then(s)  # null elsewhere: the upgrade costs nothing there
    return pl.coalesce(idnumber.upgrade15(legacy), s)


_DOTS = r"[·•・‧.\-‐‑–—_〃･]+"


def person_name(s: pl.Expr) -> pl.Expr:
    """The displayed name: no spaces, every middle-dot variant as `·`. Characters stay as
    written (a traditional character is the clerk's to fix, not hv's)."""
    def scrub(t: pl.Expr) -> pl.Expr:
        return _null_if_empty(t.str.replace_all(_INVISIBLE, "").str.replace_all(_DOTS, "·").str.strip_chars("·"))

    return only_where(s.str.contains(r"[\s\u200b-\u200d\u2060\ufeff·•・‧.\-‐‑–—_〃･]|^$"), s, scrub)


def name_key(name: pl.Expr) -> pl.Expr:
    """Match key of a cleaned name: simplified characters, no middle dot."""
    table = traditional_to_simplified()
    key = name.str.replace_all("·", "", literal=True)
    return key.str.replace_many(table) if table else key


@lru_cache(maxsize=1)
def traditional_to_simplified() -> dict[str, str]:
    path = Path(__file__).parent / "data" / "t2s.tsv"
    if not path.is_file():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()[1:]  # first line: trad<TAB>simp
    return dict(line.split("\t") for line in lines if "\t" in line)


def _date_text(s: pl.Expr) -> pl.Expr:
    """`2019年5月10日 00:00` -> `2019-5-10`: one separator, no time of day."""
    s = s.str.strip_chars().str.replace(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "").str.replace_all(r"\s", "")
    s = s.str.replace(r"^(\d{6,8})\.0+$", "$1")  # 202210 read back as a number
    return s.str.replace_all(r"[年月/.\-]", "-").str.replace(r"[日号]$", "").str.strip_chars("-")


def _date_parse(s: pl.Expr) -> pl.Expr:
    """2019-5-10, 20190510, 2019-5 and 201905 (the first day) and Excel serials. Two-digit years and a bare
    year are ambiguous and stay unparsed (reported, not guessed)."""
    serial = s.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
    is_serial = s.str.contains(r"^\d{4,5}(\.0+)?$") & ~s.str.contains(r"^(19|20)\d\d$") & serial.is_between(
        1, 73050)
    return pl.coalesce(
        pl.when(is_serial).then(pl.lit(EXCEL_EPOCH) + pl.duration(days=serial)),
        pl.when(s.str.contains(r"^\d{4}-\d{1,2}-\d{1,2}$")).then(s.str.to_date("%Y-%m-%d", strict=False)),
        pl.when(s.str.contains(r"^\d{8}$")).then(s.str.to_date("%Y%m%d", strict=False)),
        pl.when(s.str.contains(r"^\d{4}-\d{1,2}$")).then((s + "-1").str.to_date("%Y-%m-%d", strict=False)),
        pl.when(s.str.contains(r"^(19|20)\d{2}(0[1-9]|1[0-2])$")).then((s + "01").str.to_date("%Y%m%d", strict=False)),
    ).cast(pl.Date)


def parse_money(s: pl.Expr) -> pl.Expr:
    return s.str.replace_all(r"[¥￥,，元\s]", "").cast(pl.Float64, strict=False)


def _ratio_text(s: pl.Expr) -> pl.Expr:
    return s.str.replace_all(r"\s", "")


def _ratio_parse(s: pl.Expr) -> pl.Expr:
    """As a fraction: 90%, 0.9 and 90 all mean 0.9 (a ratio over 1.5 is read as a percentage)."""
    value = s.str.strip_chars_end("%").cast(pl.Float64, strict=False)
    return pl.when(s.str.ends_with("%") | (value > 1.5)).then(value / 100).otherwise(value)


def parse_int(s: pl.Expr) -> pl.Expr:
    s = s.str.replace_all(r"\s", "").str.replace(r"[人次岁个户月]$", "")
    return s.str.replace(r"^(-?\d+)\.0+$", "$1").cast(pl.Int64, strict=False)


def parse_year(s: pl.Expr) -> pl.Expr:
    """2019, 2019年, 2019-09-30, 20190930, 201909 (a 数据日期 or a month) -> 2019."""
    return s.str.extract(r"^\s*((?:19|20)\d\d)(?:\D|\d{2}(?:\d{2})?(?:\D|$)|$)", 1).cast(pl.Int32, strict=False)


def vocab_key(s: pl.Expr) -> pl.Expr:
    """The lookup form of a coded value; mirrors `schema.normalize_value`."""
    s = s.str.to_lowercase().str.replace_all(r"[\s*:＊※\"'“”‘’]+", "")
    return s.str.replace(r"^(\d+)\.0+$", "$1")


def code(s: pl.Expr, f: Field) -> pl.Expr:
    """The standard value of a coded field; null when the value is not in the vocabulary."""
    return vocab_key(s).replace_strict(f.vocab, default=None, return_dtype=pl.String)


def multicode(s: pl.Expr, f: Field) -> pl.Expr:
    """Several coded values in one cell (`残疾,长期慢性病`): mapped, sorted, joined with `,`.
    Null when any part is not in the vocabulary."""
    items = s.str.replace_all(r"[，、;；/|和\s]+", ",").str.strip_chars(",").str.split(",")
    mapped = items.list.eval(code(pl.element(), f))
    joined = mapped.list.unique().list.sort().list.join(",")
    return pl.when(mapped.list.eval(pl.element().is_null()).list.any()).then(None).otherwise(joined)


Step = Callable[[pl.Expr, Field], pl.Expr]


def _each(fn: Callable[[pl.Expr], pl.Expr]) -> Step:
    return lambda s, f: fn(s)


# Each step is materialised before the next reads it: one expression that nests the previous
# step several times would recompute it each time (6 s instead of 0.5 s per million IDs).
STEPS: dict[str, list[Step]] = {
    "id": [_each(_digits_basic), _each(_expand_scientific), _each(_id_form)],
    "code_no": [_each(_digits_basic), _each(_expand_scientific)],
    "phone": [_each(_digits_basic)],
    "name": [_each(person_name)],
    "text": [_each(fold_text)],
    "date": [_each(_date_text), _each(_date_parse)],
    "money": [_each(parse_money)],
    "ratio": [_each(_ratio_text), _each(_ratio_parse)],
    "int": [_each(parse_int)],
    "year": [_each(parse_year)],
    "code": [code],
    "multicode": [multicode],
}
PARSED_TYPES = frozenset({"date", "money", "ratio", "int", "year"})


def cleaner(field_type: str, f: Field | None = None, *, normalise: bool = True) -> Callable[[pl.Expr], pl.Expr]:
    """All steps of a type as one expression, for small frames (distinct values, tests)."""

    def apply(raw: pl.Expr) -> pl.Expr:
        s = nfkc(raw) if normalise else raw
        for step in STEPS[field_type]:
            s = step(s, f)
        return s

    return apply


id_number = cleaner("id")
parse_date = cleaner("date")
parse_ratio = cleaner("ratio")
digits_text = cleaner("code_no")


def clean_frame(frame: pl.DataFrame, schema: Schema, columns: dict[str, str], keep: list[pl.Expr],
                needs_nfkc: set[str]) -> pl.DataFrame:
    """`<key>` and `<key>_raw` for every mapped field (`columns`: canonical key -> source column),
    plus `name_key` for matching; `keep` are further columns to carry (provenance).

    A column with few distinct values (codes, villages, dates, statuses) is cleaned once per
    distinct value and looked up; only columns like ID numbers and names go through the steps
    row by row (vectorised).
    """
    fields = {key: schema.fields[key] for key in columns}
    few = {key for key, col in columns.items() if _few_distinct(frame[col])}
    lookups = {key: _lookup(frame[columns[key]], fields[key], columns[key] in needs_nfkc) for key in few}
    out = frame.lazy().select(
        *keep,
        *(pl.col(col).alias(f"{key}_raw") for key, col in columns.items()),
        *(pl.col(columns[key]).replace_strict(*lookups[key], default=None).alias(key) for key in few),
        *((nfkc(pl.col(col)) if col in needs_nfkc else pl.col(col)).alias(key)
          for key, col in columns.items() if key not in few),
    )
    staged = {key: f for key, f in fields.items() if key not in few}
    for i in range(max((len(STEPS[f.type]) for f in staged.values()), default=0)):
        out = out.with_columns(
            STEPS[f.type][i](pl.col(key), f).alias(key) for key, f in staged.items() if i < len(STEPS[f.type]))
    if "name" in fields:
        out = out.with_columns(name_key(pl.col("name")).alias("name_key"))
    return out.collect()


def _few_distinct(column: pl.Series, sample: int = 20_000) -> bool:
    """Judged on the first rows: a wrong guess costs time, never correctness."""
    head = column.head(sample)
    return head.n_unique() * 8 <= max(head.len(), 8)


def _lookup(column: pl.Series, f: Field, normalise: bool) -> tuple[pl.Series, pl.Series]:
    """Each distinct raw value and its clean value."""
    distinct = column.drop_nulls().unique()
    expr = cleaner(f.type, f, normalise=normalise)(pl.col("v"))
    cleaned = pl.DataFrame({"v": distinct}).select(expr.alias("clean"))["clean"]
    return distinct, cleaned


def unparsed(raw: pl.Expr, clean: pl.Expr) -> pl.Expr:
    """True where a cell holds a value that its field type could not parse."""
    # only the few cells that did not parse are looked at closely
    suspect = pl.when(clean.is_null()).then(raw).str.strip_chars()
    return ((suspect != "") & ~suspect.is_in(BLANKS)).fill_null(False)
