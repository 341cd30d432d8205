"""Header text and cells -> canonical keys, and which list kind a sheet is.

A column is understood from its header first (a field's spelling, the header's core once
numbering and units are gone, or a spelling inside it) and then from its cells, which confirm
the header, overrule it, or name a column whose header says nothing. Every decision keeps its
reason (`hv import --explain` prints them); an ambiguous header is reported, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from hv.layout import Column
from hv.profile import Profile, agrees, fits, looks_like
from hv.schema import ACCEPT, HeaderMatch, Schema, SchemaSet, normalize_value

# Two readings of one header closer than this are a tie the cells must break.
AMBIGUOUS_WITHIN = 0.05
HEAD_FIELDS = {"name": "head_name", "id_no": "head_id_no"}
PERSON = "person"  # the generic person list: a kind with no columns of its own


@dataclass
class Choice:
    """How one column was understood: its field (None: unused) and why."""

    column: Column
    key: str | None
    how: str  # pinned, exact, core, contains, within, content, ignored, ambiguous, misfit, alternate, none
    synonym: str = ""
    score: float = 0.0
    others: tuple[str, ...] = ()  # ambiguous: the fields it could be; misfit: the field it was not

    def reason(self, schema: Schema, lang: str = "zh") -> str:
        zh = lang == "zh"
        named = self.key or (self.others[0] if self.how == "alternate" else None)
        label = schema.label_of(named, lang) if named else ""
        others = ("、" if zh else ", ").join(schema.label_of(k, lang) for k in self.others)
        texts = {
            "pinned": ("配置文件指定", "pinned in the configuration"),
            "exact": (f"表头是「{label}」的写法「{self.synonym}」", f"the header is a spelling of '{label}' ({self.synonym})"),
            "core": (f"去掉编号、单位和“本次”“金额”等字样后是「{self.synonym}」",
                     f"without numbering, units and qualifiers it reads '{self.synonym}'"),
            "contains": (f"表头含有「{self.synonym}」", f"the header contains '{self.synonym}'"),
            "within": (f"表头是「{self.synonym}」的简写", f"the header abbreviates '{self.synonym}'"),
            "content": (f"表头不认识，但单元格是{self.synonym}", f"unknown header, but the cells are {self.synonym}"),
            "ignored": ("配置文件指定不使用", "ignored by the configuration"),
            "ambiguous": (f"表头可能是{others}，无法确定，未使用", f"could be {others}; not used")
            if len(self.others) > 1 else (f"有几列同名（分属不同的组），都可能是「{others}」，无法确定用哪一列，未使用",
                                          f"several columns of this name under different groups could be '{others}'; "
                                          "none was used"),
            "misfit": (f"表头像{others}，但单元格不是这类值，未使用", f"reads like {others} but the cells do not fit; not used"),
            "alternate": (f"与另一列都对应「{label}」，使用了另一列；本列原样保留",
                          f"another column also maps to '{label}' and was used; this one is kept as it is"),
            "none": ("不是本类名单的字段", "not a field of this list kind"),
        }
        return texts[self.how][0 if zh else 1]


@dataclass
class Mapping:
    kind: str
    fields: dict[str, Column] = field(default_factory=dict)  # canonical key -> the column used
    alternates: dict[str, list[Column]] = field(default_factory=dict)  # key -> further columns of that field
    unmapped: list[Column] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)  # one per column with a header, in sheet order
    strength: dict[str, float] = field(default_factory=dict)  # key -> score of the column used
    unit: str = "person"  # "household": one row per household, keyed by its head (户主姓名, 户主身份证号)

    @property
    def ambiguous(self) -> list[Choice]:
        return [c for c in self.choices if c.how == "ambiguous"]

    @property
    def duplicates(self) -> list[tuple[Column, Column, str]]:
        """(kept aside, used, key) for each further column of a field."""
        return [(alt, self.fields[key], key) for key, alts in self.alternates.items() for alt in alts]


def map_columns(columns: list[Column], schema: Schema, profiles: dict[str, Profile] | None = None,
                pins: dict[str, str] | None = None) -> Mapping:
    """Each field its best column; every column a Choice that says why."""
    profiles = profiles or {}
    pinned = {**schema.pins, **{normalize_value(h): k for h, k in (pins or {}).items()}}
    result = Mapping(schema.kind)
    proposals: list[tuple[Column, HeaderMatch]] = []
    for col in (c for c in columns if c.header):
        choice = _understand(col, schema, profiles.get(col.name), pinned)
        result.choices.append(choice)
        if choice.key is not None:
            proposals.append((col, HeaderMatch(choice.key, choice.how, choice.synonym, choice.score)))
    _content_only(result, schema, profiles, proposals)
    _assign(result, proposals, profiles)
    _household_level(result, schema)
    result.unmapped = [c.column for c in result.choices if c.key is None and c.how != "ignored"]
    return result


def _understand(col: Column, schema: Schema, profile: Profile | None, pinned: dict[str, str]) -> Choice:
    spellings = (normalize_value(col.qualified), *col.group_candidates, normalize_value(col.header), *col.candidates)
    pin = next((pinned[c] for c in spellings if c in pinned), None)
    if pin is not None:
        return Choice(col, pin or None, "pinned" if pin else "ignored", score=2.0)
    matches = _merged(schema.match(col.group_candidates, fuzzy=False), schema.match(col.candidates))
    fitting = [m for m in (_weighed(m, schema, profile, col.header) for m in matches) if m is not None]
    if not fitting:
        named = [m for m in matches if m.how in ("exact", "core")]
        if named:  # the header says it is this field; its cells say it is not
            return Choice(col, None, "misfit", others=(named[0].key,))
        return Choice(col, None, "none")
    best = fitting[0]
    rivals = [m for m in fitting[1:] if best.score - m.score < AMBIGUOUS_WITHIN and m.score < 1.0]
    if rivals and best.score < 1.0:
        return Choice(col, None, "ambiguous", others=(best.key, *(m.key for m in rivals)))
    return Choice(col, best.key, best.how, best.synonym, best.score)


def _merged(*lists: list[HeaderMatch]) -> list[HeaderMatch]:
    best: dict[str, HeaderMatch] = {}
    for m in (m for matches in lists for m in matches):
        if m.key not in best or m.score > best[m.key].score:
            best[m.key] = m
    return sorted(best.values(), key=lambda m: -m.score)


# A header that only resembles a field's spelling (contains, within) is taken when its cells bear
# the field out; over an empty column it must resemble it closely.
UNBACKED = 0.8


# An amount's header that names a base, a standard or a limit (救助基数, 起付标准, 封顶线) is not an
# amount paid, however much of a paid amount's name it holds.
NOT_PAID = re.compile(r"基数|标准|比例|限额|上限|封顶|起付")


def _weighed(m: HeaderMatch, schema: Schema, profile: Profile | None, header: str) -> HeaderMatch | None:
    """The match as the cells judge it: None when they contradict the field."""
    f = schema.fields[m.key]
    if f.type == "money" and m.how != "exact" and NOT_PAID.search(header):
        return None
    yes_no = f.type == "code" and {"是", "否"} <= set(f.vocab.values())
    if not fits(profile, f.type, yes_no):
        return None
    if m.how in ("exact", "core"):
        return m
    verdict = agrees(profile, f.type, f.vocab, yes_no)
    if verdict is False:
        return None
    if verdict is None:
        m = HeaderMatch(m.key, m.how, m.synonym, m.score * UNBACKED)
    return m if m.score >= ACCEPT else None


CONTENT_FIELDS = {"id_no": ("id", "身份证号", "ID numbers")}


def _content_only(result: Mapping, schema: Schema, profiles: dict[str, Profile],
                  proposals: list[tuple[Column, HeaderMatch]]) -> None:
    """A column no header names, whose cells are unmistakably a field the list lacks (ID numbers)."""
    proposed = {m.key for _, m in proposals}
    for key, (what, zh, en) in CONTENT_FIELDS.items():
        if key in proposed or key not in schema.fields:
            continue
        for i, choice in enumerate(result.choices):
            if choice.key is None and choice.how in ("none", "misfit") and looks_like(profiles.get(choice.column.name), what):
                result.choices[i] = Choice(choice.column, key, "content", zh, 0.6)
                proposals.append((choice.column, HeaderMatch(key, "content", zh, 0.6)))
                break


def _assign(result: Mapping, proposals: list[tuple[Column, HeaderMatch]], profiles: dict[str, Profile]) -> None:
    """The strongest column of each field is used; the others are kept beside it as alternates."""
    by_key: dict[str, list[tuple[Column, HeaderMatch]]] = {}
    for col, match in proposals:
        by_key.setdefault(match.key, []).append((col, match))
    position = {c.column.name: i for i, c in enumerate(result.choices)}
    for key, options in by_key.items():
        def rank(option: tuple[Column, HeaderMatch]) -> tuple:
            col, match = option
            profile = profiles.get(col.name)
            filled = profile.filled if profile else 0
            return -match.score, -min(filled, 1), position[col.name]

        options.sort(key=rank)
        (used, match), rest = options[0], options[1:]
        if _told_apart_by_group_only(options):
            for i, choice in enumerate(result.choices):
                if any(choice.column is col for col, _ in options):
                    result.choices[i] = Choice(choice.column, None, "ambiguous", others=(key,))
            continue
        result.fields[key] = used
        result.strength[key] = match.score
        if rest:
            result.alternates[key] = [col for col, _ in rest]
            for i, choice in enumerate(result.choices):
                if any(choice.column is col for col, _ in rest):
                    result.choices[i] = Choice(choice.column, None, "alternate", choice.synonym, choice.score,
                                               others=(key,))


def _told_apart_by_group_only(options: list[tuple[Column, HeaderMatch]]) -> bool:
    """Several columns of one header under different groups (签约后随访次数 under 高血压患者, 糖尿病患者 …):
    which of them is the field is not for hv to guess."""
    (first, match), rest = options[0], options[1:]
    return any(col.header == first.header and col.group != first.group and m.score == match.score for col, m in rest)


def _household_level(result: Mapping, schema: Schema) -> None:
    """A list of households names each row by its head: 户主姓名 and 户主身份证号 stand for the
    person a member's 姓名 or 身份证号 would (the columns the list lacks)."""
    heads = {k: h for k, h in HEAD_FIELDS.items() if k not in result.fields and h in result.fields}
    if not heads:
        return
    for key, head in heads.items():
        result.fields[key] = result.fields.pop(head)
        result.strength[key] = result.strength.pop(head)
    result.unit = "household"


@dataclass(frozen=True)
class KindEvidence:
    kind: str
    score: float
    reasons: tuple[str, ...]  # the signature fields found, and the name hints


# A title row names the list as its system printed it (健康扶贫对象花名册): the surest hint; a file name
# is often a download's; a sheet name is often Sheet1.
TITLE_HINT, FILE_HINT, SHEET_HINT, REQUIRED_BONUS, STRONG = 3.0, 1.5, 1.0, 0.25, 2.0


def detect_kind(columns: list[Column], schemas: SchemaSet, filename: str | Path, sheet: str = "",
                profiles: dict[str, Profile] | None = None, title: str = "") -> list[KindEvidence]:
    """Kinds ranked by evidence: the signature columns of each kind, weighted by how few kinds
    share them, how surely each header names its field, the file name and the sheet name.

    Every list has 姓名 and 身份证号, so only the signature columns (户编号, 参保状态, 签约日期,
    医疗费总额, 死亡日期 …) tell the kinds apart. A list with person columns only is a generic
    person list.
    """
    stem, sheet, title = Path(filename).stem.lower(), sheet.lower(), title.lower()
    shared = _signature_counts(schemas)
    ranked = []
    for schema in schemas:
        if schema.kind == PERSON:
            continue
        mapping = map_columns(columns, schema, profiles)
        found = [k for k in schema.signature if k in mapping.fields]
        if not found:
            continue
        score = sum(mapping.strength[k] * (STRONG if k in schema.strong else 1) / shared[k] for k in found)
        reasons = [schema.fields[k].label for k in found]
        if any(h.lower() in stem for h in schema.filename_hints):
            score += FILE_HINT
            reasons.append("文件名")
        if sheet and any(h.lower() in sheet for h in schema.filename_hints):
            score += SHEET_HINT
            reasons.append("工作表名")
        if title and any(h.lower() in title for h in schema.filename_hints):
            score += TITLE_HINT
            reasons.append("标题")
        if all(k in mapping.fields for k in schema.required):
            score += REQUIRED_BONUS
        ranked.append(KindEvidence(schema.kind, round(score, 3), tuple(reasons)))
    ranked.sort(key=lambda e: -e.score)
    ranked = _host_first(ranked, schemas)
    if not ranked and PERSON in schemas.kinds:
        mapping = map_columns(columns, schemas[PERSON], profiles)
        if any(k in mapping.fields for k in ("id_no", "name")):
            ranked.append(KindEvidence(PERSON, 0.0, ()))
    return ranked


# A list that carries another kind's columns beside its own (a 健康扶贫 roster with 签约 and 随访
# columns) is that list, with the other one inside it, when it has this much evidence of its own.
HOST_EVIDENCE = 3.0


def _host_first(ranked: list[KindEvidence], schemas: SchemaSet) -> list[KindEvidence]:
    """Put first a kind that embeds the best-scored one and has evidence of its own: a roster with
    contract columns is a roster (schema `embeds`), not a contract list."""
    if not ranked:
        return ranked
    top = ranked[0]
    for evidence in ranked[1:]:
        schema = schemas[evidence.kind]
        if top.kind in schema.embeds and evidence.score >= HOST_EVIDENCE:
            return [evidence, *(e for e in ranked if e is not evidence)]
    return ranked


def _signature_counts(schemas: SchemaSet) -> dict[str, int]:
    """How many kinds can carry each field: a column many kinds' lists have (户编号, 总费用) says less
    about which one this is than a column only one has (参保状态)."""
    counts: dict[str, int] = {}
    for schema in schemas:
        if schema.kind == PERSON:
            continue
        for key in schema.fields:
            counts[key] = counts.get(key, 0) + 1
    return counts
