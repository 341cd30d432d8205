"""Where a list's rows came from: each sheet read, and which columns it had."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Source:
    """One sheet read as part of a list. A check that needs a column runs on the rows of the
    sheets that have it (a roster without 文化程度 checked beside one with it raises nothing about
    文化程度), and says where it could not run."""

    index: int  # the `source` column of the canonical table
    file: str
    sheet: str
    kind: str
    unit: str  # person, or household: one row per household, named by its head
    fields: frozenset[str]
    stated_date: date | None = None  # the date the sheet says its data are as of
    embedded: bool = False  # a list inside another list's sheet (a roster's 签约 columns): checked for its own columns only
