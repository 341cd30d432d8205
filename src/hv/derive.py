"""Fields a sheet states in other words, turned into the one column every check reads.

An NHSA export gives what the patient paid as 个人账户支出 and 现金支付金额, not as 个人负担总金额; a
one-stop report has several 其他 amounts; an outpatient claims list never says 门诊 in a column,
only in its headers. Each derivation works on a sheet's text cells before cleaning, so the derived
field is cleaned, checked and reported like any other (its raw text is what it was made of).
"""

from __future__ import annotations

import polars as pl

from hv.clean import parse_money
from hv.mapping import Mapping

# Settlement amounts of which a sheet may have several columns: their sum is the field's amount.
SUMMED = ("basic_pay", "serious_pay", "assist_pay", "supp_pay", "other_pay", "large_pay", "civil_servant_pay",
          "hosp_part")
SELF_PAID_PARTS = ("cash_pay", "acct_pay")
OUTPATIENT = "门诊"


def derived_fields(mapping: Mapping) -> dict[str, pl.Expr]:
    """Canonical key -> an expression over the sheet's grid columns (text), for the fields a sheet
    gives in other words. Empty for lists that need none."""
    if mapping.kind != "settlement":
        return {}
    fields, out = mapping.fields, {}
    for key in (k for k in SUMMED if k in mapping.alternates and k in fields):
        columns = [fields[key], *mapping.alternates[key]]
        out[key] = _sum(pl.col(c.name) for c in columns)
    if "self_pay" not in fields and any(k in fields for k in SELF_PAID_PARTS):
        out["self_pay"] = _sum(pl.col(fields[k].name) for k in SELF_PAID_PARTS if k in fields)
    if "visit_type" not in fields and _says_outpatient(mapping):
        out["visit_type"] = pl.lit(OUTPATIENT)
    return out


def _sum(columns) -> pl.Expr:
    """The amounts added up as text, empty where every part is (an empty amount is not a 0)."""
    parts = [parse_money(c) for c in columns]
    return pl.when(pl.any_horizontal(p.is_not_null() for p in parts)).then(
        pl.sum_horizontal(parts).round(2).cast(pl.String))


def _says_outpatient(mapping: Mapping) -> bool:
    """Every header that names a kind of visit says 门诊 (门诊费用, 门诊报销): a list of outpatient claims."""
    headers = [c.header for c in mapping.fields.values()]
    return any(OUTPATIENT in h for h in headers) and not any("住院" in h for h in headers)
