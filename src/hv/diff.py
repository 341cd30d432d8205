"""Two versions of one roster: who was added or removed, what changed per person, which findings were corrected.

An inspection report's 纠正各类信息错误 N 例 is `FindingsDiff.corrected`: findings of the old version
that the new one no longer has, for people still on the roster. A finding that went away with its
person (removed from the roster) is counted apart, as `departed`: deleting a person corrects nothing.

People are matched by ID number first; the people left over on both sides (an ID corrected, or
missing) go through the person-linking engine (`hv.link`), and only its confirmed links count.
A person whose ID was corrected keeps their other findings: they are compared under the new ID.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from hv import findings
from hv.config import LinkConfig
from hv.link import link

if TYPE_CHECKING:
    from hv.api import CheckResult

# Who the person is, shown beside each change; a table without one of them shows it empty.
CONTEXT = ("id_no", "name", "town", "village")
CHANGE_COLUMNS = ("new_index", "old_index", "matched_by", "file", "sheet", "row", "old_row", "id_no", "old_id_no",
                  "name", "town", "village", "field", "old_value", "new_value")
_PAIRS = {"old_index": pl.UInt32, "new_index": pl.UInt32, "matched_by": pl.String}
_PLACE = ["file", "sheet", "row"]


@dataclass
class RosterDiff:
    """Two versions of one list kind, person by person."""

    added: pl.DataFrame  # rows of the new table whose person is not in the old one
    removed: pl.DataFrame  # rows of the old table whose person is not in the new one
    # one row per changed field of a person in both versions (CHANGE_COLUMNS): file, sheet and row
    # in the new version, old_row in the old one; id_no, name, town, village as they are now
    changes: pl.DataFrame
    matched: pl.DataFrame  # old_index, new_index (0-based rows of the two tables), matched_by: id / link

    def counts(self) -> dict[str, int]:
        return {"added": self.added.height, "removed": self.removed.height,
                "changed_people": self.changes["new_index"].n_unique(), "changed_fields": self.changes.height}

    def id_changes(self) -> pl.DataFrame:
        """old_id_no, id_no of the people whose ID number changed between the versions."""
        return (self.changes.filter(pl.col("field") == "id_no").select("old_id_no", "id_no").drop_nulls()
                .unique("old_id_no", keep="first", maintain_order=True))


@dataclass
class FindingsDiff:
    """The findings of two versions compared by fingerprint (hv.findings.fingerprints)."""

    corrected: pl.DataFrame  # old findings gone, their person still on the roster: 纠正 N 例
    departed: pl.DataFrame  # old findings gone because their person left the roster
    still_open: pl.DataFrame  # new findings the old version had too
    introduced: pl.DataFrame  # new findings the old version did not have

    def counts(self) -> dict[str, int]:
        return {"corrected": self.corrected.height, "departed": self.departed.height,
                "still_open": self.still_open.height, "introduced": self.introduced.height}

    def corrected_by_town(self) -> pl.DataFrame:
        """town, rule, count of the corrected findings, as `hv check --history` counts them."""
        return self.corrected.group_by("town", "rule").len("count").sort("town", "rule", nulls_last=True)


@dataclass
class VersionDiff:
    """`hv diff OLD NEW`: every list kind both versions have, and their findings."""

    rosters: dict[str, RosterDiff]
    findings: FindingsDiff


def diff_rosters(old: pl.DataFrame, new: pl.DataFrame, *, link_config: LinkConfig = LinkConfig()) -> RosterDiff:
    """Match the people of two canonical tables of one kind (`ImportResult.tables[kind]`) and compare them.

    A field counts as changed when its cleaned value differs (a mere reformatting such as `男 `
    for `男` does not); where neither version's cell could be cleaned, the raw text decides.
    """
    old, new = (_with_context(t).with_row_index(index) for t, index in ((old, "old_index"), (new, "new_index")))
    by_id = _match_by_id(old, new)
    by_link = _match_by_link(old.join(by_id, on="old_index", how="anti"),
                             new.join(by_id, on="new_index", how="anti"), link_config)
    matched = pl.concat([by_id, by_link])
    fields = [c.removesuffix("_raw") for c in new.columns if c.endswith("_raw") and c in old.columns]
    return RosterDiff(
        added=new.join(matched, on="new_index", how="anti").drop("new_index"),
        removed=old.join(matched, on="old_index", how="anti").drop("old_index"),
        changes=_changes(old, new, matched, fields),
        matched=matched,
    )


def findings_diff(old: pl.DataFrame, new: pl.DataFrame, *, id_changes: pl.DataFrame | None = None,
                  files: dict[str, str] | None = None, removed: pl.DataFrame | None = None) -> FindingsDiff:
    """Compare two findings tables by fingerprint.

    id_changes (old_id_no, id_no) and files (old path: new path) put the old version's findings in
    the new one's terms, so that a corrected ID or a renamed file does not count as every finding
    corrected and found anew. removed (file, sheet, row of the old rows whose person left the
    roster) splits `departed` off `corrected`.
    """
    old, new = findings.conform(old), findings.conform(new)
    renamed = old
    if id_changes is not None:
        renamed = renamed.with_columns(pl.col("id_no").replace(id_changes["old_id_no"], id_changes["id_no"]))
    if files:
        renamed = renamed.with_columns(pl.col("file").replace(list(files), list(files.values())))
    old_keys, new_keys = findings.fingerprints(renamed), findings.fingerprints(new)
    gone = old.filter(~old_keys.is_in(new_keys.implode()))
    departed = _at(gone, removed) if removed is not None else pl.repeat(False, gone.height, eager=True)
    kept = new_keys.is_in(old_keys.implode())
    return FindingsDiff(corrected=gone.filter(~departed), departed=gone.filter(departed),
                        still_open=new.filter(kept), introduced=new.filter(~kept))


def diff_versions(old: CheckResult, new: CheckResult, *, link_config: LinkConfig = LinkConfig()) -> VersionDiff:
    """Both versions checked (`hv.api.check`), compared list kind by list kind and finding by finding.

    When each version is one file, the old file's findings are read as the new file's.
    """
    rosters = {kind: diff_rosters(table, new.imported.tables[kind], link_config=link_config)
               for kind, table in old.imported.tables.items() if kind in new.imported.tables}
    old_files, new_files = _files(old), _files(new)
    files = dict(zip(old_files, new_files)) if len(old_files) == len(new_files) == 1 else None
    id_changes = pl.concat([r.id_changes() for r in rosters.values()]) if rosters else None
    removed = pl.concat([r.removed.select(_PLACE) for r in rosters.values()]) if rosters else None
    return VersionDiff(rosters, findings_diff(old.findings, new.findings, id_changes=id_changes, files=files,
                                              removed=removed))


def _files(result: CheckResult) -> list[str]:
    return list(dict.fromkeys(s.file for s in result.imported.sheets))


def _with_context(table: pl.DataFrame) -> pl.DataFrame:
    return table.with_columns(pl.lit(None, pl.String).alias(c) for c in CONTEXT if c not in table.columns)


def _at(found: pl.DataFrame, rows: pl.DataFrame) -> pl.Series:
    """Whether each finding sits on one of the rows (file, sheet, row)."""
    hits = rows.select(_PLACE).unique().with_columns(pl.lit(True).alias("hit"))
    return found.join(hits, on=_PLACE, how="left", nulls_equal=True, maintain_order="left")["hit"].fill_null(False)


def _match_by_id(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Pairs with the same ID number; an ID on several rows pairs its rows in reading order."""
    def keyed(table: pl.DataFrame, index: str) -> pl.DataFrame:
        return (table.select(index, "id_no").drop_nulls("id_no")
                .with_columns(pl.int_range(pl.len()).over("id_no").alias("occurrence")))

    pairs = keyed(old, "old_index").join(keyed(new, "new_index"), on=["id_no", "occurrence"])
    return pairs.select("old_index", "new_index", pl.lit("id").alias("matched_by")).cast(_PAIRS)


def _match_by_link(old: pl.DataFrame, new: pl.DataFrame, config: LinkConfig) -> pl.DataFrame:
    """The leftovers' confirmed links (outcome `link`); a `possible` one stays removed and added."""
    if old.height == 0 or new.height == 0:
        return pl.DataFrame(schema=_PAIRS)
    links = link(old, new, config).filter(pl.col("outcome") == "link")
    return pl.DataFrame({
        "old_index": old["old_index"].gather(links["left_index"]),
        "new_index": new["new_index"].gather(links["right_index"]),
        "matched_by": pl.repeat("link", links.height, eager=True, dtype=pl.String),
    }).cast(_PAIRS)


def _changes(old: pl.DataFrame, new: pl.DataFrame, matched: pl.DataFrame, fields: list[str]) -> pl.DataFrame:
    """One row per field whose value differs between a person's old and new row, person by person."""
    compared = [*fields, *(f"{f}_raw" for f in fields)]
    pairs = (matched
             .join(old.select("old_index", pl.col("row").alias("old_row"),
                              *(pl.col(c).alias(f"old_{c}") for c in dict.fromkeys(["id_no", *compared]))),
                   on="old_index")
             .join(new.select("new_index", *_PLACE, *dict.fromkeys([*CONTEXT, *compared])), on="new_index"))
    per_field = []
    for f in fields:
        before, after = pl.col(f"old_{f}"), pl.col(f)
        differs = (before.cast(pl.String).ne_missing(after.cast(pl.String))
                   | (before.is_null() & after.is_null() & pl.col(f"old_{f}_raw").ne_missing(pl.col(f"{f}_raw"))))
        per_field.append(pairs.filter(differs).select(
            *CHANGE_COLUMNS[:-3], pl.lit(f).alias("field"),
            pl.coalesce(f"old_{f}_raw", before.cast(pl.String)).alias("old_value"),
            pl.coalesce(f"{f}_raw", after.cast(pl.String)).alias("new_value"),
        ))
    if not per_field:
        return pl.DataFrame(schema={c: pairs.schema.get(c, pl.String) for c in CHANGE_COLUMNS})
    return pl.concat(per_field).sort("new_index", maintain_order=True)
