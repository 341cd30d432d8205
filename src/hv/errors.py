"""Errors that stop a run: one clear line for the user, exit code 2, never a traceback."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Fixed forever (design.md §7); cron jobs depend on them."""

    OK = 0
    FINDINGS = 1
    ERROR = 2


class HvError(Exception):
    """A problem with the input, the configuration or the command line.

    `where` names the place (file, sheet, column) so the one-line message tells the clerk
    exactly what to open.
    """

    def __init__(self, zh: str, en: str, *, file: object = None, sheet: str | None = None,
                 column: str | None = None) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en
        self.file = str(file) if file is not None else None
        self.sheet = sheet
        self.column = column

    def render(self, lang: str = "zh") -> str:
        sheet_word, column_word = ("工作表", "列") if lang == "zh" else ("sheet", "column")
        place = [self.file] if self.file else []
        if self.sheet:
            place.append(f"{sheet_word}「{self.sheet}」" if lang == "zh" else f"{sheet_word} '{self.sheet}'")
        if self.column:
            place.append(f"{column_word}「{self.column}」" if lang == "zh" else f"{column_word} '{self.column}'")
        text = self.zh if lang == "zh" else self.en
        return f"{' '.join(place)}: {text}" if place else text

    def __str__(self) -> str:
        return self.render("en")


class InputError(HvError):
    """The input file cannot be read as a list (missing, wrong format, encrypted, empty…)."""


class ConfigError(HvError):
    """The configuration file or a schema is wrong."""
