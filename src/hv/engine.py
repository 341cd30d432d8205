"""Run registered rules over a canonical table and turn what fires into findings.

All conditions of all checks are evaluated in one polars pass (a check that declares a scope, on
the rows of its scope only); only the rows that fire are then formatted into findings. No Python
runs per row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import polars as pl

from hv import findings
from hv.rules.base import Check, Context, Rule, render, sharing

_ROW_KEYS = ("name", "id_no", "town", "village")


@dataclass
class RuleRun:
    """What running rules on a table gave: the findings, and which rules could not run where."""

    findings: pl.DataFrame
    not_checked: list[dict] = field(default_factory=list)  # rows of hv.coverage_report's NOT_CHECKED table


def run_rules(table: pl.DataFrame, ctx: Context, rules: list[Rule], *, lang: str = "zh",
              severity: dict[str, str] | None = None) -> RuleRun:
    severity = severity or {}
    gaps: list[dict] = []
    checks: list[tuple[Rule, Check]] = []
    with sharing() as shared:
        for r in rules:
            if r.check is None or not r.applies_to(ctx.kind):
                continue
            reach, missing = rule_reach(r, ctx)
            gaps += missing
            if reach is not None and not reach:
                continue
            checks += [(r, _confined(c, reach, ctx)) for c in r.check(ctx)]
    if not checks or table.height == 0:
        return RuleRun(findings.empty(), gaps)
    for wave in _waves(shared):
        table = table.with_columns(wave)
    out = []
    for i, fired in _fired(table, [c for _, c in checks]).items():
        r, c = checks[i]
        level = severity.get(r.code) or c.severity or r.severity
        out.append(_findings_of(table, fired, r, c, ctx, lang, level))
    return RuleRun(findings.concat(out), gaps)


# What a list found inside another's sheet is checked for: its own facts against the other lists.
# Its people's IDs, names and households are the host list's, checked there once.
EMBEDDED_CATEGORIES = ("coverage", "consistency", "settlement")


def rule_reach(r: Rule, ctx: Context) -> tuple[list[int] | None, list[dict]]:
    """The sources (sheets) a rule runs on — None: every row — and a not-checked record for each
    place it cannot: a list of the run it needs is missing, or a sheet lacks a column it reads."""
    absent = [k for k in r.lists if k not in ctx.lists]
    if absent:
        return [], [gap(r, ctx, None, lists=absent)]
    if not ctx.sources:
        missing = _missing(r.needs, lambda key: ctx.has(key))
        return (None, []) if not missing else ([], [gap(r, ctx, None, fields=missing)])
    reach, gaps, skipped = [], [], False
    for source in ctx.sources:
        if source.embedded and r.category not in EMBEDDED_CATEGORIES:
            skipped = True
            continue
        if r.unit == "person" and source.unit == "household":
            gaps.append(gap(r, ctx, source, household=True))
            continue
        missing = _missing(r.needs, lambda key, s=source: ctx.present_in(s, key))
        if missing:
            gaps.append(gap(r, ctx, source, fields=missing))
        else:
            reach.append(source.index)
    if not reach and gaps and len({tuple(g["missing"]) for g in gaps}) == 1 and len(gaps) == len(ctx.sources):
        gaps = [{**gaps[0], "file": None, "sheet": None}]  # the whole list lacks it: said once
    return (None if not gaps and not skipped else reach), gaps


def _missing(needs, present) -> list[tuple[str, ...]]:
    groups = [n if isinstance(n, tuple) else (n,) for n in needs]
    return [g for g in groups if not any(present(k) for k in g)]


def gap(r: Rule, ctx: Context, source, *, fields=(), lists=(), household: bool = False) -> dict:
    """One not-checked record: the rule, the list (and sheet, when only some sheets lack it), why."""
    zh = ctx.lang == "zh"
    if lists:
        words = [LIST_NAMES.get(k, (k, k))[0 if zh else 1] for k in lists]
        missing = list(lists)
        reason = (f"缺少{'、'.join(words)}" if zh else f"no {', '.join(words)} given")
    elif household:
        missing = ["unit"]
        reason = "这是一户一行的名单，没有成员行" if zh else "a list of households, without member rows"
    else:
        def label(key: str) -> str:
            return ctx.schema.label_of(key, ctx.lang) if key in ctx.schema.fields else key

        missing = ["|".join(g) for g in fields]
        named = [("或" if zh else " or ").join(f"「{label(k)}」" if zh else f"'{label(k)}'" for k in g) for g in fields]
        reason = (f"缺少{'、'.join(named)}列" if zh else f"no {', '.join(named)} column")
    return {"rule": r.code, "list": ctx.kind, "file": source.file if source else None,
            "sheet": source.sheet if source else None, "missing": missing, "reason": reason}


LIST_NAMES = {"poverty": ("花名册", "poverty roster"), "insurance": ("参保名单", "insurance list"),
              "contract": ("签约名单", "contract list"), "treatment": ("救治台账", "treatment ledger"),
              "settlement": ("结算明细", "settlement list"), "death": ("死亡名单", "death register")}


def _confined(check: Check, reach: list[int] | None, ctx: Context) -> Check:
    """The check limited to the rows of the sheets it can run on (its rule's and its own needs)."""
    if check.needs and ctx.sources:
        own = [s.index for s in ctx.sources if all(ctx.present_in(s, k) for k in check.needs)]
        reach = own if reach is None else [i for i in reach if i in own]
        if len(reach) == len(ctx.sources):
            reach = None
    if reach is None:
        return check
    rows = pl.col("source").is_in(reach)
    return replace(check, when=check.when & rows, scope=rows if check.scope is None else check.scope & rows)


def _waves(shared: dict[str, pl.Expr]) -> list[list[pl.Expr]]:
    """The shared values in groups computed side by side: each uses only those of earlier groups."""
    level: dict[str, int] = {}
    for name, expr in shared.items():  # registration order puts a value after those it uses
        level[name] = 1 + max((level[d] for d in expr.meta.root_names() if d in level), default=-1)
    return [[shared[n] for n in shared if level[n] == i] for i in range(max(level.values(), default=-1) + 1)]


def _fired(table: pl.DataFrame, checks: list[Check]) -> dict[int, pl.Series]:
    """Check index -> the rows it fires on (a boolean per row), for the checks that fire at all.

    Checks without a scope are evaluated together, lazily, so that polars computes a sub-expression
    several of them share once; a scoped check only on the rows of its scope.
    """
    flag = {i: c.when.fill_null(False).alias(f"f{i}") for i, c in enumerate(checks)}
    scopes: dict[str, tuple[pl.Expr, list[int]]] = {}
    for i, c in enumerate(checks):
        if c.scope is not None:
            scopes.setdefault(str(c.scope), (c.scope, []))[1].append(i)
    scoped = {i for _, members in scopes.values() for i in members}
    flags = table.lazy().select(e for i, e in flag.items() if i not in scoped).collect()
    fired = {int(name[1:]): flags[name] for name in flags.columns if flags[name].any()}
    for scope, members in scopes.values():
        rows = table.lazy().with_row_index("_i").filter(scope).select("_i", *(flag[i] for i in members)).collect()
        for i in members:
            hits = rows.filter(pl.col(f"f{i}"))["_i"]
            if hits.len():
                fired[i] = pl.repeat(False, table.height, dtype=pl.Boolean, eager=True).scatter(hits, True)
    return dict(sorted(fired.items()))


_WHOLE_TABLE = re.compile(r"\.over\(|\b(len|count|sum|mean|min|max|first|last|n_unique|unique|any|all|implode|shift"
                          r"|rank|cum_\w+|arg_\w+|int_range|quantile|median|mode|diff|rolling\w*)\(")


def _needs_whole_table(expr: pl.Expr) -> bool:
    """True when an expression looks at other rows (a window or an aggregation), so that it must
    see the whole table; a row-wise expression gives the same answer on the fired rows alone."""
    return bool(_WHOLE_TABLE.search(str(expr)))


def _findings_of(table: pl.DataFrame, fired: pl.Series, r: Rule, c: Check, ctx: Context, lang: str,
                 sev: str) -> pl.DataFrame:
    """The findings of one check. Its expressions see the whole table (a window such as "the
    head's row in this household" needs every member); only then are the fired rows kept."""
    raw = f"{c.field}_raw"
    value = c.value if c.value is not None else (pl.col(raw) if raw in table.columns else pl.lit(None))
    none = pl.lit(None, dtype=pl.String)
    related = c.related_row is not None
    parts = {
        "value": _as_shown(value.cast(pl.String)),
        "suggestion": (c.suggestion if c.suggestion is not None else none).cast(pl.String),
        "related_file": c.related_file if c.related_file is not None else (pl.col("file") if related else none),
        "related_sheet": c.related_sheet if c.related_sheet is not None else (pl.col("sheet") if related else none),
        "related_row": (c.related_row if related else pl.lit(None)).cast(pl.Int64),
        "score": (c.related_score if c.related_score is not None else pl.lit(None)).cast(pl.Float64),
        **{f"arg_{k}": v if isinstance(v, pl.Expr) else pl.lit(v) for k, v in c.args.items()},
    }
    # only the columns the outputs read: filtering or joining all of a wide table's strings is the cost
    needed = {"file", "sheet", "row", *_ROW_KEYS, *(c.group or []),
              *(name for e in parts.values() for name in e.meta.root_names())}
    table = table.select(c for c in table.columns if c in needed)
    if any(_needs_whole_table(e) for e in parts.values()):
        if c.group:  # whole groups are all a window over them needs
            marked = table.with_columns(_fired=fired)
            keys = marked.filter(pl.col("_fired")).select(c.group).unique()
            table = marked.join(keys, on=c.group, how="semi", nulls_equal=True, maintain_order="left")
            fired = table["_fired"]
        rows = table.lazy().with_columns(**parts).filter(fired).collect()
    else:  # row-wise expressions: evaluate them on the fired rows only
        rows = table.filter(fired).with_columns(**parts)
    label = ctx.schema.label_of(c.field, lang) if c.field else ""
    args = {"value": pl.col("value"), "suggestion": pl.col("suggestion"), "label": label,
            **{k: pl.col(f"arg_{k}") for k in c.args}}
    return rows.select(
        rule=pl.lit(r.code),
        severity=pl.lit(sev),
        category=pl.lit(r.category),
        list=pl.lit(ctx.kind),
        file=pl.col("file"),
        sheet=pl.col("sheet"),
        row=pl.col("row").cast(pl.Int64),
        field=pl.lit(c.field, dtype=pl.String),
        value=pl.col("value"),
        suggestion=pl.col("suggestion"),
        message=render(r.message(lang), args),
        **{k: (pl.col(k) if k in rows.columns else none) for k in _ROW_KEYS},
        related_file=pl.col("related_file"),
        related_sheet=pl.col("related_sheet"),
        related_row=pl.col("related_row"),
        score=pl.col("score"),
    )


def _as_shown(value: pl.Expr) -> pl.Expr:
    """A date cell reads as `1970-03-29 00:00:00`; Excel shows the clerk `1970-03-29`."""
    return value.str.replace(r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00$", "$1")
