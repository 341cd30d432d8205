"""Cell text -> normalised values, one vectorised expression per field type.

The raw text is always kept beside the clean value (`<key>_raw`), so a finding can show what
the clerk typed and a report never loses it. A cell that does not parse becomes null here and a
finding later (IMP007), never an exception.
"""

from __future__ import annotations

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


def text(raw: pl.Expr) -> pl.Expr:
    """NFKC (full-width digits and letters, U+3000), trimmed, inner runs of space folded."""
    out = raw.str.normalize("NFKC").str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(out == "").then(None).otherwise(out)


def _present(raw: pl.Expr) -> pl.Expr:
    """Text that is neither empty nor a placeholder for empty."""
    t = text(raw)
    return t.is_not_null() & ~t.is_in(BLANKS)


def digits_text(raw: pl.Expr) -> pl.Expr:
    """Long numbers kept as text: no spaces, apostrophes, `="…"` wrappers or `.0` tails;
    scientific notation (`4.11521E+17`) becomes the digits it still holds."""
    s = raw.str.normalize("NFKC").str.replace_all(_INVISIBLE, "")
    s = s.str.replace(r'^="?(.*?)"?$', "$1").str.strip_chars("'‘’`\"").str.to_uppercase()
    s = s.str.replace(r"^(\d+)\.0+$", "$1")
    return pl.when(s == "").then(None).otherwise(_expand_scientific(s))


def _expand_scientific(s: pl.Expr) -> pl.Expr:
    """`4.11521196001011E+17` -> `411521196001011000`: the digits the cell still holds, then zeros
    (a float round-trip would invent digits like …1008)."""
    parts = s.str.extract_groups(r"^(\d)\.?(\d*)E\+?(\d{1,2})$")
    mantissa = parts.struct.field("1") + parts.struct.field("2")
    zeros = parts.struct.field("3").cast(pl.Int64) + 1 - mantissa.str.len_chars()
    expanded = mantissa + pl.lit("0" * 30).str.slice(0, zeros.clip(lower_bound=0))
    return pl.when(mantissa.is_not_null() & (zeros >= 0)).then(expanded).otherwise(s)


def id_number(raw: pl.Expr) -> pl.Expr:
    """18-character form: 15-digit legacy IDs upgraded; a 20-character 残疾证号 cut to its ID."""
    s = digits_text(raw)
    disability = s.str.contains(r"^\d{17}[\dX]\d{2}$") & idnumber.checksum_ok(s.str.slice(0, 18))
    s = pl.when(disability).then(s.str.slice(0, 18)).otherwise(s)
    return pl.when(s.str.contains(idnumber.ID15)).then(idnumber.upgrade15(s)).otherwise(s)


_DOTS = r"[·•・‧.\-‐‑–—_〃･]+"


def person_name(raw: pl.Expr) -> pl.Expr:
    """The displayed name: NFKC, no spaces, every middle-dot variant as `·`. Characters stay as
    written (a traditional character is the clerk's to fix, not hv's)."""
    s = raw.str.normalize("NFKC").str.replace_all(_INVISIBLE, "")
    s = s.str.replace_all(_DOTS, "·").str.strip_chars("·")
    return pl.when(s == "").then(None).otherwise(s)


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


def parse_date(raw: pl.Expr) -> pl.Expr:
    """2019-05-10, 2019/5/10, 2019.5.10, 2019年5月10日, 20190510, 2019-05 and Excel serials.

    Two-digit years and a bare year are ambiguous and stay unparsed (reported, not guessed).
    """
    s = raw.str.normalize("NFKC").str.strip_chars()
    s = s.str.replace(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "").str.replace_all(r"\s", "")
    s = s.str.replace_all(r"[年月/.\-]", "-").str.replace(r"[日号]$", "").str.strip_chars("-")
    serial = s.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
    from_serial = pl.lit(EXCEL_EPOCH) + pl.duration(days=serial)
    is_serial = s.str.contains(r"^\d{4,5}(\.0+)?$") & ~s.str.contains(r"^(19|20)\d\d$") & serial.is_between(
        1, 73050)
    return pl.coalesce(
        pl.when(is_serial).then(from_serial),
        pl.when(s.str.contains(r"^\d{4}-\d{1,2}-\d{1,2}$")).then(s.str.to_date("%Y-%m-%d", strict=False)),
        pl.when(s.str.contains(r"^\d{8}$")).then(s.str.to_date("%Y%m%d", strict=False)),
        pl.when(s.str.contains(r"^\d{4}-\d{1,2}$")).then((s + "-1").str.to_date("%Y-%m-%d", strict=False)),
    ).cast(pl.Date)


def parse_money(raw: pl.Expr) -> pl.Expr:
    s = raw.str.normalize("NFKC").str.replace_all(r"[¥￥,，元\s]", "")
    return s.cast(pl.Float64, strict=False)


def parse_ratio(raw: pl.Expr) -> pl.Expr:
    """As a fraction: 90%, 0.9 and 90 all mean 0.9 (a ratio over 1.5 is read as a percentage)."""
    s = raw.str.normalize("NFKC").str.replace_all(r"\s", "")
    pct = s.str.ends_with("%")
    value = s.str.strip_chars_end("%").cast(pl.Float64, strict=False)
    return pl.when(pct | (value > 1.5)).then(value / 100).otherwise(value)


def parse_int(raw: pl.Expr) -> pl.Expr:
    s = raw.str.normalize("NFKC").str.replace_all(r"\s", "").str.replace(r"[人次岁个户月]$", "")
    return s.str.replace(r"^(-?\d+)\.0+$", "$1").cast(pl.Int64, strict=False)


def parse_year(raw: pl.Expr) -> pl.Expr:
    return raw.str.normalize("NFKC").str.extract(r"^\s*((?:19|20)\d\d)(?:\D|$)", 1).cast(pl.Int32, strict=False)


def vocab_key(raw: pl.Expr) -> pl.Expr:
    """The lookup form of a coded value; mirrors `schema.normalize_value`."""
    s = raw.str.normalize("NFKC").str.to_lowercase().str.replace_all(r"[\s*:＊※\"'“”‘’]+", "")
    return s.str.replace(r"^(\d+)\.0+$", "$1")


def code(raw: pl.Expr, f: Field) -> pl.Expr:
    """The standard value of a coded field; null when the value is not in the vocabulary."""
    return vocab_key(raw).replace_strict(f.vocab, default=None, return_dtype=pl.String)


def multicode(raw: pl.Expr, f: Field) -> pl.Expr:
    """Several coded values in one cell (`残疾,长期慢性病`): mapped, sorted, joined with `,`.
    Null when any part is not in the vocabulary."""
    items = raw.str.normalize("NFKC").str.replace_all(r"[，、;；/|和\s]+", ",").str.strip_chars(",").str.split(",")
    mapped = items.list.eval(vocab_key(pl.element()).replace_strict(f.vocab, default=None, return_dtype=pl.String))
    joined = mapped.list.unique().list.sort().list.join(",")
    return pl.when(mapped.list.eval(pl.element().is_null()).list.any()).then(None).otherwise(joined)


def phone(raw: pl.Expr) -> pl.Expr:
    return digits_text(raw)


CLEANERS = {
    "id": lambda raw, f: id_number(raw),
    "name": lambda raw, f: person_name(raw),
    "code": code,
    "multicode": multicode,
    "date": lambda raw, f: parse_date(raw),
    "money": lambda raw, f: parse_money(raw),
    "ratio": lambda raw, f: parse_ratio(raw),
    "int": lambda raw, f: parse_int(raw),
    "year": lambda raw, f: parse_year(raw),
    "phone": lambda raw, f: phone(raw),
    "text": lambda raw, f: text(raw),
    "code_no": lambda raw, f: digits_text(raw),
}
PARSED_TYPES = frozenset({"date", "money", "ratio", "int", "year"})


def cleaning_exprs(schema: Schema, columns: dict[str, str]) -> list[pl.Expr]:
    """`<key>` and `<key>_raw` for every mapped field (`columns`: canonical key -> grid column),
    plus `name_key` for matching."""
    exprs: list[pl.Expr] = []
    for key, column in columns.items():
        f = schema.fields[key]
        raw = pl.col(column)
        exprs.append(raw.alias(f"{key}_raw"))
        exprs.append(CLEANERS[f.type](raw, f).alias(key))
        if key == "name":
            exprs.append(name_key(person_name(raw)).alias("name_key"))
    return exprs


def unparsed(raw: pl.Expr, clean: pl.Expr) -> pl.Expr:
    """True where a cell holds a value that its field type could not parse."""
    return _present(raw) & clean.is_null()
