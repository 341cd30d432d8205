"""The day the lists are judged at, and lists whose dates end long before it.

Checking 2020 lists against today turns every contract into an expired one and every age into a
wrong one. The reference date is what the configuration or the command line says; else the date
the lists state (a 填报日期 line above the header, a 数据日期 column); else today, and then a list
whose dates end years before it gets a warning that says which date to give.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl

from hv.config import Policy
from hv.rules.imp import STALE_LIST
from hv.source import Source

# Dates that say when a list's events happened (not when a person was born or first registered).
ACTIVITY_DATES = {
    "poverty": ("data_date",), "insurance": ("data_date", "insured_date"),
    "contract": ("data_date", "sign_date", "sign_start", "followup_date"),
    "treatment": ("data_date", "treat_date", "diagnosis_date"),
    "settlement": ("data_date", "settle_date", "admit_date", "discharge_date"),
    "death": ("data_date", "death_date", "exit_date", "cancel_date", "cremation_date"),
}
STALE_AFTER_DAYS = 2 * 365


def settle(policy: Policy, tables: dict[str, pl.DataFrame], sources: list[Source]) -> Policy:
    """The policy with its reference date: a date nobody gave is the latest date the lists state."""
    if policy.ref_date_from != "today":
        return policy
    stated = [s.stated_date for s in sources if s.stated_date] + [
        t["data_date"].max() for t in tables.values() if "data_date" in t.columns and t["data_date"].max()]
    return replace(policy, ref_date=max(stated), ref_date_from="list") if stated else policy


def latest_dates(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """kind, file -> the latest activity date of its rows (a 年度 column counts as its 31 December)."""
    frames = []
    for kind, table in tables.items():
        dates = [pl.col(k) for k in ACTIVITY_DATES.get(kind, ()) if k in table.columns]
        if "year" in table.columns:
            dates.append(pl.date(pl.col("year"), 12, 31))
        if dates:
            frames.append(table.group_by("file").agg(pl.max_horizontal(dates).max().alias("latest"))
                          .with_columns(kind=pl.lit(kind)))
    return pl.concat(frames).drop_nulls("latest") if frames else pl.DataFrame(
        schema={"file": pl.String, "latest": pl.Date, "kind": pl.String})


def stale_lists(tables: dict[str, pl.DataFrame], policy: Policy, labels: dict[str, str], lang: str) -> list[dict]:
    """A warning (IMP016) for each list whose dates all end years before the reference date."""
    out = []
    for file, latest, kind in latest_dates(tables).iter_rows():
        if (policy.ref_date - latest).days <= STALE_AFTER_DAYS:
            continue
        years = (policy.ref_date - latest).days // 365
        suggested = date(latest.year, 12, 31)
        out.append({"rule": STALE_LIST.code, "severity": STALE_LIST.severity, "category": STALE_LIST.category,
                    "list": kind, "file": file, "sheet": "", "message": STALE_LIST.message(lang).format(
                        label=labels.get(kind, kind), latest=latest, ref=policy.ref_date, years=years,
                        source=SOURCES[lang].get(policy.ref_date_from, policy.ref_date_from), suggested=suggested)})
    return out


SOURCES = {"zh": {"today": "今天", "config": "配置文件所设", "command line": "命令行所设", "list": "名单所注"},
           "en": {"today": "today", "config": "set in the configuration", "command line": "given on the command line",
                  "list": "stated by the lists"}}


def described(policy: Policy, lang: str) -> str:
    """The reference date as every report states it: the day and where it came from."""
    zh = lang == "zh"
    where = SOURCES[lang].get(policy.ref_date_from, policy.ref_date_from)
    return f"核查基准日 {policy.ref_date}（{where}）" if zh else f"reference date {policy.ref_date} ({where})"
