"""Header text -> canonical keys, and which list kind a sheet is."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hv.layout import Column
from hv.schema import Schema, SchemaSet


@dataclass
class Mapping:
    kind: str
    fields: dict[str, Column] = field(default_factory=dict)  # canonical key -> first column
    unmapped: list[Column] = field(default_factory=list)
    duplicates: list[tuple[Column, Column, str]] = field(default_factory=list)  # (ignored, used, key)


def map_columns(columns: list[Column], schema: Schema) -> Mapping:
    index = schema.header_index
    result = Mapping(schema.kind)
    for col in columns:
        key = next((index[c] for c in col.candidates if c in index), None)
        if key is None:
            if col.header:
                result.unmapped.append(col)
        elif key in result.fields:
            result.duplicates.append((col, result.fields[key], key))
        else:
            result.fields[key] = col
    return result


def detect_kind(columns: list[Column], schemas: SchemaSet, filename: str | Path) -> list[tuple[float, str]]:
    """Kinds ranked by evidence: headers only that kind carries, then a hint in the file name.

    Every list has 姓名 and 身份证号, so only the signature columns (户编号, 参保状态, 签约日期,
    医疗费总额, 死亡日期 …) tell the kinds apart. A clerk's file name (…救治台账.xlsx) counts like
    one and a half such columns: it settles a ledger that also carries cost columns.
    """
    stem = Path(filename).stem.lower()
    ranked = []
    for schema in schemas:
        mapping = map_columns(columns, schema)
        score = sum(1 for key in schema.signature if key in mapping.fields)
        if not score:
            continue
        score += 1.5 * any(hint.lower() in stem for hint in schema.filename_hints)
        if all(key in mapping.fields for key in schema.required):
            score += 0.25
        ranked.append((score, schema.kind))
    return sorted(ranked, key=lambda pair: -pair[0])
