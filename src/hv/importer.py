"""Read, map and clean input files into canonical tables: the first stage of every command."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl

from hv import findings
from hv.clean import NEEDS_NFKC, clean_frame
from hv.config import ListSpec
from hv.derive import derived_fields
from hv.engine import run_rules
from hv.errors import InputError
from hv.layout import SCAN_ROWS, Table, find_table
from hv.mapping import KindEvidence, Mapping, detect_kind, map_columns
from hv.profile import Profile, profile_columns
from hv.read import ROW, Grid, Workbook, read_workbook
from hv.rules import imp  # the package import also registers the whole catalog
from hv.rules.base import REGISTRY, Context, Rule
from hv.schema import Schema, SchemaSet, load_schemas, normalize_value
from hv.source import Source

PROVENANCE = ("kind", "file", "sheet", "row", "source", "as_of")


@dataclass
class SheetSummary:
    """What happened to one sheet: the lines of `hv import`'s summary."""

    file: str
    sheet: str
    fmt: str
    encoding: str | None = None
    kind: str | None = None
    header_rows: tuple[int, ...] = ()
    rows: int = 0
    dropped_total: int = 0
    dropped_blank: int = 0
    dropped_repeated_header: int = 0
    title_rows: int = 0
    merged_filled: int = 0
    dropped_column_numbers: int = 0
    unmapped: list[str] = field(default_factory=list)
    skipped: str | None = None  # why the sheet was not read: empty, hidden, no-header, unknown-kind
    evidence: list[KindEvidence] = field(default_factory=list)  # the kinds it could be, best first
    mapping: Mapping | None = None  # how each column was understood (hv import --explain)
    embedded: list[Mapping] = field(default_factory=list)  # lists read from the same rows (a roster's 签约 columns)
    stated_date: date | None = None

    @property
    def dropped(self) -> int:
        return self.dropped_total + self.dropped_blank + self.dropped_repeated_header + self.dropped_column_numbers




@dataclass
class ImportResult:
    tables: dict[str, pl.DataFrame]  # list kind -> canonical table
    sheets: list[SheetSummary]
    findings: pl.DataFrame
    headers: pl.DataFrame  # file, sheet, field -> the header text (column) and Excel letter in that sheet
    # seconds: "files" reading cells, "tables" finding headers + mapping + cleaning, "diagnostics"
    timings: dict[str, float] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)

    def sources_of(self, kind: str) -> list[Source]:
        return [s for s in self.sources if s.kind == kind]

    def combined(self) -> pl.DataFrame:
        """All kinds in one table (columns a kind lacks are null)."""
        frames = list(self.tables.values())
        return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()


def import_files(paths: list[Path | str | ListSpec], *, kind: str | None = None, schemas: SchemaSet | None = None,
                 lang: str = "zh", severity: dict[str, str] | None = None,
                 rules: list[Rule] | None = None) -> ImportResult:
    """Read every file; raise InputError (exit 2) for a file that cannot be used at all.

    `rules` restricts the diagnostics that run while reading (IMP…, ID006); default: all of them.
    A ListSpec gives one file its own kind; `kind` applies to the others.
    """
    schemas = schemas or load_schemas()
    specs = [p if isinstance(p, ListSpec) else ListSpec(Path(p), kind) for p in paths]
    for spec in specs:
        if spec.kind is not None:
            schemas[spec.kind]  # noqa: B018 - fail early on an unknown kind
    enabled = {r.code for r in (rules if rules is not None else REGISTRY.values())}
    notes: list[dict] = []
    sheets: list[SheetSummary] = []
    sources: list[Source] = []
    frames: dict[str, list[pl.DataFrame]] = {}
    headers: list[dict] = []
    timings = {"files": 0.0, "tables": 0.0, "diagnostics": 0.0}
    for spec in specs:
        path, kind = spec.path, spec.kind
        started = time.perf_counter()
        workbook = read_workbook(path)
        timings["files"] += time.perf_counter() - started
        started = time.perf_counter()
        _file_notes(workbook, notes, lang)
        usable = 0
        for grid in workbook.grids:
            summary = SheetSummary(str(path), grid.sheet, grid.fmt, workbook.encoding)
            sheets.append(summary)
            table = _sheet_table(grid, summary, schemas, kind, notes, lang, spec.columns)
            if table is None:
                continue
            profiles = profile_columns(table.data, [c.name for c in table.columns if c.header])
            mapping = _sheet_mapping(table, summary, schemas, kind, path, spec.columns, notes, lang, profiles)
            if mapping is None:
                continue
            usable += 1
            _sheet_notes(table, mapping, schemas[mapping.kind], summary, notes, lang)
            summary.embedded = _embedded(table, mapping, schemas, profiles, spec.columns)
            for part in (mapping, *summary.embedded):
                headers.extend({"file": str(path), "sheet": grid.sheet, "field": key, "column": col.qualified,
                                "letter": col.letter} for key, col in part.fields.items() if part is mapping
                               or key not in mapping.fields)
                source = Source(len(sources), str(path), grid.sheet, part.kind, part.unit,
                                frozenset(part.fields) | set(derived_fields(part)), table.stated_date,
                                embedded=part is not mapping)
                sources.append(source)
                raw = _raw_fields(table, part, source)
                if source.embedded:  # the roster's people without a word in the embedded columns are not in that list
                    own = [k for k in part.fields if k not in IDENTITY]
                    raw = raw.filter(pl.any_horizontal(pl.col(k).str.strip_chars().fill_null("") != "" for k in own))
                frames.setdefault(part.kind, []).append(raw)
        if not usable:
            raise _unusable(workbook, sheets)
        timings["tables"] += time.perf_counter() - started
    started = time.perf_counter()
    # sheets are stacked before cleaning, so that each kind is cleaned once; one chunk per column
    # before and after (polars 2.1 panics in some window expressions over many chunks, and the
    # rules' windows run a third slower over the chunks cleaning leaves)
    tables = {k: _canonical(pl.concat(v, how="diagonal_relaxed").rechunk(), schemas[k]).rechunk()
              for k, v in frames.items()}
    if all(t.height == 0 for t in tables.values()):
        raise InputError("表头下面没有任何人员行（读入 0 行）", "no data rows under the header (0 rows read)",
                         file=specs[0].path if len(specs) == 1 else None)
    header_frame = pl.DataFrame(headers, schema={"file": pl.String, "sheet": pl.String, "field": pl.String,
                                                 "column": pl.String, "letter": pl.String})
    found = [pl.DataFrame(notes) if notes else findings.empty()]
    import_rules = [r for r in REGISTRY.values() if r.at_import and r.check and r.code in enabled]
    for k, table in tables.items():
        ctx = Context(k, schemas[k], frozenset(table.columns), lang=lang,
                      sources=tuple(s for s in sources if s.kind == k))
        found.append(run_rules(table, ctx, import_rules, lang=lang, severity=severity).findings)
    result = attach_columns(findings.concat(found).filter(pl.col("rule").is_in(list(enabled))), header_frame)
    timings["diagnostics"] = time.perf_counter() - started
    return ImportResult(tables, sheets, result, header_frame, timings, sources)


def attach_columns(found: pl.DataFrame, headers: pl.DataFrame) -> pl.DataFrame:
    """Fill each finding's `column` with the header text of its field in its own sheet."""
    if found.height == 0 or headers.height == 0:
        return found
    joined = found.join(headers.select("file", "sheet", "field", pl.col("column").alias("_header")),
                        on=["file", "sheet", "field"], how="left",
                        nulls_equal=True, maintain_order="left")
    return joined.with_columns(pl.coalesce("column", "_header").alias("column")).drop("_header")


def _sheet_table(grid: Grid, summary: SheetSummary, schemas: SchemaSet, kind: str | None, notes: list[dict],
                 lang: str, pins: dict[str, str]) -> Table | None:
    if grid.hidden:
        summary.skipped = "hidden"
        notes.append(_note(imp.HIDDEN_SHEET, lang, grid.file, grid.sheet))
        return None
    if grid.cells.height == 0 or grid.cells.drop(ROW).null_count().sum_horizontal().item() == (
            grid.cells.height * (grid.cells.width - 1)):
        summary.skipped = "empty"
        return None
    table = find_table(grid, _known_headers(schemas, kind, pins))
    if table is None:
        summary.skipped = "no-header"
        notes.append(_note(imp.NO_HEADER, lang, grid.file, grid.sheet, scan=SCAN_ROWS))
    return table


@lru_cache(maxsize=64)
def _known_spellings(schemas: SchemaSet, kind: str | None) -> frozenset[str]:
    """Every header spelling (and header core) the schemas know: what a header row is made of."""
    return frozenset().union(*(set(s.header_index) | set(s.core_index) | set(s.pins)
                               for s in schemas if kind is None or s.kind == kind))


def _known_headers(schemas: SchemaSet, kind: str | None, pins: dict[str, str]) -> set[str]:
    return set(_known_spellings(schemas, kind)) | {normalize_value(h) for h in pins}


def _sheet_mapping(table: Table, summary: SheetSummary, schemas: SchemaSet, kind: str | None,
                   path: Path | str, pins: dict[str, str], notes: list[dict], lang: str,
                   profiles: dict[str, Profile]) -> Mapping | None:
    grid = table.grid
    if kind is None:
        ranked = detect_kind(table.columns, schemas, path, grid.sheet, profiles, table.title)
        summary.evidence = ranked
        if not ranked:
            summary.skipped = "unknown-kind"
            return None
        kind = ranked[0].kind
        rival = next((e for e in ranked[1:] if e.kind not in schemas[kind].embeds), None)
        if rival is not None and rival.score >= ranked[0].score - KIND_MARGIN:
            a, b = schemas[kind], schemas[rival.kind]
            notes.append(_note(imp.KIND_UNCERTAIN, lang, grid.file, grid.sheet, table.header_rows[-1],
                               chosen=a.label if lang == "zh" else a.label_en, other=b.label if lang == "zh"
                               else b.label_en, kind=a.kind, other_kind=b.kind))
    schema = schemas[kind]
    _check_pins(pins, schema, path)
    mapping = map_columns(table.columns, schema, profiles, pins)
    summary.mapping = mapping
    for key in schema.required:
        if key not in mapping.fields:
            f = schema.fields[key]
            accepted = "、".join(dict.fromkeys([f.label, *f.synonyms[:5]]))
            raise InputError(
                f"「{schema.label}」缺少必需的列（可用的列名：{accepted}）",
                f"the {schema.kind} list lacks a required column (accepted headers: {', '.join(f.synonyms[:5])})",
                file=path, sheet=grid.sheet or None, column=f.label)
    summary.kind = kind
    summary.header_rows = table.header_rows
    summary.rows = table.data.height
    summary.dropped_total = table.dropped_total
    summary.dropped_blank = table.dropped_blank
    summary.dropped_repeated_header = table.dropped_repeated_header
    summary.title_rows = table.title_rows
    summary.merged_filled = table.merged_filled
    summary.dropped_column_numbers = table.dropped_column_numbers
    summary.stated_date = table.stated_date
    summary.unmapped = [c.header for c in mapping.unmapped]
    return mapping


# Kind scores closer than this are a guess hv says it made (IMP011), not a silent choice.
KIND_MARGIN = 0.5
# What an embedded list keeps besides its own columns: enough to find the person and place it.
IDENTITY = ("id_no", "name", "sex", "birth_date", "town", "village", "household_no")
EMBEDDED_MIN_FIELDS = 2


def _embedded(table: Table, host: Mapping, schemas: SchemaSet, profiles: dict[str, Profile],
              pins: dict[str, str]) -> list[Mapping]:
    """The lists a sheet carries inside its own (schema `embeds`): a roster's 签约状态, 签约开始日期,
    随访次数 read as the contract list they are, row for row. Only columns the host list does not
    use, beside the person's identity."""
    used = {col.name for col in host.fields.values()}
    out = []
    for kind in schemas[host.kind].embeds:
        schema = schemas[kind]
        mapping = map_columns(table.columns, schema, profiles, pins)
        own = {k: c for k, c in mapping.fields.items() if k in schema.signature and c.name not in used}
        if len(own) < EMBEDDED_MIN_FIELDS:
            continue
        identity = {k: c for k, c in host.fields.items() if k in IDENTITY and k in schema.fields}
        out.append(Mapping(kind, {**identity, **own}, choices=mapping.choices, unit=host.unit))
    return out


def _check_pins(pins: dict[str, str], schema: Schema, path: Path | str) -> None:
    for header, key in pins.items():
        if key and key not in schema.fields:
            raise InputError(f"配置把列「{header}」指定为字段 {key}，但「{schema.label}」没有这个字段（hv schema {schema.kind} 可查看字段）",
                             f"the configuration pins column '{header}' to {key}, which the {schema.kind} list "
                             f"does not have (see hv schema {schema.kind})", file=path)


def _raw_fields(table: Table, mapping: Mapping, source: Source) -> pl.DataFrame:
    """The sheet's mapped columns under their canonical keys, still as text, with provenance. A
    second column of one field is kept as it was written, beside it (`<key>_alt1_raw`)."""
    alternates = [pl.col(col.name).alias(f"{key}_alt{i}_raw")
                  for key, cols in mapping.alternates.items() for i, col in enumerate(cols, 1)]
    fields = {key: pl.col(col.name) for key, col in mapping.fields.items()} | derived_fields(mapping)
    return table.data.select(
        pl.lit(mapping.kind).alias("kind"), pl.lit(source.file).alias("file"), pl.lit(table.grid.sheet).alias("sheet"),
        pl.col(ROW).cast(pl.Int64).alias("row"), pl.lit(source.index, pl.Int32).alias("source"),
        pl.lit(source.stated_date, pl.Date).alias("as_of"),
        *(expr.alias(key) for key, expr in fields.items()), *alternates)


def _canonical(raw: pl.DataFrame, schema) -> pl.DataFrame:
    kept = [c for c in raw.columns if c.endswith("_raw")]  # alternates: kept as written
    columns = {key: key for key in raw.columns if key not in PROVENANCE and key not in kept}
    scan = raw.select(pl.col(c).str.contains(NEEDS_NFKC).any() for c in columns)
    needs_nfkc = {c for c in scan.columns if scan[c].item()}
    return clean_frame(raw, schema, columns, [pl.col(c) for c in (*PROVENANCE, *kept)], needs_nfkc)


def _unusable(workbook: Workbook, sheets: list[SheetSummary]) -> InputError:
    mine = [s for s in sheets if s.file == str(workbook.path)]
    if all(s.skipped in ("empty", "hidden") for s in mine):
        return InputError("文件里没有数据（所有工作表都是空的）", "no data: every sheet is empty", file=workbook.path)
    if any(s.skipped == "unknown-kind" for s in mine):
        return InputError("无法判断名单类型（表头里没有花名册、参保、签约、救治、结算或死亡名单特有的列），请用 --kind 指定",
                          "cannot tell the list kind from the headers; pass --kind", file=workbook.path)
    return InputError("找不到可识别的表头：前 30 行中没有一行包含“姓名”“身份证号”等至少两个标准列名",
                      "no recognisable header: no row in the first 30 has two known column names",
                      file=workbook.path)


def _note(r: Rule, lang: str, file: str, sheet: str | None, row: int | None = None, field: str | None = None,
          column: str | None = None, **args: object) -> dict:
    return {"rule": r.code, "severity": r.severity, "category": r.category, "list": None, "file": file,
            "sheet": sheet or "", "row": row, "column": column, "field": field,
            "message": r.message(lang).format(column=column or "", **{k: str(v) for k, v in args.items()})}


def _file_notes(workbook: Workbook, notes: list[dict], lang: str) -> None:
    file = str(workbook.path)
    if workbook.format_mismatch:
        real = {"html": "HTML 网页表格" if lang == "zh" else "an HTML table",
                "csv": "逗号分隔文本" if lang == "zh" else "comma-separated text",
                "tsv": "制表符分隔文本" if lang == "zh" else "tab-separated text",
                "xml2003": "Excel 2003 XML 表格" if lang == "zh" else "Excel 2003 XML"}[workbook.fmt]
        notes.append(_note(imp.FORMAT_MISMATCH, lang, file, None, declared=workbook.declared, real=real))
    if workbook.encoding:
        notes.append(_note(imp.ENCODING, lang, file, None, encoding=workbook.encoding))


def _sheet_notes(table: Table, mapping: Mapping, schema, summary: SheetSummary, notes: list[dict],
                 lang: str) -> None:
    file, sheet, header_row = summary.file, summary.sheet, summary.header_rows[-1]
    for key in schema.recommended:
        if key not in mapping.fields:
            notes.append(_note(imp.MISSING_RECOMMENDED, lang, file, sheet, header_row, key,
                               label=schema.label_of(key, lang)))
    done = _layout_words(summary, lang)
    if done:
        notes.append(_note(imp.LAYOUT, lang, file, sheet, header_row, what="；".join(done) if lang == "zh"
                           else "; ".join(done)))
    if mapping.unmapped:
        sep = "、" if lang == "zh" else ", "
        notes.append(_note(imp.UNMAPPED, lang, file, sheet, header_row, kind_label=schema.label if lang == "zh"
                           else schema.label_en, columns=sep.join(c.header for c in mapping.unmapped)))
    for ignored, used, key in mapping.duplicates:
        notes.append(_note(imp.DUPLICATE_COLUMN, lang, file, sheet, header_row, key, ignored.header,
                           first=used.header, label=schema.label_of(key, lang)))
    for choice in mapping.choices:
        if choice.how in ("ambiguous", "misfit"):
            notes.append(_note(imp.COLUMN_UNCLEAR, lang, file, sheet, header_row, None, choice.column.header,
                               reason=choice.reason(schema, lang)))
        elif choice.how == "content":
            notes.append(_note(imp.COLUMN_BY_CONTENT, lang, file, sheet, header_row, choice.key, choice.column.header,
                               label=schema.label_of(choice.key, lang)))
    if mapping.unit == "household":
        notes.append(_note(imp.HOUSEHOLD_LEVEL, lang, file, sheet, header_row, "name",
                           mapping.fields["name"].header if "name" in mapping.fields else None))


def _layout_words(s: SheetSummary, lang: str) -> list[str]:
    zh = lang == "zh"
    words = []
    if s.title_rows:
        words.append(f"跳过表头上方 {s.title_rows} 行标题" if zh else f"skipped {s.title_rows} title rows")
    if len(s.header_rows) > 1:
        words.append(f"合并第 {s.header_rows[0]}–{s.header_rows[-1]} 行为表头" if zh
                     else f"combined rows {s.header_rows[0]}-{s.header_rows[-1]} into one header")
    if s.merged_filled:
        words.append(f"按合并单元格填充 {s.merged_filled} 个单元格" if zh
                     else f"filled {s.merged_filled} cells from merged ranges")
    if s.dropped_total:
        words.append(f"去掉 {s.dropped_total} 行合计/小计/签字行" if zh
                     else f"dropped {s.dropped_total} total/signature rows")
    if s.dropped_blank:
        words.append(f"去掉 {s.dropped_blank} 个空行" if zh else f"dropped {s.dropped_blank} blank rows")
    if s.dropped_column_numbers:
        words.append("去掉表头下的栏次行" if zh else "dropped the column-number row under the header")
    if s.dropped_repeated_header:
        words.append(f"去掉 {s.dropped_repeated_header} 行重复表头" if zh
                     else f"dropped {s.dropped_repeated_header} repeated header rows")
    return words



def explain(summary: SheetSummary, schemas: SchemaSet, lang: str = "zh") -> tuple[list[str], list[list[str]]]:
    """How hv understood one sheet (hv import --explain): lines about the sheet, then one row per
    column: letter, header, field, and why."""
    zh = lang == "zh"
    name = Path(summary.file).name + (f" / {summary.sheet}" if summary.sheet else "")
    if summary.skipped or summary.mapping is None:
        return [f"{name}：{summary.skipped}" if zh else f"{name}: {summary.skipped}"], []
    schema = schemas[summary.kind]

    def label(kind: str) -> str:
        return schemas[kind].label if zh else schemas[kind].label_en

    lines = [f"{name}：按「{label(summary.kind)}」读取" if zh else f"{name}: read as a {summary.kind} list"]
    for e in summary.evidence[:3]:
        reasons = "、".join(e.reasons) if zh else ", ".join(e.reasons)
        lines.append(f"  {label(e.kind)}：证据 {e.score:g}（{reasons}）" if zh else f"  {e.kind}: evidence {e.score:g} ({reasons})")
    rows = "–".join(map(str, (summary.header_rows[0], summary.header_rows[-1]))) if len(summary.header_rows) > 1 \
        else str(summary.header_rows[0])
    lines.append(f"  表头在第 {rows} 行；读入 {summary.rows:,} 行" if zh else f"  header on row {rows}; {summary.rows:,} rows")
    if summary.mapping.unit == "household":
        lines.append("  一户一行：以户主为准" if zh else "  one row per household, named by its head")
    for part in summary.embedded:
        own = [k for k in part.fields if k not in IDENTITY]
        names = "、".join(schemas[part.kind].label_of(k, lang) for k in own) if zh else ", ".join(own)
        lines.append(f"  同一行里还有「{label(part.kind)}」的列，另作一份{label(part.kind)}核对：{names}" if zh
                     else f"  the rows also hold {part.kind} columns, checked as a {part.kind} list: {names}")
    # a column the host list does not use may be understood by a list embedded in it
    others = {id(c.column): (part.kind, c) for part in summary.embedded for c in part.choices
              if c.key or c.how in ("ambiguous", "alternate", "misfit")}
    table = []
    for choice in summary.mapping.choices:
        owner, shown = schema, choice
        if not choice.key and id(choice.column) in others:
            kind, shown = others[id(choice.column)]
            owner = schemas[kind]
        field_text = f"{shown.key}（{owner.label_of(shown.key, lang)}）" if zh and shown.key else (shown.key or "")
        why = shown.reason(owner, lang)
        if owner is not schema:
            why = (f"「{label(owner.kind)}」的列：" if zh else f"{owner.kind} column: ") + why
        table.append([choice.column.letter, choice.column.qualified, field_text, why])
    return lines, table
