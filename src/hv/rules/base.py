"""What a rule is: a declaration (code, severity, category, messages, a clerk's docstring) plus
one vectorised check. The registry is filled by the rule modules at import time."""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as default

import polars as pl

from hv.config import Policy
from hv.schema import Schema
from hv.source import Source

SEVERITIES = ("error", "warning", "info")
DOC_SECTIONS = ("Why", "Bad", "Good", "Fix")


_shared: dict[str, pl.Expr] | None = None  # the shared sub-expressions of the checks being built


def shared(fn: Callable[..., pl.Expr]) -> Callable[..., pl.Expr]:
    """Mark a sub-expression many checks use (an ID's validity, an age from the ID number).

    While the engine builds checks (`sharing()`), a call returns a column the engine computes once
    per table, before the checks; polars' common-subexpression elimination misses many of these
    under different when/then branches. Elsewhere (rates, tests) it is the plain expression.
    """
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def column(*args: object) -> pl.Expr:
        expr = fn(*args)
        if _shared is None:
            return expr
        bound = signature.bind(*args)
        bound.apply_defaults()
        name = f"__{fn.__module__}.{fn.__name__}{bound.args!r}"
        _shared.setdefault(name, expr.alias(name))  # an inner shared value registers first
        return pl.col(name)

    return column


@contextmanager
def sharing() -> Iterator[dict[str, pl.Expr]]:
    """The shared columns the checks built inside this block refer to, in the order to compute them."""
    global _shared
    outer, _shared = _shared, {}
    try:
        yield _shared
    finally:
        _shared = outer


@shared
def listed_twice(key: str) -> pl.Expr:
    """The value of `key` is on more than one row: the scope of the checks that compare a person's
    rows (a duplicate, the same ID under two names or in two households)."""
    return pl.len().over(key) > 1  # faster than is_duplicated(), and the same


@dataclass
class Check:
    """One way a rule fires on a table: a boolean expression over canonical columns.

    `value` defaults to the raw text of `field`; `args` fill the message template's other
    placeholders, so messages are built by polars, not per row in Python.
    """

    when: pl.Expr
    field: str | None = None
    value: pl.Expr | None = None
    suggestion: pl.Expr | None = None
    args: dict[str, pl.Expr] = default(default_factory=dict)
    # the other row a finding points at (a duplicate's first occurrence, a household's head)
    related_row: pl.Expr | None = None
    related_file: pl.Expr | None = None
    related_sheet: pl.Expr | None = None
    related_score: pl.Expr | None = None  # link score, where a fuzzy link is involved
    # a rule the catalog marks W/E states its two conditions as two checks; the configured
    # [rules.severity] of the code still wins over both
    severity: str | None = None
    # The columns that every window in value, suggestion, args and related_* is partitioned by
    # (a household, an ID). The engine then formats findings from the fired groups alone instead of
    # the whole table. Leave it None when an output looks at rows outside such a group.
    group: list[str] | None = None
    # A cheap row condition outside which the check cannot fire, holding on every row of any group
    # its windows look at (e.g. "the ID number is on several rows" for a duplicate check): the
    # engine then evaluates `when` on those rows alone.
    scope: pl.Expr | None = None
    # Fields this check reads beyond its rule's `needs` (a rule with several checks): it fires only
    # on rows of sheets that have them, as an empty cell of a missing column is no empty value.
    needs: tuple[str, ...] = ()


@dataclass
class Context:
    """What a check may look at: the table's kind and schema, the columns present, the policy, the
    sheets the rows came from (`source` column) and the other lists of the run."""

    kind: str
    schema: Schema
    columns: frozenset[str]
    policy: Policy = default(default_factory=Policy)
    lang: str = "zh"
    sources: tuple[Source, ...] = ()  # empty: a table built without hv.importer, every column counts
    lists: frozenset[str] = frozenset()  # kinds of the other lists given in the run

    def has(self, *keys: str) -> bool:
        return all(k in self.columns for k in keys)

    def present_in(self, source: Source, key: str) -> bool:
        """`key` is a column of that sheet (a column the linker or the engine added is everywhere)."""
        return key in source.fields if key in self.schema.fields else key in self.columns

    def fields_of_type(self, *types: str) -> list[str]:
        return [k for k, f in self.schema.fields.items() if f.type in types and k in self.columns]


CheckFn = Callable[[Context], Iterable[Check]]


Need = str | tuple[str, ...]  # a field, or a tuple of fields any one of which will do


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    category: str
    kinds: tuple[str, ...]  # list kinds it applies to; empty = every kind
    message_zh: str
    message_en: str
    doc: str
    check: CheckFn | None = None  # None: found while reading the file, not by an expression
    at_import: bool = False  # also reported by `hv import`: it is about how the file stored a value
    # What the check reads: fields of the list (a tuple: any one of them), other lists of the run
    # (their kinds), and the unit of row it is about ("person": not on a list of households). Where
    # they are missing the check does not run, and the reports say so (未核查).
    needs: tuple[Need, ...] = ()
    lists: tuple[str, ...] = ()
    unit: str | None = None

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else ""

    def message(self, lang: str) -> str:
        return self.message_zh if lang == "zh" else self.message_en

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


REGISTRY: dict[str, Rule] = {}


def _register(r: Rule) -> Rule:
    if r.code in REGISTRY:
        raise ValueError(f"rule code {r.code} registered twice")
    if r.severity not in SEVERITIES:
        raise ValueError(f"rule {r.code}: unknown severity {r.severity}")
    REGISTRY[r.code] = r
    return r


def rule(code: str, name: str, severity: str, category: str, *, zh: str, en: str,
         kinds: tuple[str, ...] = (), at_import: bool = False, needs: tuple[Need, ...] = (),
         lists: tuple[str, ...] = (), unit: str | None = None) -> Callable[[CheckFn], CheckFn]:
    """Register a rule whose check is the decorated function; its docstring is the clerk's doc."""

    def register(fn: CheckFn) -> CheckFn:
        doc = inspect.getdoc(fn) or ""
        _register(Rule(code, name, severity, category, kinds, zh, en, doc, fn,
                       at_import=at_import or category == "import", needs=needs, lists=lists, unit=unit))
        return fn

    return register


def declare(code: str, name: str, severity: str, category: str, *, zh: str, en: str, doc: str,
            kinds: tuple[str, ...] = ()) -> Rule:
    """Register a rule that the reader applies (file layout, encoding): no expression of its own."""
    return _register(Rule(code, name, severity, category, kinds, zh, en, inspect.cleandoc(doc), at_import=True))


def say(ctx: Context, zh: str, en: str, **args: pl.Expr | str) -> pl.Expr:
    """A message fragment in the run's language, its placeholders filled by expressions."""
    return render(zh if ctx.lang == "zh" else en, args)


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def render(template: str, args: dict[str, pl.Expr | str]) -> pl.Expr:
    """A message template as one polars expression; `{name}` takes args[name]."""
    pieces = _PLACEHOLDER.split(template)
    exprs: list[pl.Expr] = []
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            if piece:
                exprs.append(pl.lit(piece))
        else:
            value = args.get(piece, "")
            exprs.append(pl.lit(value) if isinstance(value, str) else value.cast(pl.String).fill_null(""))
    return pl.concat_str(exprs) if exprs else pl.lit("")


def select_rules(select: tuple[str, ...] | list[str] = (), ignore: tuple[str, ...] | list[str] = ()) -> list[Rule]:
    """Rules chosen by code or prefix, like a linter: `--select ID,HH00 --ignore ID011`.

    An empty selection means every rule. A code or prefix that matches no rule is an error, so
    that a typo in a cron job's configuration does not silently switch checks off.
    """
    from hv.errors import ConfigError

    def matching(patterns, what: str) -> set[str]:
        chosen: set[str] = set()
        for pattern in patterns:
            hits = {code for code in REGISTRY if code.startswith(pattern.strip().upper())}
            if not hits:
                raise ConfigError(f"{what} 中的「{pattern}」不是任何规则的代码或前缀（hv rules 可列出全部规则）",
                                  f"'{pattern}' in {what} matches no rule code or prefix (see hv rules)")
            chosen |= hits
        return chosen

    selected = matching(select, "select") if select else set(REGISTRY)
    selected -= matching(ignore, "ignore")
    return [REGISTRY[code] for code in sorted(selected)]
