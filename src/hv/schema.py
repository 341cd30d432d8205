"""List-kind schemas: canonical fields, Chinese labels, header synonyms and vocabularies.

The YAML files in `schemas/` ship inside the package; `--schema-dir` adds a province's own
profile on top (more synonyms, more vocabulary, new fields, new kinds) without touching code.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import yaml

from hv.errors import ConfigError

FIELD_TYPES = frozenset(
    {"id", "name", "code", "multicode", "date", "money", "ratio", "int", "year", "phone", "text", "code_no"}
)
_FIELD_KEYS = frozenset({"label", "label_en", "type", "synonyms", "vocab", "vocab_file"})
_KIND_KEYS = frozenset(
    {"kind", "label", "label_en", "filename_hints", "common", "required", "recommended", "signature", "strong",
     "embeds", "fields", "columns"}
)


def builtin_schema_dir() -> Path:
    """`hv/schemas` in an installed wheel; the repository's `schemas/` in a source checkout."""
    packaged = Path(__file__).parent / "schemas"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "schemas"


_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|<[^>]*>")
_NOISE = re.compile(r"[\s*:＊※\"'“”‘’]+")
_A_NUMBER = re.compile(r"^[a-z]\d{1,2}(?=[^\x00-\x7f])")
# What a header carries besides its name: a number in front (1. 一、 ① (3)), a "this time / this
# year" in front, and an amount word or a required mark behind. `本次统筹支付金额（元）` is 统筹支付.
_NUMBERING = re.compile(r"^(?:\d{1,3}[.、)]|\(\d{1,3}\)|[一二三四五六七八九十]{1,3}[、.])")
_LEADING_QUALIFIER = re.compile(r"^(?:本次|本年度|本年|当年|当期|年度内|年内)(?=..)")
_TRAILING_QUALIFIER = re.compile(r"(?<=..)(?:金额|\(元\)|\(万元\)|\(必填\)|\(选填\)|必填|选填|元)$")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _NOISE.sub("", text)
    return _A_NUMBER.sub("", text)


def header_candidates(cell: str) -> list[str]:
    """Normalised spellings of a header cell, most specific first.

    Real headers carry line breaks, notes in brackets, `*` for required and A-numbers
    (`A7公民身份证号`); each part is tried so that `是否参加新农合\\n页面（…）` still matches.
    """
    text = unicodedata.normalize("NFKC", _CIRCLED.sub("", cell.strip()))
    parts = [text] + [line for line in re.split(r"[\r\n/]+", text) if line.strip()]
    out: list[str] = []
    for part in parts:
        notes = [n for n in re.findall(r"\(([^)]*)\)", part) if not _UNIT_NOTE.match(n)]
        for variant in (part, _BRACKETS.sub("", part), *notes):
            norm = _norm(variant)
            for spelling in (norm, header_core(norm)):
                if spelling and spelling not in out:
                    out.append(spelling)
    return out


_CIRCLED = re.compile(r"^[\u2460-\u2473\u2776-\u277f]")
# A bracket that only gives a unit or says the column is required names no field.
_UNIT_NOTE = re.compile(r"^\s*(?:单位[:：]?)?(?:元|万元|人|户|岁|次|天|月|个月|%|必填|选填|可选|\d+)\s*$")


def header_core(norm: str) -> str:
    """A normalised header without numbering, "本次", "金额" and the like (see _NUMBERING)."""
    core = _NUMBERING.sub("", norm)
    core = _LEADING_QUALIFIER.sub("", core)
    return _TRAILING_QUALIFIER.sub("", core) or norm


def normalize_value(text: str) -> str:
    """The lookup form of a vocabulary value: NFKC, no spaces, case-folded."""
    return _norm(str(text))


@dataclass(frozen=True)
class HeaderMatch:
    """How one header names one field, and how sure that is (0–1)."""

    key: str
    how: str  # exact: a synonym as written; core: once numbering, 本次, 金额… are gone; contains/within
    synonym: str  # the field's spelling it matched
    score: float


# A header that holds a field's spelling (`基本医保统筹支付额` ⊃ 统筹支付) is that field when the
# spelling covers enough of it; the reverse (`身份证` ⊂ 身份证号) must cover more.
CONTAINS_BASE, WITHIN_BASE, COVERAGE_WEIGHT = 0.5, 0.35, 0.4
ACCEPT = 0.65
EXACT, CORE = 1.0, 0.95


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    label_en: str
    type: str
    synonyms: tuple[str, ...]
    # normalised spelling -> standard value
    vocab: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Schema:
    kind: str
    label: str
    label_en: str
    filename_hints: tuple[str, ...]
    required: tuple[str, ...]
    recommended: tuple[str, ...]
    signature: tuple[str, ...]
    fields: dict[str, Field] = field(hash=False, compare=False)
    strong: tuple[str, ...] = ()  # signature fields no other kind's list carries: they weigh double
    embeds: tuple[str, ...] = ()  # kinds whose columns a list of this kind may carry beside its own
    # normalised header spelling -> canonical key
    header_index: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    # header core (header_core) -> canonical key, and the spelling it came from; a core two fields
    # share is left out (only their exact spellings tell them apart)
    core_index: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    core_spelling: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    spellings: tuple[tuple[str, str, str], ...] = field(default=(), hash=False, compare=False)  # (core, key, spelling)
    # header text (normalised) -> canonical key or "" (ignore the column): pinned by a profile
    pins: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def match(self, candidates: list[str], *, fuzzy: bool = True) -> list[HeaderMatch]:
        """The fields a header (its `header_candidates`) may name, best first, one per field.

        Exact spellings first, then the header's core; with `fuzzy`, a field spelling contained
        in the header or containing it, scored by how much of the longer one it covers.
        """
        best: dict[str, HeaderMatch] = {}

        def offer(m: HeaderMatch) -> None:
            if m.key not in best or m.score > best[m.key].score:
                best[m.key] = m

        for c in candidates:
            if c in self.header_index:
                offer(HeaderMatch(self.header_index[c], "exact", c, EXACT))
            key = self.core_index.get(header_core(c))
            if key:
                offer(HeaderMatch(key, "core", self.core_spelling[header_core(c)], CORE))
        if fuzzy and not any(m.score >= CORE for m in best.values()):
            for c in {header_core(c) for c in candidates}:
                for core, key, spelling in self.spellings:
                    if core in c and len(core) >= 2:
                        offer(HeaderMatch(key, "contains", spelling, CONTAINS_BASE + COVERAGE_WEIGHT * len(core) / len(c)))
                    elif c in core and len(c) >= 2:
                        offer(HeaderMatch(key, "within", spelling, WITHIN_BASE + COVERAGE_WEIGHT * len(c) / len(core)))
        return sorted((m for m in best.values() if m.score >= ACCEPT), key=lambda m: -m.score)

    def label_of(self, key: str, lang: str = "zh") -> str:
        f = self.fields.get(key)
        if f is None:
            return key
        return f.label if lang == "zh" else f.label_en


def _header_index(fields: dict[str, Field], path: Path) -> dict[str, str]:
    index: dict[str, str] = {}
    for f in fields.values():
        for spelling in (f.key, f.label, *f.synonyms):
            norm = _norm(spelling)
            other = index.get(norm)
            if other is not None and other != f.key:
                raise ConfigError(
                    f"表头「{spelling}」同时属于字段 {other} 和 {f.key}，请只保留一个",
                    f"header '{spelling}' belongs to both {other} and {f.key}; keep it in one field only",
                    file=path,
                )
            index[norm] = f.key
    return index


class SchemaSet:
    """All list kinds known to this run: built-in schemas plus `--schema-dir` profiles."""

    def __init__(self, schemas: dict[str, Schema]):
        self.schemas = schemas

    def __getitem__(self, kind: str) -> Schema:
        try:
            return self.schemas[kind]
        except KeyError:
            known = "、".join(self.schemas)
            raise ConfigError(f"未知的名单类型「{kind}」，可选：{known}",
                              f"unknown list kind '{kind}'; known: {', '.join(self.schemas)}") from None

    def __iter__(self):
        return iter(self.schemas.values())

    @property
    def kinds(self) -> list[str]:
        return list(self.schemas)


def load_schemas(extra_dirs: tuple[Path, ...] | list[Path] = (), vocab: dict[str, dict[str, str]] | None = None
                 ) -> SchemaSet:
    """Read the built-in schemas, then merge each extra directory on top, in order; `vocab` (hv.toml's
    [vocab]: field -> {spelling: standard value}) adds a system's own codes, e.g. 签约状态 "2" = "签约"."""
    schemas = _load_schemas(tuple(Path(d) for d in extra_dirs))
    return _with_vocab(schemas, vocab) if vocab else schemas


def _with_vocab(schemas: SchemaSet, vocab: dict[str, dict[str, str]]) -> SchemaSet:
    for key, spellings in vocab.items():
        owners = [s.fields[key] for s in schemas if key in s.fields]
        if not owners:
            raise ConfigError(f"vocab 中的字段 {key} 不存在（hv schema 可查看字段）", f"vocab names unknown field {key}")
        standards = set(owners[0].vocab.values())
        for spelling, standard in spellings.items():
            if standard not in standards:
                raise ConfigError(f"vocab.{key} 把「{spelling}」写成「{standard}」，但它不是这个字段的标准值（可用：{'、'.join(sorted(standards))}）",
                                  f"vocab.{key} maps '{spelling}' to '{standard}', which is not one of the field's "
                                  f"values ({', '.join(sorted(standards))})")
    out = {}
    for schema in schemas:
        fields = dict(schema.fields)
        for key, spellings in vocab.items():
            if key in fields:
                extra = {normalize_value(k): v for k, v in spellings.items()}
                fields[key] = replace(fields[key], vocab={**fields[key].vocab, **extra})
        out[schema.kind] = replace(schema, fields=fields)
    return SchemaSet(out)


@lru_cache(maxsize=8)
def _load_schemas(extra_dirs: tuple[Path, ...]) -> SchemaSet:
    dirs = (builtin_schema_dir(), *extra_dirs)
    for d in extra_dirs:
        if not d.is_dir():
            raise ConfigError("模式目录不存在", "schema directory does not exist", file=d)
    common: dict[str, dict] = {}
    common_pins: dict[str, str] = {}
    kinds: dict[str, dict] = {}
    sources: dict[str, Path] = {}
    for d in dirs:
        for path in sorted(d.glob("*.yaml")):
            doc = _read_yaml(path)
            if path.stem == "common":
                _merge_fields(common, doc.get("fields") or {}, path)
                common_pins.update(_as_mapping(doc.get("columns"), path))
                continue
            unknown = set(doc) - _KIND_KEYS
            if unknown:
                raise ConfigError(f"未知的键 {sorted(unknown)}", f"unknown keys {sorted(unknown)}", file=path)
            kind = str(doc.get("kind") or path.stem)
            target = kinds.setdefault(kind, {"kind": kind, "fields": {}})
            sources.setdefault(kind, path)
            for key, value in doc.items():
                if key == "fields":
                    _merge_fields(target["fields"], value or {}, path)
                elif key == "columns":
                    target["columns"] = {**target.get("columns", {}), **_as_mapping(value, path)}
                elif isinstance(value, list):
                    target[key] = list(dict.fromkeys([*target.get(key, []), *value]))
                else:
                    target[key] = value
    vocab_dirs = [d / "vocab" for d in reversed(dirs)]
    return SchemaSet({k: _build(doc, common, common_pins, vocab_dirs, sources[k]) for k, doc in kinds.items()})


def _as_mapping(value, path: Path) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError("columns 应是“表头: 字段”的映射", "columns must map headers to fields", file=path)
    return {str(k): v for k, v in value.items()}


def _read_yaml(path: Path) -> dict:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"模式文件不是合法的 YAML：{exc}", f"schema file is not valid YAML: {exc}",
                          file=path) from None
    if not isinstance(doc, dict):
        raise ConfigError("模式文件应是一个映射", "schema file must be a mapping", file=path)
    return doc


def _merge_fields(into: dict[str, dict], fields: dict, path: Path) -> None:
    for key, spec in fields.items():
        spec = spec or {}
        unknown = set(spec) - _FIELD_KEYS
        if unknown:
            raise ConfigError(f"字段 {key} 有未知的键 {sorted(unknown)}",
                              f"field {key} has unknown keys {sorted(unknown)}", file=path)
        if "type" in spec and spec["type"] not in FIELD_TYPES:
            raise ConfigError(f"字段 {key} 的类型「{spec['type']}」未知，可选：{sorted(FIELD_TYPES)}",
                              f"field {key} has unknown type '{spec['type']}'; known: {sorted(FIELD_TYPES)}",
                              file=path)
        target = into.setdefault(key, {"synonyms": [], "vocab": {}})
        for k, v in spec.items():
            if k == "synonyms":
                target["synonyms"] = list(dict.fromkeys([*target["synonyms"], *map(str, v)]))
            elif k == "vocab":
                for standard, spellings in (v or {}).items():
                    target["vocab"].setdefault(str(standard), []).extend(map(str, spellings or []))
            elif k == "vocab_file":
                target[k] = (path.parent / "vocab", str(v))
            else:
                target[k] = v


def _build(doc: dict, common: dict[str, dict], common_pins: dict[str, str], vocab_dirs: list[Path],
           path: Path) -> Schema:
    specs: dict[str, dict] = {}
    for key in doc.get("common", []):
        if key not in common:
            raise ConfigError(f"common 中没有字段 {key}", f"no common field {key}", file=path)
        specs[key] = common[key]
    for key, spec in doc["fields"].items():
        base = specs.get(key, {"synonyms": [], "vocab": {}})
        merged = {**base, **{k: v for k, v in spec.items() if k not in ("synonyms", "vocab")}}
        merged["synonyms"] = list(dict.fromkeys([*base.get("synonyms", []), *spec.get("synonyms", [])]))
        merged["vocab"] = {**base.get("vocab", {}), **spec.get("vocab", {})}
        specs[key] = merged
    fields = {key: _build_field(key, spec, vocab_dirs, path) for key, spec in specs.items()}
    for group in ("required", "recommended", "signature", "strong"):
        for key in doc.get(group, []):
            if key not in fields:
                raise ConfigError(f"{group} 中的字段 {key} 没有定义", f"{group} names undefined field {key}",
                                  file=path)
    return Schema(
        kind=doc["kind"],
        label=str(doc.get("label", doc["kind"])),
        label_en=str(doc.get("label_en", doc["kind"])),
        filename_hints=tuple(doc.get("filename_hints", [])),
        required=tuple(doc.get("required", [])),
        recommended=tuple(doc.get("recommended", [])),
        signature=tuple(doc.get("signature", [])),
        strong=tuple(doc.get("strong", [])),
        embeds=tuple(doc.get("embeds", [])),
        fields=fields,
        header_index=_header_index(fields, path),
        **_core_indexes(fields),
        pins=_pins(doc.get("columns") or {}, common_pins, fields, path),
    )


def _core_indexes(fields: dict[str, Field]) -> dict:
    owners: dict[str, set[str]] = {}
    spelled: dict[str, str] = {}
    spellings = []
    for f in fields.values():
        for spelling in dict.fromkeys((f.label, *f.synonyms)):
            core = header_core(_norm(spelling))
            owners.setdefault(core, set()).add(f.key)
            spelled.setdefault(core, spelling)
            spellings.append((core, f.key, spelling))
    unique = {core: next(iter(keys)) for core, keys in owners.items() if len(keys) == 1}
    return {"core_index": unique, "core_spelling": {c: spelled[c] for c in unique},
            "spellings": tuple(sorted(set(spellings), key=lambda t: (-len(t[0]), t)))}


def _pins(columns: dict, common: dict, fields: dict[str, Field], path: Path) -> dict[str, str]:
    """`columns: {"保险支付金额": basic_pay}` of a profile: that header is that field (or "" to ignore)."""
    pins = {}
    for header, key in {**common, **columns}.items():
        key = "" if key in (None, "", "ignore") else str(key)
        if key and key not in fields:
            continue  # a common pin for a field this kind does not have
        pins[_norm(str(header))] = key
    for header, key in columns.items():
        if key not in (None, "", "ignore") and key not in fields:
            raise ConfigError(f"columns 把「{header}」指定为未知字段 {key}", f"columns pins '{header}' to unknown field {key}",
                              file=path)
    return pins


def _build_field(key: str, spec: dict, vocab_dirs: list[Path], path: Path) -> Field:
    if "type" not in spec:
        raise ConfigError(f"字段 {key} 没有 type", f"field {key} has no type", file=path)
    vocab_spec: dict[str, list[str]] = {}
    if "vocab_file" in spec:
        own_dir, name = spec["vocab_file"]
        for d in [own_dir, *vocab_dirs]:
            if (d / name).is_file():
                for standard, spellings in _read_yaml(d / name).items():
                    vocab_spec.setdefault(str(standard), []).extend(map(str, spellings or []))
                break
        else:
            raise ConfigError(f"找不到词表文件 {name}", f"vocabulary file {name} not found", file=path)
    for standard, spellings in spec.get("vocab", {}).items():
        vocab_spec.setdefault(standard, []).extend(spellings)
    vocab: dict[str, str] = {}
    for standard, spellings in vocab_spec.items():
        for spelling in (standard, *spellings):
            vocab[normalize_value(spelling)] = standard
    return Field(
        key=key,
        label=str(spec.get("label", key)),
        label_en=str(spec.get("label_en", key)),
        type=spec["type"],
        synonyms=tuple(spec.get("synonyms", [])),
        vocab=vocab,
    )
