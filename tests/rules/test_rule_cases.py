"""Every rule's cases, one YAML file per rule code in cases/ (the sqlfluff shape).

A case lists the rows of one or more small lists, the policy it runs under, and the findings of
that rule it must produce — by file, Excel row and field. A case whose `expect` is empty is a
pass case: the rule must stay silent. The files are written as real CSV or xlsx in a temporary
folder and go through hv's whole reading pipeline.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from hv.api import check
from hv.config import Config, ListSpec, parse_config
from tests.conftest import write_csv, write_xlsx

CASES = Path(__file__).parent / "cases"


def load_cases() -> list:
    params = []
    for path in sorted(CASES.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for name, case in doc["cases"].items():
            params.append(pytest.param(doc, case, id=f"{doc['rule']}-{name}"))
    return params


def write_lists(case: dict, default_kind: str, folder: Path) -> list[ListSpec]:
    """`headers`/`rows` make one list of the file's kind; `lists` names several files."""
    lists = case.get("lists") or {f"{default_kind}.csv": {"headers": case["headers"], "rows": case["rows"]}}
    specs = []
    for name, spec in lists.items():
        path = folder / name
        rows = [spec["headers"], *[[None if v is None else str(v) for v in row] for row in spec["rows"]]]
        if path.suffix == ".xlsx":
            write_xlsx(path, {spec.get("sheet", "Sheet1"): rows})
        else:
            write_csv(path, rows)
        specs.append(ListSpec(path, spec.get("kind", default_kind if len(lists) == 1 else None)))
    return specs


def config_for(doc: dict, case: dict, folder: Path) -> Config:
    raw = {"policy": {"ref_date": date(2020, 12, 31), **doc.get("policy", {}), **case.get("policy", {})},
           "rules": {"select": [doc["rule"]]}}
    return parse_config(raw, folder / "hv.toml")


@pytest.mark.parametrize("doc, case", load_cases())
def test_rule_case(doc, case, tmp_path):
    specs = write_lists(case, doc.get("kind", "poverty"), tmp_path)
    result = check(specs, config_for(doc, case, tmp_path))
    found = result.findings.filter(result.findings["rule"] == doc["rule"])
    expected = case.get("expect") or []
    keys = sorted({k for e in expected for k in e}) or ["row"]
    actual = sorted((tuple(_plain(k, row[k]) for k in keys) for row in found.iter_rows(named=True)), key=str)
    wanted = sorted((tuple(e.get(k) for k in keys) for e in expected), key=str)
    assert actual == wanted, f"{doc['rule']}: expected {keys}={wanted}, got {actual}"


def _plain(key: str, value):
    """Files are named without their temporary folder; numbers compare as written in YAML."""
    if key in ("file", "related_file") and value:
        return Path(value).name
    return value
