"""The `hv` command line: a thin face over the library (hv.importer, hv.schema, hv.sample…).

Parses options, calls the library, prints, and maps the outcome to the exit codes of
design.md §7. Any HvError becomes one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import polars as pl
import typer

from hv import __version__
from hv.console import make_console, print_table
from hv.errors import ExitCode, HvError

app = typer.Typer(
    name="hv",
    help="健康扶贫名单核查工具：读取、清洗、核对花名册、参保、签约、救治、结算与死亡名单。",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Options shared by several commands are defined once here (frictionless style).
LangOpt = Annotated[str, typer.Option("--lang", help="输出语言：zh（默认）或 en。", envvar="HV_LANG")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="只输出错误（适合 cron）。")]
TimingsOpt = Annotated[bool, typer.Option("--timings", help="在标准错误上打印各阶段耗时（秒）。")]


FilesArg = Annotated[Optional[list[Path]], typer.Argument(help="名单文件；省略时使用配置文件 \\[lists] 中的文件。")]
ConfigOpt = Annotated[Optional[Path], typer.Option("--config", "-c", help="配置文件（默认：当前目录的 hv.toml）。")]
RefDateOpt = Annotated[Optional[str], typer.Option("--ref-date", help="核查基准日期，如 2020-12-31（默认：今天）。")]


def _print_timings(timings: dict[str, float], enabled: bool) -> None:
    if enabled:
        typer.echo("timings: " + " ".join(f"{phase}={seconds:.3f}s" for phase, seconds in timings.items()), err=True)
KindOpt = Annotated[Optional[str], typer.Option("--kind", help="名单类型（poverty/insurance/contract/treatment/"
                                                "settlement/death）；默认按表头自动判断。")]
SchemaDirOpt = Annotated[Optional[list[Path]], typer.Option("--schema-dir", help="追加的本地模式目录（可重复）。")]


def _lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise HvError(f"--lang 只能是 zh 或 en，不能是 {lang}", f"--lang must be zh or en, not {lang}")
    return lang


@app.callback(invoke_without_command=True)
def _root(version: Annotated[bool, typer.Option("--version", help="显示版本号。")] = False) -> None:
    if version:
        typer.echo(f"hv {__version__}")
        raise typer.Exit(0)


FAIL_ON = ("error", "warning", "new", "never")


def _inputs(files: list[Path] | None, cfg) -> list:
    """Files named on the command line, else the configuration's [lists]."""
    inputs = list(files or []) or list(cfg.lists)
    if not inputs:
        raise HvError("没有要读取的文件：请在命令行给出文件，或在配置文件的 lists 中列出",
                      "no input: give files on the command line or list them in the configuration's lists")
    return inputs


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(v.strip() for item in values or [] for v in item.split(",") if v.strip())


@app.command("check")
def check_cmd(
    files: FilesArg = None,
    output: Annotated[Optional[list[Path]], typer.Option("--output", "-o", help="报告文件：.xlsx、.csv、.json 或 .html（可重复）。")] = None,
    config: ConfigOpt = None,
    select: Annotated[Optional[list[str]], typer.Option("--select", help="只运行这些规则（代码或前缀，逗号分隔）。")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option("--ignore", help="不运行这些规则（代码或前缀）。")] = None,
    fail_on: Annotated[str, typer.Option("--fail-on", help="有该级别及以上的问题时退出码为 1：error、warning、new（有新增问题，需要 --history）或 never。")] = "error",
    ref_date: RefDateOpt = None,
    mask: Annotated[bool, typer.Option("--mask", help="隐藏身份证号和姓名的中间部分。")] = False,
    show: Annotated[int, typer.Option("--show", min=0, help="终端上每条规则显示的问题条数。")] = 5,
    timings: TimingsOpt = False,
    history: Annotated[Optional[Path], typer.Option("--history", help="记录到运行历史库（如 .hv/history.db），报告增加整改状态列。")] = None,
    new_only: Annotated[bool, typer.Option("--new-only", help="只报告上次运行以来新增的问题（需要 --history）。")] = False,
    by: Annotated[Optional[str], typer.Option("--by", help="把 .xlsx 报告写成督导清单：town（每个乡镇一个工作表）或 village（每个村一个文件）。")] = None,
    annotate: Annotated[bool, typer.Option("--annotate", help="另存一份标注过的输入文件副本（有问题的单元格标色并加批注），写在报告旁。")] = False,
    kind: KindOpt = None,
    schema_dir: SchemaDirOpt = None,
    lang: LangOpt = "zh",
    quiet: QuietOpt = False,
) -> None:
    """核查名单：逐行、逐户检查错误，写出问题清单；退出码 0 无问题，1 有问题，2 输入或配置错误。"""
    from hv import rates
    from hv.api import check
    from hv.crosslist import households
    from hv.output import refuse_inputs
    from hv.report import Report, check_outputs, write_report
    from hv.report.text import print_rates, print_summary
    from hv.schema import load_schemas

    lang = _lang(lang)
    if fail_on not in FAIL_ON:
        raise HvError(f"--fail-on 只能是 {'、'.join(FAIL_ON)}", f"--fail-on must be one of {', '.join(FAIL_ON)}")
    _check_by(by)
    cfg = _check_config(config, select, ignore, ref_date, schema_dir)
    inputs = _inputs(files, cfg)
    outputs = list(output or [])
    check_outputs(outputs)
    if by and not any(p.suffix.lower() == ".xlsx" for p in outputs):
        raise HvError("--by 需要一个 .xlsx 报告（-o 督导清单.xlsx）", "--by needs an .xlsx report (-o inspection.xlsx)")
    refuse_inputs(outputs, [getattr(i, "path", i) for i in inputs])
    if (new_only or fail_on == "new") and history is None:
        raise HvError("--new-only 和 --fail-on new 需要 --history 指定运行历史库",
                      "--new-only and --fail-on new need --history")
    result = check(inputs, cfg, kind=kind, lang=lang)
    found, record = result.findings, None
    if history is not None:
        from hv.history import Ledger, rules_checked

        with Ledger(history) as ledger:
            record = ledger.record_run(found, inputs=[getattr(i, "path", i) for i in inputs],
                                       rules=rules_checked(result), mask=mask)
        found = record.findings.filter(pl.col("status") == "new") if new_only else record.findings
    schemas = load_schemas(cfg.schema_dirs, cfg.vocab)
    report = Report.build(
        found, mask=mask, lang=lang, inputs=[str(getattr(i, "path", i)) for i in inputs],
        rule_names={r.code: r.summary if lang == "zh" else r.name for r in result.rules},
        list_labels={s.kind: s.label if lang == "zh" else s.kind for s in schemas},
        rates=result.rates, households=households(result.linked.tables),
    )
    written = []
    for path in outputs:
        started = time.perf_counter()
        if by and path.suffix.lower() == ".xlsx":
            from hv.report import inspection

            made = inspection.write(report, path, by)
            written += made
            _warn_stale(path.parent / path.stem if by == "village" else None, made, lang)
        else:
            write_report(report, path)
            written.append(path)
        result.timings[f"write_{path.suffix.lower().lstrip('.')}"] = time.perf_counter() - started
    if annotate:
        from hv.report.annotate import write_annotated

        started = time.perf_counter()
        out_dir = outputs[0].parent if outputs else Path.cwd()
        written += write_annotated(found, result.imported.headers,
                                   [getattr(i, "path", i) for i in inputs], out_dir, lang=lang, masked=mask)
        result.timings["write_annotated"] = time.perf_counter() - started
    _print_timings(result.timings, timings)
    console = make_console(quiet)
    print_summary(console, report, show=show, details=console.is_terminal)
    print_rates(console, rates.at_level(result.rates, "county"), lang)
    if record is not None:
        _print_history_counts(console, record, lang)
    for path in written:
        console.print(f"已写入 {path}" if lang == "zh" else f"written: {path}")
    if fail_on == "new":
        if record.count("new"):
            raise typer.Exit(ExitCode.FINDINGS)
        return
    threshold = {"error": "error", "warning": "warning", "never": None}[fail_on]
    if threshold and result.count_at_or_above(threshold):
        raise typer.Exit(ExitCode.FINDINGS)


BY = ("town", "village")


def _warn_stale(folder: Path | None, written: list[Path], lang: str) -> None:
    """Village files an earlier run left in the folder would read as this run's: say so (hv deletes nothing)."""
    if folder is None:
        return
    stale = sorted(set(folder.glob("*.xlsx")) - {Path(p) for p in written})
    if stale:
        names = "、".join(p.name for p in stale[:5]) + ("…" if len(stale) > 5 else "")
        typer.echo(f"hv: 注意：{folder} 中还有 {len(stale)} 个不是本次写出的文件（{names}），可能是以前的结果" if lang == "zh"
                   else f"hv: note: {folder} also holds {len(stale)} files this run did not write ({names})", err=True)


def _check_by(by: str | None) -> None:
    if by is not None and by not in BY:
        raise HvError(f"--by 只能是 {'、'.join(BY)}", f"--by must be one of {', '.join(BY)}")


def _check_config(config: Path | None, select, ignore, ref_date: str | None, schema_dir):
    """The configuration file with the command line's rules, reference date and schema folders on top."""
    from dataclasses import replace

    from hv.config import load_config, parse_config

    cfg = load_config(config)
    rules = replace(cfg.rules, select=_split(select) or cfg.rules.select, ignore=cfg.rules.ignore + _split(ignore))
    policy = cfg.policy
    if ref_date:
        given = parse_config({"policy": {"ref_date": ref_date}}, Path("--ref-date")).policy
        policy = replace(cfg.policy, ref_date=given.ref_date, ref_date_from=given.ref_date_from)
    return replace(cfg, rules=rules, policy=policy, schema_dirs=cfg.schema_dirs + tuple(schema_dir or []))


@app.command("rates")
def rates_cmd(
    files: FilesArg = None,
    config: ConfigOpt = None,
    by: Annotated[str, typer.Option("--by", help="细到哪一级：town（全县和各乡镇，默认）或 village（再加各村）。")] = "town",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="把指标表写成 .csv 或 .parquet。")] = None,
    ref_date: RefDateOpt = None,
    kind: KindOpt = None,
    schema_dir: SchemaDirOpt = None,
    lang: LangOpt = "zh",
    quiet: QuietOpt = False,
) -> None:
    """督导指标：参保率、资助参保率、签约率、履约率、大病救治率、实际报销比例、信息准确率，按全县、乡镇、村。"""
    from hv import rates
    from hv.api import check
    from hv.output import refuse_inputs, write_table
    from hv.report.text import print_rates

    lang = _lang(lang)
    _check_by(by)
    cfg = _check_config(config, None, None, ref_date, schema_dir)
    inputs = _inputs(files, cfg)
    if output is not None:
        refuse_inputs([output], [getattr(i, "path", i) for i in inputs])
    result = check(inputs, cfg, kind=kind, lang=lang)
    table = rates.at_level(result.rates, *BY[:BY.index(by) + 1], "county")
    if output is not None:
        write_table(table, output)
    console = make_console(quiet)
    print_rates(console, table, lang)
    if output is not None:
        console.print(f"已写入 {output}" if lang == "zh" else f"written: {output}")


def _print_history_counts(console, record, lang: str) -> None:
    zh = lang == "zh"
    console.print((f"与上次运行相比：新增 {record.count('new'):,}，未整改 {record.count('open'):,}，"
                   f"已整改 {record.count('resolved'):,}。") if zh else
                  f"Since the last run: {record.count('new'):,} new, {record.count('open'):,} still open, "
                  f"{record.count('resolved'):,} corrected.")
    corrected = record.corrected()
    if corrected.height:
        print_table(console, "已整改（按乡镇、规则）" if zh else "Corrected by township and rule",
                    ["乡镇", "规则", "数量"] if zh else ["township", "rule", "count"],
                    [[t or "", r, f"{n:,}"] for t, r, n in corrected.iter_rows()])


@app.command("history")
def history_cmd(
    history: Annotated[Optional[Path], typer.Option("--history", help="运行历史库（默认：配置文件旁的 .hv/history.db）。")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="配置文件。")] = None,
    run: Annotated[Optional[int], typer.Option("--run", help="重新显示第 N 次运行的汇总。")] = None,
    by: Annotated[str, typer.Option("--by", help="未整改问题的趋势：rule（按规则）或 town（按乡镇）。")] = "rule",
    prune: Annotated[Optional[int], typer.Option("--prune", min=0, help="删除早于这么多天的运行记录。")] = None,
    lang: LangOpt = "zh",
) -> None:
    """运行历史：每次运行的问题数，未整改问题的趋势；--run N 重显某次运行。"""
    from hv.history import Ledger, default_path

    lang = _lang(lang)
    zh = lang == "zh"
    if by not in ("rule", "town"):
        raise HvError("--by 只能是 rule 或 town", "--by must be rule or town")
    path = history or default_path(config)
    if not path.exists():
        raise HvError("还没有运行历史（用 hv check --history 记录）", "no run history yet (record with hv check "
                      "--history)", file=path)
    console = make_console()
    with Ledger(path) as ledger:
        if prune is not None:
            removed = ledger.prune(prune)
            console.print(f"删除了 {removed} 次运行记录。" if zh else f"{removed} runs deleted.")
            return
        if run is not None:
            record = ledger.run(run)
            counts = record.counts.group_by("rule", "status").agg(pl.col("count").sum()).sort("rule", "status")
            print_table(console, f"第 {run} 次运行（{record.started_at:%Y-%m-%d %H:%M}）" if zh else
                        f"Run {run} ({record.started_at:%Y-%m-%d %H:%M})", ["规则", "状态", "数量"] if zh else
                        ["rule", "status", "count"], counts.rows())
            _print_history_counts(console, record, lang)
            return
        runs = ledger.runs().drop("rules")
        print_table(console, "运行记录" if zh else "Runs", runs.columns,
                    runs.with_columns(pl.col(pl.Datetime).dt.strftime("%Y-%m-%d %H:%M")).rows())
        trend = ledger.trend(by)
        print_table(console, "未整改问题趋势" if zh else "Open findings over time", trend.columns,
                    trend.with_columns(pl.col(pl.Datetime).dt.strftime("%Y-%m-%d %H:%M")).rows())


@app.command("diff")
def diff_cmd(
    old: Annotated[Path, typer.Argument(help="旧版本名单。")],
    new: Annotated[Path, typer.Argument(help="新版本名单。")],
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="配置文件（政策口径、规则选择）。")] = None,
    lang: LangOpt = "zh",
) -> None:
    """比较同一名单的两个版本：增减的人、改动的字段、纠正/仍存在/新出现的问题。"""
    from hv.api import check
    from hv.config import load_config
    from hv.diff import diff_versions

    lang = _lang(lang)
    zh = lang == "zh"
    cfg = load_config(config)
    result = diff_versions(check([old], cfg, lang=lang), check([new], cfg, lang=lang), link_config=cfg.link)
    console = make_console()
    rows = []
    for kind, roster in result.rosters.items():
        c = roster.counts()
        rows.append([kind, c["added"], c["removed"], c["changed_people"], c["changed_fields"]])
    print_table(console, "人员变化" if zh else "People", ["名单", "新增", "减少", "信息有改动的人", "改动的字段"] if zh
                else ["list", "added", "removed", "people changed", "fields changed"], rows)
    f = result.findings.counts()
    console.print(f"纠正各类信息错误 {f['corrected']:,} 例；仍存在 {f['still_open']:,} 例；新出现 {f['introduced']:,} 例"
                  f"（随人员移出名单而消失的 {f['departed']:,} 例不计入纠正）。" if zh else
                  f"{f['corrected']:,} errors corrected; {f['still_open']:,} still open; {f['introduced']:,} new "
                  f"({f['departed']:,} left with people removed from the list, not counted as corrected).")


@app.command("rules")
def rules_cmd(
    prefix: Annotated[Optional[str], typer.Argument(help="只列出以此开头的规则代码，如 ID 或 HH00。")] = None,
    kind: KindOpt = None,
    lang: LangOpt = "zh",
) -> None:
    """列出全部核查规则（可按代码前缀或名单类型筛选）。"""
    from hv.rules import REGISTRY

    lang = _lang(lang)
    zh = lang == "zh"
    if kind is not None:
        from hv.schema import load_schemas

        load_schemas()[kind]  # noqa: B018 - an unknown kind is one line and exit 2
    chosen = [r for r in REGISTRY.values() if (not prefix or r.code.startswith(prefix.upper()))
              and (not kind or r.applies_to(kind))]
    if not chosen:
        raise HvError(f"没有以「{prefix}」开头的规则", f"no rule code starts with '{prefix}'")
    rows = [[r.code, r.name, r.severity, r.category, ",".join(r.kinds) or ("全部" if zh else "all"),
             r.summary if zh else r.message_en] for r in sorted(chosen, key=lambda r: r.code)]
    print_table(make_console(), "核查规则" if zh else "Rules",
                ["代码", "名称", "级别", "类别", "名单", "说明"] if zh else
                ["code", "name", "severity", "category", "lists", "description"], rows)


@app.command("explain")
def explain_cmd(code: Annotated[str, typer.Argument(help="规则代码，如 ID001。")], lang: LangOpt = "zh") -> None:
    """显示一条规则的说明：为什么、错误示例、正确示例、怎么改。"""
    from hv.rules import REGISTRY

    lang = _lang(lang)
    rule = REGISTRY.get(code.upper())
    if rule is None:
        raise HvError(f"没有规则 {code}（hv rules 可列出全部规则）", f"no rule {code} (see hv rules)")
    zh = lang == "zh"
    console = make_console()
    console.print(f"{rule.code}  {rule.name}")
    console.print(("级别：{0}  类别：{1}  名单：{2}" if zh else "severity: {0}  category: {1}  lists: {2}").format(
        rule.severity, rule.category, ", ".join(rule.kinds) or ("全部" if zh else "all")))
    console.print(("提示语：" if zh else "message: ") + rule.message(lang))
    console.print()
    sections = {"Why": "原因", "Bad": "错误示例", "Good": "正确示例", "Fix": "改正方法"} if zh else {}
    for line in rule.doc.splitlines():
        head, sep, rest = line.partition(":")
        console.print(f"{sections[head]}：{rest.strip()}" if sep and head in sections else line, markup=False)


@app.command("match")
def match_cmd(
    left: Annotated[Path, typer.Argument(help="第一个名单（通常是花名册）。")],
    right: Annotated[Path, typer.Argument(help="第二个名单。")],
    output: Annotated[Optional[list[Path]], typer.Option("--output", "-o", help="匹配结果：.xlsx、.csv 或 .json（可重复）。")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="配置文件（匹配阈值在 [link]）。")] = None,
    many: Annotated[bool, typer.Option("--many", help="第二个名单一人多行（结算、救治），每行各找一人。")] = False,
    schema_dir: SchemaDirOpt = None,
    lang: LangOpt = "zh",
    quiet: QuietOpt = False,
) -> None:
    """把两个名单中的同一个人对上：确认、待核实、无匹配，附匹配度和理由。"""
    from hv.config import load_config
    from hv.importer import import_files
    from hv.link import link, links_table
    from hv.output import refuse_inputs
    from hv.report.links import write_links
    from hv.schema import load_schemas

    lang = _lang(lang)
    cfg = load_config(config)
    outputs = list(output or [])
    refuse_inputs(outputs, [left, right])
    schemas = load_schemas([*cfg.schema_dirs, *(schema_dir or [])], cfg.vocab)
    sides = [import_files([path], schemas=schemas, lang=lang).combined() for path in (left, right)]
    pairs = link(sides[0], sides[1], cfg.link, one_to_one=not many)
    table = links_table(sides[0], sides[1], pairs, lang=lang)
    for path in outputs:
        write_links(table, path, lang)
    counts = dict(table.group_by("outcome").len().iter_rows())
    words = {"link": "确认", "possible": "待核实", "none": "无匹配"} if lang == "zh" else {}
    make_console(quiet).print("，".join(f"{words.get(k, k)} {counts.get(k, 0):,}" for k in ("link", "possible", "none"))
                              if lang == "zh" else ", ".join(f"{k} {counts.get(k, 0):,}" for k in ("link", "possible", "none")))


@app.command("import")
def import_cmd(
    files: Annotated[Optional[list[Path]], typer.Argument(help="输入文件：xlsx/xlsm/xls/ods/csv/tsv；省略时使用配置文件 \\[lists]。")] = None,
    config: ConfigOpt = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="规范化后的表：.parquet 或 .csv。")] = None,
    findings_out: Annotated[Optional[Path], typer.Option("--findings", help="导入问题清单：.csv 或 .parquet。")] = None,
    kind: KindOpt = None,
    schema_dir: SchemaDirOpt = None,
    timings: TimingsOpt = False,
    explain: Annotated[bool, typer.Option("--explain", help="逐列说明 hv 怎样理解每一列：对应的字段和理由。")] = False,
    lang: LangOpt = "zh",
    quiet: QuietOpt = False,
) -> None:
    """读取并清洗名单，写出带原值和来源（文件、工作表、Excel 行号）的规范表。"""
    from hv.config import load_config
    from hv.importer import import_files
    from hv.output import refuse_inputs, write_table
    from hv.schema import load_schemas

    lang = _lang(lang)
    cfg = load_config(config)
    inputs = _inputs(files, cfg)
    refuse_inputs([p for p in (output, findings_out) if p], [getattr(i, "path", i) for i in inputs])
    schemas = load_schemas([*cfg.schema_dirs, *(schema_dir or [])], cfg.vocab)
    result = import_files(inputs, kind=kind, schemas=schemas, lang=lang)
    read_done = time.perf_counter()
    if output:
        write_table(result.combined(), output)
    if findings_out:
        write_table(result.findings, findings_out)
    _print_timings({**result.timings, "write": time.perf_counter() - read_done}, timings)
    if explain:
        _print_explanation(result, schemas, lang)
    _print_import_summary(result, lang, quiet)


def _print_explanation(result, schemas, lang: str) -> None:
    from hv.importer import explain

    console = make_console()
    zh = lang == "zh"
    for summary in result.sheets:
        lines, rows = explain(summary, schemas, lang)
        for line in lines:
            console.print(line, markup=False)
        if rows:
            print_table(console, "", ["列", "表头", "字段", "怎样理解的"] if zh else ["column", "header", "field", "why"], rows)


def _print_import_summary(result, lang: str, quiet: bool) -> None:
    from hv.schema import load_schemas

    console = make_console(quiet)
    zh = lang == "zh"
    schemas = load_schemas()
    headers = (["文件", "工作表", "名单类型", "表头行", "读入行数", "去掉行数", "未识别的列"] if zh else
               ["file", "sheet", "kind", "header row", "rows read", "rows dropped", "unmapped columns"])
    rows = []
    for s in result.sheets:
        if s.skipped:
            reason = {"empty": "空表", "hidden": "隐藏，未读取", "no-header": "找不到表头，未读取",
                      "unknown-kind": "无法判断类型，未读取"}[s.skipped] if zh else s.skipped
            rows.append([Path(s.file).name, s.sheet, reason, "", "", "", ""])
            continue
        label = schemas.schemas[s.kind].label if zh and s.kind in schemas.schemas else s.kind
        header = "–".join(map(str, (s.header_rows[0], s.header_rows[-1]))) if len(s.header_rows) > 1 else str(
            s.header_rows[0])
        rows.append([Path(s.file).name, s.sheet, label, header, f"{s.rows:,}", f"{s.dropped:,}",
                     ("、" if zh else ", ").join(s.unmapped)])
    print_table(console, "导入汇总" if zh else "Import summary", headers, rows)
    counts = result.findings.group_by("rule", "severity").len().sort("rule")
    if counts.height:
        print_table(console, "导入问题" if zh else "Import findings",
                    ["规则", "级别", "数量"] if zh else ["rule", "severity", "count"],
                    [[r, sev, f"{n:,}"] for r, sev, n in counts.iter_rows()])
    total = sum(s.rows for s in result.sheets)
    console.print(f"共读入 {total:,} 行。" if zh else f"{total:,} rows read.")


@app.command("schema")
def schema_cmd(
    kind: Annotated[Optional[str], typer.Argument(help="名单类型；省略则列出全部类型。")] = None,
    schema_dir: SchemaDirOpt = None,
    lang: LangOpt = "zh",
) -> None:
    """显示名单类型的字段、可识别的表头写法和取值词表。"""
    from hv.schema import load_schemas

    lang = _lang(lang)
    zh = lang == "zh"
    schemas = load_schemas(schema_dir or [])
    console = make_console()
    if kind is None:
        rows = [[s.kind, s.label if zh else s.label_en, len(s.fields), "、".join(s.required)] for s in schemas]
        print_table(console, "名单类型" if zh else "List kinds",
                    ["类型", "名称", "字段数", "必需字段"] if zh else ["kind", "name", "fields", "required"], rows)
        return
    schema = schemas[kind]
    rows = []
    for f in schema.fields.values():
        need = ("必需" if zh else "required") if f.key in schema.required else (
            ("建议" if zh else "recommended") if f.key in schema.recommended else "")
        rows.append([f.key, f.label if zh else f.label_en, f.type, need, "、".join(f.synonyms)])
    print_table(console, f"{schema.label}（{schema.kind}）" if zh else f"{schema.label_en} ({schema.kind})",
                ["字段", "名称", "类型", "要求", "可识别的表头"] if zh else
                ["field", "label", "type", "need", "header synonyms"], rows)
    vocab_rows = []
    for f in schema.fields.values():
        spellings: dict[str, list[str]] = {}
        for spelling, standard in f.vocab.items():
            spellings.setdefault(standard, []).append(spelling)
        vocab_rows.extend([f.key, standard, "、".join(s for s in accepted if s != standard)]
                          for standard, accepted in spellings.items())
    if vocab_rows:
        print_table(console, "取值词表" if zh else "Vocabularies",
                    ["字段", "标准值", "也接受"] if zh else ["field", "standard value", "also accepted"], vocab_rows)


@app.command("sample")
def sample_cmd(
    directory: Annotated[Path, typer.Argument(help="输出目录（不存在则创建）。")],
    people: Annotated[int, typer.Option("--people", min=10, help="人数。")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="随机种子；同一种子生成相同的数据。")] = 1,
    lang: LangOpt = "zh",
    quiet: QuietOpt = False,
) -> None:
    """生成一个县的合成名单包（六类名单，含已知错误及其答案 answers.csv）。"""
    from hv.sample import generate_bundle

    lang = _lang(lang)
    directory.mkdir(parents=True, exist_ok=True)
    info = generate_bundle(directory, people=people, seed=seed)
    console = make_console(quiet)
    for path in info.files:
        console.print(str(path))
    console.print(f"{info.people:,} 人，注入 {info.defects:,} 处错误，答案见 {info.answers}" if lang == "zh" else
                  f"{info.people:,} people, {info.defects:,} injected defects, answers in {info.answers}")


def main() -> None:
    """Entry point: run the app and turn known errors into one line and exit code 2."""
    lang = os.environ.get("HV_LANG", "zh")
    if "--lang" in sys.argv:
        i = sys.argv.index("--lang")
        lang = sys.argv[i + 1] if i + 1 < len(sys.argv) else lang
    try:
        app()  # click handles usage errors itself: message, exit code 2
    except HvError as exc:
        typer.echo(f"hv: {exc.render('en' if lang == 'en' else 'zh')}", err=True)
        sys.exit(ExitCode.ERROR)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:  # a bug in hv: still one line and exit 2 for cron; the details only on request
        if os.environ.get("HV_DEBUG"):
            raise
        typer.echo("hv: 内部错误：这是 hv 自身的问题，不是名单的错。请把这一行和所用的命令告诉维护人员；"
                   "设置环境变量 HV_DEBUG=1 再运行可看到详细信息" if lang != "en" else
                   "hv: internal error: a fault in hv itself, not in the lists. Please report this line and the "
                   "command; run again with HV_DEBUG=1 for the details", err=True)
        sys.exit(ExitCode.ERROR)
