"""What a column's cells look like: ID numbers, dates, amounts, yes/no, personal names.

Headers are written a hundred ways; cells are not. The shares measured here confirm a header
(`身份证号` over a column of ID numbers), overrule it (`大病保险` over a column of 是/否 is a flag,
not an amount) and name a column whose header says nothing (a column of ID numbers is one).
A few hundred cells of each column are enough, read once per sheet, without a loop per row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from hv.schema import normalize_value

SAMPLE_ROWS = 500
# Fewer filled cells than this say nothing either way (a new list, a column left empty).
MIN_FILLED = 3
# A header whose field type fits less than this share of the cells is overruled.
MISFIT_BELOW = 0.3
# A column whose header names nothing is taken for ID numbers at this share.
CONTENT_ALONE = 0.8

PATTERNS = {
    "id": r"^['‘=\"]*\d{17}[\dXx]\"?$|^\d{15}$|^\d(?:\.\d+)?[Ee]\+?1[4-7]$",
    "date": r"^(?:19|20)\d\d(?:[-/.年]\d{1,2}(?:[-/.月]\d{1,2}日?)?(?:[ T]\d{1,2}:\d\d(?::\d\d)?)?|\d{4})$",
    "year": r"^(?:19|20)\d\d(?:年度?|[-/.年]\d{1,2}.*|\d{4})?$",
    "number": r"^[-+]?[\d,]*\.?\d+%?元?$",
    "name": r"^\p{Han}{2,4}$|^\p{Han}+[·•・.]\p{Han}[\p{Han}·•・.]*$",
    "phone": r"^(?:\+?86)?1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$",
}
YES_NO = ("是", "否", "有", "无", "Y", "N", "y", "n", "√", "×", "参加", "未参加")
# What the cells of a field type must mostly be: a field of another type is not judged by content.
FITS = {"id": "id", "date": "date", "money": "number", "ratio": "number", "int": "number", "year": "year",
        "phone": "phone"}


@dataclass(frozen=True)
class Profile:
    """Shares of a column's filled cells (in the sample) that look like each kind of value, and its
    commonest values (in vocabulary form: schema.normalize_value) with their counts."""

    filled: int
    shares: dict[str, float]
    values: dict[str, int] = field(default_factory=dict)

    def share(self, what: str) -> float:
        return self.shares.get(what, 0.0)

    def share_in(self, vocabulary: dict[str, str], *, several: bool = False) -> float:
        """The share of the filled cells whose value the vocabulary knows (`several`: every part of a
        cell like 残疾,长期慢性病)."""
        counted = sum(self.values.values())

        def known(value: str) -> bool:
            return all(part in vocabulary for part in _PARTS.split(value) if part) if several else value in vocabulary

        return sum(n for v, n in self.values.items() if known(v)) / counted if counted else 0.0

    @property
    def says_something(self) -> bool:
        return self.filled >= MIN_FILLED


_PARTS = re.compile(r"[,，、;；/|和]+")


def profile_columns(data: pl.DataFrame, columns: list[str]) -> dict[str, Profile]:
    """A Profile per column of `data` (the sheet's data rows, cells as text)."""
    if not columns:
        return {}
    sample = data.select(columns).head(SAMPLE_ROWS).select(
        pl.col(c).str.strip_chars().replace("", None) for c in columns)
    filled = sample.select(pl.col(c).is_not_null().sum() for c in columns).row(0)
    exprs = [pl.col(c).str.contains(p).sum().alias(f"{c}\x1f{what}") for c in columns for what, p in PATTERNS.items()]
    exprs += [pl.col(c).is_in(YES_NO).sum().alias(f"{c}\x1fyesno") for c in columns]
    counts = sample.select(exprs).row(0, named=True)
    out = {}
    for c, n in zip(columns, filled):
        shares = {what: (counts[f"{c}\x1f{what}"] or 0) / n if n else 0.0 for what in (*PATTERNS, "yesno")}
        out[c] = Profile(int(n), shares, _commonest(sample[c]))
    return out


COMMONEST = 50


def _commonest(column: pl.Series) -> dict[str, int]:
    counts = column.drop_nulls().value_counts(sort=True).head(COMMONEST)
    values: dict[str, int] = {}
    for value, n in counts.iter_rows():
        key = normalize_value(value)
        values[key] = values.get(key, 0) + n
    return values


def fits(profile: Profile | None, field_type: str, yes_no_field: bool = False) -> bool:
    """False when the cells are clearly values of another sort than the field's (是/否 under an
    amount's header, names under an ID header); True when they fit, do not parse (a column of
    mistyped ID numbers is still the ID column: the rules report its cells) or say nothing."""
    if profile is None or not profile.says_something:
        return True
    what = "yesno" if yes_no_field else FITS.get(field_type)
    if what is None or profile.share(what) >= MISFIT_BELOW:
        return True
    others = [o for o in OTHER_SORTS.get(what, ()) if o != what]
    return not any(profile.share(o) >= CLEARLY for o in others)


# What a column clearly is instead, for each sort of value a field expects.
OTHER_SORTS = {"id": ("name", "yesno", "date"), "date": ("name", "yesno", "id"), "number": ("name", "yesno", "id"),
               "year": ("name", "yesno"), "phone": ("name", "yesno", "id", "date"), "yesno": ("name", "id", "date")}
CLEARLY = 0.7


def agrees(profile: Profile | None, field_type: str, vocabulary: dict[str, str], yes_no_field: bool = False) -> bool | None:
    """Whether the cells positively bear a field out: True / False, or None when they say nothing
    (an empty column, a free-text field). A header that only resembles a field's spelling needs it."""
    if profile is None or not profile.says_something:
        return None
    if vocabulary and field_type in ("code", "multicode"):
        return profile.share_in(vocabulary, several=field_type == "multicode") >= AGREE_AT
    what = "yesno" if yes_no_field else FITS.get(field_type)
    return None if what is None else profile.share(what) >= AGREE_AT


AGREE_AT = 0.5


def looks_like(profile: Profile | None, what: str) -> bool:
    """The column is, by its cells alone, a column of `what` (id, date …)."""
    return profile is not None and profile.says_something and profile.share(what) >= CONTENT_ALONE
