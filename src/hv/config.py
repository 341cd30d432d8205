"""Configuration: `hv.toml` (or `--config`) with [policy], [rules], [lists], [link]; flags win.

Policy numbers and lists are configuration, not code (design.md §5–6): every county sets its own
reimbursement floor, disease lists and reference date. A wrong key or value is a ConfigError
(exit code 2) that names the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path

from hv.errors import ConfigError

CONFIG_NAME = "hv.toml"

# 2019: "救治病种…增加至25个" (domain.md §1.1, verified). Later years keep the list unless configured.
SERIOUS_DISEASES_2019 = (
    "儿童先心病", "儿童白血病", "胃癌", "食管癌", "结肠癌", "直肠癌", "终末期肾病", "肺癌", "肝癌", "乳腺癌", "宫颈癌",
    "急性心肌梗死", "白内障", "尘肺", "神经母细胞瘤", "儿童淋巴瘤", "骨肉瘤", "血友病", "地中海贫血", "唇腭裂", "尿道下裂",
    "耐多药结核病", "脑卒中", "慢性阻塞性肺气肿", "艾滋病机会感染",
)
# 2017 first batch (7类11种 ≈ 9 diseases), kept for inspecting earlier years.
SERIOUS_DISEASES_2017 = ("儿童先心病", "儿童白血病", "食管癌", "胃癌", "结肠癌", "直肠癌", "终末期肾病", "重性精神病",
                         "耐多药结核病")
# Spellings clerks use for the same disease; the key is the name on the national list.
DISEASE_SYNONYMS = {
    "食管癌": ("食道癌",), "儿童先心病": ("先天性心脏病", "先心病", "房间隔缺损", "室间隔缺损", "动脉导管未闭", "肺动脉瓣狭窄"),
    "终末期肾病": ("尿毒症", "慢性肾衰竭", "肾衰竭"), "儿童白血病": ("白血病", "急性淋巴细胞白血病", "急性早幼粒细胞白血病"),
    "耐多药结核病": ("耐多药肺结核",), "脑卒中": ("脑梗死", "脑出血", "中风", "脑梗塞"), "慢性阻塞性肺气肿": ("慢阻肺", "慢性阻塞性肺疾病"),
    "急性心肌梗死": ("心肌梗死", "心梗"), "严重精神障碍": ("精神分裂症", "重性精神病", "双相情感障碍", "精神病"),
    "糖尿病": ("2型糖尿病", "Ⅱ型糖尿病", "1型糖尿病"), "结核病": ("肺结核",), "高血压": ("原发性高血压", "高血压病"),
}
CHRONIC_DISEASES = ("高血压", "糖尿病", "结核病", "严重精神障碍")
SIGN_SCOPES = ("chronic", "all")


@dataclass(frozen=True)
class Policy:
    """The county's policy numbers and lists; every field is a key of [policy] in hv.toml."""

    ref_date: date = field(default_factory=date.today)  # the day the lists are judged at
    # where ref_date came from: "today" (nobody said; a date the lists state replaces it), "config",
    # "command line" or "list" (the date the lists state: a 填报日期 line, a 数据日期 column)
    ref_date_from: str = "today"
    year: int | None = None  # the year inspected; default: the year of ref_date
    reimbursement_floor: float = 0.90  # 住院实际报销比例 for the poor
    outpatient_chronic_floor: float = 0.80  # 门诊慢特病
    self_pay_cap: float | None = None  # yearly self pay per person (e.g. 5000), if the county has one
    money_tolerance: float = 1.0  # yuan: how far money may be off before ST001 fires
    ratio_tolerance: float = 0.005  # a stated ratio may differ this much from the computed one
    followup_min: int = 4  # follow-ups a year for a signed chronic patient
    # who must have a family-doctor contract: "chronic" (the four chronic diseases, policy from 2019 on)
    # or "all" (every poor person, where a county chose 应签尽签 for all)
    sign_scope: str = "chronic"
    age_tolerance: int = 1  # years
    poverty_statuses: tuple[str, ...] = ("未脱贫", "已脱贫", "返贫", "预脱贫", "监测对象")
    serious_diseases: dict[int, tuple[str, ...]] = field(
        default_factory=lambda: {2017: SERIOUS_DISEASES_2017, 2019: SERIOUS_DISEASES_2019})
    chronic_diseases: tuple[str, ...] = CHRONIC_DISEASES
    disease_synonyms: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DISEASE_SYNONYMS))
    deposit_allowed: bool = False  # 先诊疗后付费: a poor inpatient pays no deposit
    waiver_required: bool = False  # the county waives fees for the poor (两免两减半, 减免10%)
    serious_deductible: float | None = None  # 大病保险 起付线 for the poor, yuan

    @property
    def inspected_year(self) -> int:
        return self.year or self.ref_date.year

    def serious_list(self, year: int | None = None) -> tuple[str, ...]:
        """The 大病专项救治 list in force in a year: the latest list at or before it."""
        year = year or self.inspected_year
        known = sorted(self.serious_diseases)
        usable = [y for y in known if y <= year] or known[:1]
        return self.serious_diseases[usable[-1]]

    def spellings(self, diseases: tuple[str, ...]) -> list[str]:
        """Every spelling of the given diseases, for matching free-text disease cells."""
        return [s for d in diseases for s in (d, *self.disease_synonyms.get(d, ()))]


@dataclass(frozen=True)
class RulesConfig:
    select: tuple[str, ...] = ()  # codes or prefixes; empty = every rule
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)  # code -> error / warning / info


@dataclass(frozen=True)
class ListSpec:
    path: Path
    kind: str | None = None
    # header as written -> canonical key ("" = do not use the column): pinned for this file
    columns: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class LinkConfig:
    """Thresholds of the person-linking engine: a score at or above `link` is a link; between
    `possible` and `link` a clerk reviews it."""

    link: float = 0.85
    possible: float = 0.6


@dataclass(frozen=True)
class Systematic:
    """[report] in hv.toml: a rule firing on `systematic_share` of a file's rows (and at least
    `systematic_rows` of them), or one value of a column on `systematic_value_share` and
    `systematic_value_rows`, is reported once as a misunderstanding (hv.systematic)."""

    share: float = 0.3
    rows: int = 10
    value_share: float = 0.05
    value_rows: int = 20


@dataclass(frozen=True)
class Config:
    policy: Policy = field(default_factory=Policy)
    rules: RulesConfig = field(default_factory=RulesConfig)
    lists: tuple[ListSpec, ...] = ()
    link: LinkConfig = field(default_factory=LinkConfig)
    systematic: Systematic = field(default_factory=Systematic)
    # field -> {spelling: standard value}: a system's own codes, e.g. [vocab.sign_status] "2" = "签约"
    vocab: dict[str, dict[str, str]] = field(default_factory=dict)
    schema_dirs: tuple[Path, ...] = ()
    source: Path | None = None


def load_config(path: Path | None = None, cwd: Path | None = None) -> Config:
    """`path`, else `hv.toml` in the working directory, else the defaults."""
    if path is None:
        candidate = (cwd or Path.cwd()) / CONFIG_NAME
        if not candidate.is_file():
            return Config()
        path = candidate
    path = Path(path)
    if not path.is_file():
        raise ConfigError("配置文件不存在", "configuration file not found", file=path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"配置文件不是合法的 TOML：{exc}", f"not valid TOML: {exc}", file=path) from None
    return parse_config(doc, path)


def parse_config(doc: dict, path: Path) -> Config:
    _keys(doc, {"policy", "rules", "lists", "link", "schema_dirs", "report", "vocab"}, "", path)
    base = path.parent
    return Config(
        policy=_dataclass_from(Policy, doc.get("policy", {}), "policy", path),
        rules=_rules(doc.get("rules", {}), path),
        lists=tuple(_list_spec(item, base, path) for item in _as_list(doc.get("lists", []), "lists", path)),
        link=_dataclass_from(LinkConfig, doc.get("link", {}), "link", path),
        systematic=_systematic(doc.get("report", {}), path),
        vocab=_vocab(doc.get("vocab", {}), path),
        schema_dirs=tuple(base / d for d in _as_list(doc.get("schema_dirs", []), "schema_dirs", path)),
        source=path,
    )


def _keys(section: dict, allowed: set[str], prefix: str, path: Path) -> None:
    if not isinstance(section, dict):
        raise ConfigError(f"[{prefix}] 应是一个表", f"[{prefix}] must be a table", file=path)
    for key in section:
        if key not in allowed:
            where = f"{prefix}.{key}" if prefix else key
            raise ConfigError(f"未知的配置项 {where}（可用：{'、'.join(sorted(allowed))}）",
                              f"unknown key {where} (known: {', '.join(sorted(allowed))})", file=path)


def _as_list(value, name: str, path: Path) -> list:
    if not isinstance(value, list):
        raise ConfigError(f"{name} 应是一个列表", f"{name} must be a list", file=path)
    return value


def _dataclass_from(cls, section: dict, name: str, path: Path):
    known = {f.name: f for f in fields(cls) if f.name != "ref_date_from"}
    _keys(section, set(known), name, path)
    default = cls()
    values = {}
    for key, value in section.items():
        current = getattr(default, key)
        values[key] = _coerce(value, current, f"{name}.{key}", path)
    if "ref_date" in values:
        values["ref_date_from"] = "command line" if path.name == "--ref-date" else "config"
    made = replace(default, **values)
    _sensible(made, name, path)
    return made


def _sensible(section, name: str, path: Path) -> None:
    """Values that parse but make no sense: a negative count, a link threshold under the possible one."""
    def refuse(key: str, zh: str, en: str) -> None:
        raise ConfigError(f"{name}.{key} {zh}", f"{name}.{key} {en}", file=path)

    if isinstance(section, Policy):
        for key in ("followup_min", "age_tolerance", "money_tolerance", "ratio_tolerance", "self_pay_cap",
                    "serious_deductible"):
            value = getattr(section, key)
            if value is not None and value < 0:
                refuse(key, "不能是负数", "cannot be negative")
    if isinstance(section, LinkConfig):
        if not 0 < section.possible <= section.link <= 1:
            refuse("link", f"（{section.link}）应不小于 possible（{section.possible}），且都在 0 到 1 之间",
                   f"({section.link}) must be at least possible ({section.possible}), both between 0 and 1")


def _coerce(value, current, key: str, path: Path):
    def wrong(expected: str):
        return ConfigError(f"{key} 应是{expected}，而不是 {value!r}", f"{key} must be {expected}, not {value!r}",
                           file=path)

    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise wrong("true 或 false")
        return value
    if isinstance(current, date) or key.endswith("ref_date"):
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise wrong("日期（如 2020-12-31）") from None
    if isinstance(current, float) or key.endswith(("_floor", "_cap", "_tolerance", "_deductible")) or key.startswith("link."):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise wrong("数字")
        if key.endswith("_floor") and not 0 < value <= 1:
            raise wrong("0 到 1 之间的比例（如 0.9）")
        return float(value)
    if isinstance(current, int) or key.endswith(".year"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise wrong("整数")
        return value
    if key == "policy.sign_scope":
        if value not in SIGN_SCOPES:
            raise wrong("、".join(SIGN_SCOPES))
        return value
    if isinstance(current, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise wrong("文字列表")
        return tuple(value)
    if isinstance(current, dict):
        if not isinstance(value, dict):
            raise wrong("表")
        if key.endswith("serious_diseases"):
            try:
                return {int(year): tuple(names) for year, names in value.items()}
            except (TypeError, ValueError):
                raise wrong("按年份的病种列表，如 2020 = [\"胃癌\", …]") from None
        return {k: tuple(v) if isinstance(v, list) else v for k, v in value.items()}
    return value


def _vocab(section: dict, path: Path) -> dict[str, dict[str, str]]:
    """[vocab.<field>] "spelling" = "standard value" (checked against the schemas when they load)."""
    _keys(section, set(section), "vocab", path)
    out = {}
    for key, spellings in section.items():
        if not isinstance(spellings, dict) or not all(isinstance(v, str) for v in spellings.values()):
            raise ConfigError(f"[vocab.{key}] 应写成 \"写法\" = \"标准值\"", f"[vocab.{key}] must map spellings to standard "
                              "values", file=path)
        out[key] = {str(k): v for k, v in spellings.items()}
    return out


def _systematic(section: dict, path: Path) -> Systematic:
    """[report] systematic_share, systematic_rows, systematic_value_share, systematic_value_rows."""
    _keys(section, {f"systematic_{f.name}" for f in fields(Systematic)}, "report", path)
    values = {}
    for key, value in section.items():
        name = key.removeprefix("systematic_")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (
                name.endswith("share") and value > 1) or (name.endswith("rows") and not isinstance(value, int)):
            what = "0 到 1 之间的比例" if name.endswith("share") else "非负整数"
            raise ConfigError(f"report.{key} 应是{what}，而不是 {value!r}", f"report.{key} must be a "
                              f"{'share between 0 and 1' if name.endswith('share') else 'whole number'}, not {value!r}",
                              file=path)
        values[name] = value
    return Systematic(**values)


def _rules(section: dict, path: Path) -> RulesConfig:
    from hv.rules.base import REGISTRY  # the catalog, to refuse a code that names no rule

    _keys(section, {"select", "ignore", "severity"}, "rules", path)
    severity = section.get("severity", {})
    _keys(severity, set(severity), "rules.severity", path)
    for code, level in severity.items():
        if REGISTRY and code.upper() not in REGISTRY:
            raise ConfigError(f"rules.severity 中的「{code}」不是任何规则的代码（hv rules 可列出全部规则）",
                              f"'{code}' in rules.severity is no rule code (see hv rules)", file=path)
        if level not in ("error", "warning", "info"):
            raise ConfigError(f"rules.severity.{code} 只能是 error、warning 或 info", f"rules.severity.{code} must be "
                              "error, warning or info", file=path)
    return RulesConfig(
        select=tuple(_as_list(section.get("select", []), "rules.select", path)),
        ignore=tuple(_as_list(section.get("ignore", []), "rules.ignore", path)),
        severity=dict(severity),
    )


def _list_spec(item, base: Path, path: Path) -> ListSpec:
    if isinstance(item, str):
        return ListSpec(base / item)
    if isinstance(item, dict):
        _keys(item, {"path", "kind", "columns"}, "lists", path)
        if "path" not in item:
            raise ConfigError("[[lists]] 每项都要有 path", "each [[lists]] entry needs a path", file=path)
        columns = item.get("columns", {})
        if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
            raise ConfigError("lists 的 columns 应写成 {\"表头\" = \"字段\"}（字段为空表示不用这一列）",
                              "columns of a lists entry must be {\"header\" = \"field\"} (empty: ignore the column)",
                              file=path)
        return ListSpec(base / item["path"], item.get("kind"), dict(columns))
    raise ConfigError("lists 的每项应是路径或 {path, kind}", "each lists entry must be a path or {path, kind}", file=path)
