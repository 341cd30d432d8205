"""The library face of hv: what the command line calls, and what other programs and tests call."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from hv import findings, reference, systematic
from hv import rates as rates_table
from hv.config import Config, ListSpec, Policy
from hv.crosslist import Linked, link_lists
from hv.engine import run_rules
from hv.importer import ImportResult, attach_columns, import_files
from hv.rules import REGISTRY, Context, Rule, select_rules
from hv.schema import load_schemas


@dataclass
class CheckResult:
    imported: ImportResult
    findings: pl.DataFrame
    rules: list[Rule]
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase: read, link, rules
    linked: Linked | None = None  # the tables with what the other lists say, and the links
    rates: pl.DataFrame = field(default_factory=rates_table.empty)  # hv.rates: by county, 乡镇 and 村
    not_checked: pl.DataFrame = field(default_factory=lambda: not_checked_table([]))  # rules that could not run, where, why
    policy: Policy = field(default_factory=Policy)  # the policy the run used, with its reference date settled

    def count_at_or_above(self, severity: str) -> int:
        levels = {"error": ("error",), "warning": ("error", "warning"), "info": ("error", "warning", "info")}
        return self.findings.filter(pl.col("severity").is_in(levels[severity])).height


def check(paths: list[Path | str | ListSpec], config: Config | None = None, *, kind: str | None = None,
          lang: str = "zh") -> CheckResult:
    """Read the lists, link them to the poverty roster, run the selected rules, return every finding."""
    config = config or Config()
    rules = select_rules(config.rules.select, config.rules.ignore)
    severity = config.rules.severity
    schemas = load_schemas(config.schema_dirs, config.vocab)
    started = time.perf_counter()
    imported = import_files(paths or list(config.lists), kind=kind, schemas=schemas, lang=lang,
                            severity=severity, rules=rules)
    read_done = time.perf_counter()
    config = replace(config, policy=reference.settle(config.policy, imported.tables, imported.sources))
    labels = {s.kind: s.label if lang == "zh" else s.label_en for s in schemas}
    list_rules = [r for r in rules if r.check is not None and not r.at_import]
    stale = [f for f in reference.stale_lists(imported.tables, config.policy, labels, lang)
             if any(r.code == f["rule"] for r in rules)]
    found = [imported.findings, findings.concat([pl.DataFrame(stale)]) if stale else findings.empty()]
    gaps: list[dict] = []
    linked = link_lists(imported.tables, config, schemas)
    link_done = time.perf_counter()
    kinds = frozenset(linked.tables)
    for list_kind, table in linked.tables.items():
        ctx = Context(list_kind, schemas[list_kind], frozenset(table.columns), config.policy, lang,
                      sources=tuple(imported.sources_of(list_kind)), lists=kinds)
        run = run_rules(table, ctx, list_rules, lang=lang, severity=severity)
        found.append(attach_columns(run.findings, imported.headers))
        gaps += run.not_checked
    result = findings.concat(found)
    rows = pl.concat([t.group_by("file").len("total").with_columns(list=pl.lit(k)) for k, t in linked.tables.items()]
                     ) if linked.tables else pl.DataFrame(schema={"file": pl.String, "total": pl.UInt32, "list": pl.String})
    names = {r.code: r.summary if lang == "zh" else r.name for r in REGISTRY.values()}
    result = findings.sort(systematic.collapse(result, rows, names, lang, config.systematic))
    rules_done = time.perf_counter()
    rates = rates_table.compute(linked.tables, result, config.policy, schemas, lang)
    timings = {**imported.timings, "read": read_done - started, "link": link_done - read_done,
               "rules": rules_done - link_done, "rates": time.perf_counter() - rules_done}
    return CheckResult(imported, result, rules, timings, linked, rates, not_checked_table(gaps), config.policy)


NOT_CHECKED = {"rule": pl.String, "list": pl.String, "file": pl.String, "sheet": pl.String,
               "missing": pl.List(pl.String), "reason": pl.String}


def not_checked_table(gaps: list[dict]) -> pl.DataFrame:
    """One row per rule and place it did not run: the whole list (file empty) or one sheet."""
    return pl.DataFrame(gaps, schema=NOT_CHECKED).sort("list", "rule", "file", "sheet", nulls_last=True)
