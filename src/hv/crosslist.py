"""Put the lists side by side: link every list to the poverty roster, then give each row what the
other lists say about the same person.

The roster is the spine: a poor person's insurance, contract, treatment, settlements and death
are found through the links to it. Each table comes back with extra columns — `p_*` on the other
lists (the linked roster row), aggregates such as `insurance_active` or `death_date` on the
roster — so cross-list rules are ordinary vectorised checks on one table (rules/coverage.py,
rules/consistency.py), and each finding can point at the row on the other side.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from hv.config import Config
from hv.link import link
from hv.rules.base import Context
from hv.rules.predicates import active_contract, dead, death_date, enrolled, treated
from hv.schema import SchemaSet

SPINE = "poverty"
# lists with one row per person are linked one-to-one; the others (several contracts, diseases
# or settlements per person) link each row to at most one roster person
ONE_PER_PERSON = ("insurance", "death")

# roster columns copied onto the rows linked to it, under a p_ prefix
ROSTER_COLUMNS = ("file", "sheet", "row", "name", "id_no", "sex", "birth_date", "ethnicity", "town", "village",
                  "household_no", "poverty_status", "hh_poverty_type", "person_status", "health_status", "disease")


@dataclass
class Linked:
    tables: dict[str, pl.DataFrame]
    links: dict[str, pl.DataFrame] = field(default_factory=dict)  # kind -> pairs with the roster


def link_lists(tables: dict[str, pl.DataFrame], config: Config, schemas: SchemaSet) -> Linked:
    """Tables unchanged when there is no roster or nothing to link it to."""
    spine = tables.get(SPINE)
    others = {k: t for k, t in tables.items() if k != SPINE}
    if spine is None or not others:
        return Linked(tables)
    pairs = {kind: _confirmed(link(spine, table, config.link, one_to_one=kind in ONE_PER_PERSON))
             for kind, table in others.items()}
    roster = spine.with_row_index("_p")
    linked = {kind: _with_roster(table, pairs[kind], roster) for kind, table in others.items()}
    contexts = {kind: Context(kind, schemas[kind], frozenset(t.columns), config.policy) for kind, t in linked.items()}
    deaths = _death_dates(linked.get("death"), contexts.get("death"))
    enriched = {SPINE: _roster_with_lists(roster, linked, contexts, deaths).drop("_p")}
    for kind, table in linked.items():
        enriched[kind] = _with_death(table, deaths).drop("_p") if kind != "death" else table.drop("_p")
    return Linked(enriched, pairs)


def _confirmed(pairs: pl.DataFrame) -> pl.DataFrame:
    return pairs.select("left_index", "right_index", "score", "outcome", "evidence_zh", "evidence_en",
                        "id_relation", "name_relation")


def _with_roster(table: pl.DataFrame, pairs: pl.DataFrame, roster: pl.DataFrame) -> pl.DataFrame:
    """Each row with its linked roster person (p_* columns) and how sure the link is."""
    present = [c for c in ROSTER_COLUMNS if c in roster.columns]
    person = roster.select("_p", *(pl.col(c).alias(f"p_{c}") for c in present))
    link_cols = pairs.select(
        pl.col("right_index").cast(pl.UInt32).alias("_i"), pl.col("left_index").cast(pl.UInt32).alias("_p"),
        pl.col("score").alias("link_score"), pl.col("outcome").alias("link_outcome"),
        pl.col("evidence_zh").alias("link_evidence_zh"), pl.col("evidence_en").alias("link_evidence_en"),
        "id_relation", "name_relation")
    out = table.with_row_index("_i").join(link_cols, on="_i", how="left").join(person, on="_p", how="left")
    return out.sort("_i").drop("_i")


def _death_dates(deaths: pl.DataFrame | None, ctx: Context | None) -> pl.DataFrame | None:
    """Death date per roster person, from the death list's rows that are deaths (the earliest date)."""
    if deaths is None or ctx is None:
        return None
    return (deaths.filter(pl.col("_p").is_not_null() & (pl.col("link_outcome") == "link") & dead(ctx))
            .group_by("_p").agg(death_date(ctx).min().alias("death_date"), pl.col("row").first().alias("death_row"),
                                pl.col("file").first().alias("death_file"), pl.col("sheet").first().alias("death_sheet")))


def _with_death(table: pl.DataFrame, deaths: pl.DataFrame | None) -> pl.DataFrame:
    if deaths is None:
        return table
    return table.join(deaths.rename({"death_date": "p_death_date", "death_row": "p_death_row",
                                     "death_file": "p_death_file", "death_sheet": "p_death_sheet"}),
                      on="_p", how="left")


def _roster_with_lists(roster: pl.DataFrame, linked: dict[str, pl.DataFrame], contexts: dict[str, Context],
                       deaths: pl.DataFrame | None) -> pl.DataFrame:
    """Per roster person: what each other list says (counts, active enrolment and contract …)."""
    out = roster
    for kind, table in linked.items():
        confirmed = table.filter(pl.col("_p").is_not_null() & (pl.col("link_outcome") == "link"))
        aggregates = [pl.len().alias(f"{kind}_n"), pl.col("row").first().alias(f"{kind}_row"),
                      pl.col("file").first().alias(f"{kind}_file"), pl.col("sheet").first().alias(f"{kind}_sheet"),
                      *_id_of(table.columns, kind),
                      *_facts(kind, contexts[kind])]
        summary = confirmed.group_by("_p").agg(aggregates)
        # rows a clerk still has to confirm (a possible link): the person may be on the list after all
        possible = (table.filter(pl.col("_p").is_not_null() & (pl.col("link_outcome") == "possible"))
                    .group_by("_p").agg(pl.len().alias(f"{kind}_possible_n")))
        out = (out.join(summary, on="_p", how="left").join(possible, on="_p", how="left")
               .with_columns(pl.col(f"{kind}_n").fill_null(0), pl.col(f"{kind}_possible_n").fill_null(0)))
    if deaths is not None:
        out = out.join(deaths.select("_p", "death_date"), on="_p", how="left")
    return out.sort("_p")


def _facts(kind: str, ctx: Context) -> list[pl.Expr]:
    """What the rules need to know from one list about a person, as aggregations of the shared
    predicates (rules.predicates), so that a rate and the findings say the same."""
    columns = list(ctx.columns)
    if kind == "insurance":
        return [enrolled(ctx).any().alias("insurance_active")]
    if kind == "contract":
        return [active_contract(ctx).any().alias("contract_active"), *_disease_text(kind, columns, ("crowd", "disease"))]
    if kind == "treatment":
        return [treated(ctx).any().alias("treatment_ok"), *_disease_text(kind, columns, ("disease",))]
    return []


def _id_of(columns: list[str], kind: str) -> list[pl.Expr]:
    """`<kind>_id_no`, `<kind>_id_relation`: the linked row's ID number and how it relates to the roster's."""
    if "id_no" not in columns:
        return []
    return [pl.col("id_no").first().alias(f"{kind}_id_no"), pl.col("id_relation").first().alias(f"{kind}_id_relation")]


def _disease_text(kind: str, columns: list[str], keys: tuple[str, ...]) -> list[pl.Expr]:
    """`<kind>_disease`: what the person's rows say about diseases (人群分类, 病种), joined with |."""
    present = [k for k in keys if k in columns]
    if not present:
        return []
    text = pl.concat_str([pl.col(k) for k in present], separator="|", ignore_nulls=True)
    return [text.str.join("|").alias(f"{kind}_disease")]


def households(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """file, sheet, row -> the household (户编号) of every row: its own, else its roster person's, so
    that an inspection list can group a household's problems from every list together."""
    frames = []
    for table in tables.values():
        keys = [pl.col(k) for k in ("household_no", "p_household_no") if k in table.columns]
        if keys:
            frames.append(table.select("file", "sheet", "row", pl.coalesce(keys).alias("household")))
    schema = {"file": pl.String, "sheet": pl.String, "row": pl.Int64, "household": pl.String}
    return pl.concat([f.cast(schema) for f in frames]).filter(pl.col("household").is_not_null()) if frames \
        else pl.DataFrame(schema=schema)
