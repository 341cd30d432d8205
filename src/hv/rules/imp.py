"""IMP: what hv noticed while reading a file (design.md §3, domain.md §6.0)."""

from __future__ import annotations

import polars as pl

from hv import clean, idnumber
from hv.rules.base import Check, Context, declare, rule

FORMAT_MISMATCH = declare(
    "IMP001", "format-mismatch", "warning", "import",
    zh="文件扩展名是 .{declared}，实际内容是 {real}，已按实际格式读取",
    en="the file is named .{declared} but holds {real}; read as what it is",
    doc="""文件的扩展名与实际内容不符。

    Why: 有些系统把网页表格或制表符分隔的文本存成 .xls；别的软件打开时会乱码或失败。
    Bad: 花名册.xls（实际是 HTML 网页）
    Good: 花名册.xlsx（真正的 Excel 工作簿）
    Fix: 在 Excel 中打开后“另存为” Excel 工作簿（.xlsx）。hv 已按实际格式读取，数据不受影响。
    """,
)

NO_HEADER = declare(
    "IMP002", "no-header", "warning", "import",
    zh="前 {scan} 行中找不到可识别的表头，已跳过该工作表",
    en="no recognisable header in the first {scan} rows; sheet skipped",
    doc="""工作表里找不到表头，整张表没有读取。

    Why: hv 靠表头（姓名、身份证号……）认出每一列；找不到表头就无法核对这张表的任何数据。
    Bad: 表头写成“列1、列2”，或表头在第 40 行以下。
    Good: 前 30 行内有一行表头，至少包含“姓名”“身份证号”等两个可识别的列名。
    Fix: 检查是否是说明页或空表；如是名单，把表头改成标准列名，或用 --schema-dir 增加本地列名。
    """,
)

MISSING_RECOMMENDED = declare(
    "IMP003", "missing-recommended-column", "info", "import",
    zh="缺少列「{label}」，依赖它的核查无法进行（见报告中的“未核查”）",
    en="column '{label}' is missing; the checks that need it are skipped (see \"not checked\" in the report)",
    doc="""名单缺少一个建议具备的列（必需列缺失时 hv 直接报错退出）；哪些核对因此没有运行，报告的“未核查”一节逐条列出。

    Why: 例如花名册没有“户编号”或“与户主关系”，就无法核对户主、家庭人数等家庭户规则。
    Bad: 花名册只有 姓名、身份证号 两列。
    Good: 花名册含 户编号、与户主关系、乡镇、村 等列。
    Fix: 从系统重新导出完整字段，或补上该列。
    """,
)

LAYOUT = declare(
    "IMP004", "layout", "info", "import",
    zh="版式处理：{what}",
    en="layout: {what}",
    doc="""读取时对表格版式所做的处理：跳过标题行、合并两行表头、填充合并单元格、去掉合计行和空行。

    Why: 报表常带标题、填报单位、合计和签字行；这些不是人员数据，按人核对前要去掉，并如实记下。
    Bad: （无需改正）
    Good: （无需改正）
    Fix: 无需处理；如果去掉的行数与预期不符，请检查表格末尾是否有人员行被写成了“合计”样式。
    """,
)

@rule("IMP005", "long-number-stored-as-number", "warning", "import",
      zh="「{label}」{value} 在 Excel 中被存成了数字，第 15 位以后的数字已经丢失",
      en="'{label}' {value} was stored as a number in Excel; digits after the 15th are lost")
def long_number_stored_as_number(ctx: Context):
    """户编号、人员编号等长编号被 Excel 存成了数字，末尾几位已经丢失。

    Why: Excel 的数字只保留 15 位有效数字，16 位以上的编号末尾会变成 0，无法从文件本身恢复。
    Bad: 户编号 4115210010000000（原为 4115210010012345）
    Good: 户编号单元格设为“文本”格式后录入，或导出时保留为文本。
    Fix: 从原系统重新导出该列（设为文本格式），不要在 Excel 中直接改回。
    """
    sheet = ("file", "sheet")
    for key in ctx.fields_of_type("code_no"):
        value = pl.col(key)
        # Without a check digit one cell cannot tell; a column typed as numbers is all damaged,
        # while only one genuine 16-digit number in ten ends in 0.
        suspect = idnumber.excel_damaged(value, id_numbers=False)
        share = suspect.sum().over(sheet) / value.str.contains(r"^\d{16,}$").sum().over(sheet)
        yield Check(field=key, when=suspect & ((share >= 0.5) | value.str.contains(r"000$")))


ENCODING = declare(
    "IMP006", "encoding", "info", "import",
    zh="文本编码为 {encoding}",
    en="text encoding is {encoding}",
    doc="""记录文本文件（CSV）的编码：UTF-8、带 BOM 的 UTF-8 或 GB18030（兼容 GBK、GB2312）。

    Why: 同一个 CSV 用错编码打开会乱码；记下编码便于追查。
    Bad: （无需改正）
    Good: （无需改正）
    Fix: 无需处理。
    """,
)


@rule("IMP007", "unparsed-value", "error", "import",
      zh="「{label}」的值「{value}」无法识别为{type_name}",
      en="'{label}' value '{value}' is not a valid {type_name}")
def unparsed_value(ctx: Context):
    """单元格的值无法识别为日期、金额、比例或整数。

    Why: 无法识别的日期或金额无法参与核对（如死亡后是否仍有结算、报销比例是否达标），等于缺失。
    Bad: 签约日期 “2019.13.5”“19/5/10”“去年”；金额 “约300”
    Good: 签约日期 2019-05-10；金额 300.00
    Fix: 按原始凭证改成完整日期（四位年份）或数字金额。
    """
    names = {"date": ("日期", "date"), "money": ("金额", "amount"), "ratio": ("比例", "ratio"),
             "int": ("整数", "whole number"), "year": ("年份", "year")}
    for key in ctx.fields_of_type(*clean.PARSED_TYPES):
        zh, en = names[ctx.schema.fields[key].type]
        yield Check(field=key, when=clean.unparsed(pl.col(f"{key}_raw"), pl.col(key)),
                    args={"type_name": zh if ctx.lang == "zh" else en})


UNMAPPED = declare(
    "IMP008", "unmapped-columns", "info", "import",
    zh="这些列不属于「{kind_label}」的标准字段，未参与核对：{columns}",
    en="columns not in the '{kind_label}' schema, not checked: {columns}",
    doc="""表中有 hv 不认识的列，这些列原样保留但不参与核对。

    Why: 列名写法各地不同；认不出的列可能是本地特有字段，也可能是写法不同的标准字段。
    Bad: “身份证号（必填）”被写成“身分证”
    Good: 使用标准列名，或在 --schema-dir 的模式文件中为该字段增加同义列名。
    Fix: 如果该列本应参与核对，在本地模式文件的 synonyms 中加上这个列名。
    """,
)

HIDDEN_SHEET = declare(
    "IMP009", "hidden-sheet", "warning", "import",
    zh="隐藏的工作表未读取",
    en="hidden sheet not read",
    doc="""工作簿中有隐藏的工作表，hv 没有读取它。

    Why: 隐藏的表通常是旧数据或草稿；如果其中有人员，它们就没有被核对。
    Bad: 乡镇分表中有一个被隐藏。
    Good: 需要核对的表都取消隐藏；不需要的删除。
    Fix: 在 Excel 中右键工作表标签“取消隐藏”，或删除该表。
    """,
)

DUPLICATE_COLUMN = declare(
    "IMP010", "duplicate-column", "info", "import",
    zh="列「{column}」与列「{first}」都对应字段「{label}」，核对时使用「{first}」，「{column}」原样保留",
    en="columns '{column}' and '{first}' both map to '{label}'; '{first}' is checked, '{column}' is kept as written",
    doc="""两列对应同一个标准字段：hv 用表头最明确、有内容、最靠前的一列核对，另一列原样保留在规范表中。

    Why: 例如同时有“签约后随访次数”的两列，或“纸质签约”“电子签约”；hv 说明它用了哪一列，不会悄悄丢掉另一列。
    结算金额（如两列“其他”）按各列之和核对。
    Bad: 同一表中两列都叫“身份证号”，内容却不同。
    Good: 每个字段只有一列；或两列确是同一回事。
    Fix: 如果用错了列，在 hv.toml 该文件的 [[lists]] 中用 columns 指定（如 columns = { "电子签约" = "sign_status" }）。
    """,
)


KIND_UNCERTAIN = declare(
    "IMP011", "kind-uncertain", "warning", "import",
    zh="名单类型不能确定：既像「{chosen}」也像「{other}」，已按「{chosen}」读取；如不对，请用 --kind {other_kind} 或在 hv.toml 的 lists 中写 kind",
    en="list kind uncertain: it reads like a {chosen} and like a {other}; read as {kind}. If wrong, pass --kind "
       "{other_kind} or set kind in hv.toml's lists",
    doc="""表头同时带有两类名单特有的列，hv 按证据较多的一类读取，并说明它这样做了。

    Why: 有的导出把花名册、签约、履约和费用放在一张表里；按哪一类读，决定了哪些核对会运行。hv 按
    特有列（权重按有几类名单共有它而定）、文件名和工作表名判断；两类证据接近时不会悄悄选一个。
    Bad: 一张表既有“户编号、与户主关系”，又有“签约日期、随访次数”，文件名看不出是哪一类。
    Good: 文件名写明名单类型（如“花名册.xlsx”），或在 hv.toml 的 lists 中写明 kind。
    Fix: 如果 hv 读错了类型，用 --kind 指定，或在 hv.toml 的 [[lists]] 中写 kind = "contract"。
    """,
)

COLUMN_UNCLEAR = declare(
    "IMP012", "column-unclear", "warning", "import",
    zh="列「{column}」没有使用：{reason}。如需使用，请在 hv.toml 的 lists 中写 columns = {{ \"{column}\" = \"字段\" }}",
    en="column '{column}' not used: {reason}. To use it, set columns = {{ \"{column}\" = \"field\" }} in hv.toml's lists",
    doc="""一列的表头可以理解成两个字段，或表头像某个字段而单元格内容不是这类值，hv 没有猜，这一列未使用。

    Why: 把“保险支付金额”当成大病保险还是基本医保，结果完全不同；猜错比不用更糟。单元格内容能分辨时
    hv 按内容决定，不能分辨时就说出来，由熟悉这份名单的人指定。
    Bad: 表头“医保”可能是基本医保统筹支付，也可能是大病保险支付。
    Good: 表头写全“基本医保统筹支付”，或在配置中指定。
    Fix: 在 hv.toml 该文件的 [[lists]] 中写 columns = { "医保" = "basic_pay" }；hv schema 列出可用的字段名。
    """,
)

SYSTEMATIC = declare(
    "IMP013", "systematic", "warning", "import",
    zh="系统性问题：{summary}",
    en="systematic: {summary}",
    doc="""同一条核对在一个文件的大多数行上都出现，或同一个不认识的值填满了一列：这多半是 hv 没读懂这一列或口径不同，而不是这么多行都错了。

    Why: 一条规则在 80% 的行上报错，逐行去改只会白费力气：通常是列对应错了、代码表是本地的写法，
    或名单的口径（年份、范围）与配置不同。hv 把它合成一条提示，指出是哪一列、哪个值；涉及的各行仍
    列在明细中（降为“提示”），不计入信息准确率。
    Bad: 「救治方式」193 行都是“大病集中救治一批”，每一行都报“不在代码表中”。
    Good: 一条提示：这一列的这个值 hv 不认识，请核对代码表或在配置中补充。
    Fix: 核对这一列是否对应对了（hv import --explain 可以看到每一列是怎样理解的）；本地写法在
    --schema-dir 的模式文件或 hv.toml 中补充；口径不同的调整配置（如 ref_date、签约范围）。
    比例和最少行数由 hv.toml 的 [report] systematic_share、systematic_rows 设定。
    """,
)

COLUMN_BY_CONTENT = declare(
    "IMP014", "column-by-content", "info", "import",
    zh="列「{column}」的表头不认识，按单元格内容当作「{label}」",
    en="column '{column}' has an unknown header; its cells read as '{label}'",
    doc="""表头认不出，但单元格的内容一看就是某个字段（例如一列 18 位身份证号），hv 按内容使用了这一列。

    Why: 有的导出把表头写成“证件”“号码”甚至空着；身份证号有校验位，内容本身就说明了它是什么。
    Bad: 表头“号码”，内容是身份证号。
    Good: 表头“身份证号”。
    Fix: 无需处理；如果用错了，在 hv.toml 的 lists 中用 columns 指定这一列。
    """,
)

HOUSEHOLD_LEVEL = declare(
    "IMP015", "household-level-list", "info", "import",
    zh="这是一户一行的名单：以户主（列「{column}」）为准读取，按人核对家庭成员的规则不在这张表上运行",
    en="a list with one row per household: read by its head (column '{column}'); the checks about members do not run on it",
    doc="""名单没有成员的姓名和身份证号，只有户主姓名、户主身份证号：一行是一户。

    Why: 户信息表（如防返贫监测系统的户信息导出）以户为单位；hv 按户主把它与其他名单比对，
    而“户主是否唯一”“人数与成员行数”等需要成员行的核对在这种表上无从谈起，不会运行。
    Bad: （无需改正）
    Good: （无需改正）
    Fix: 无需处理；如要核对家庭成员，请同时提供按人的花名册。
    """,
)

STALE_LIST = declare(
    "IMP016", "list-dates-long-before-reference", "warning", "import",
    zh="「{label}」中最晚的日期是 {latest}，比核查基准日 {ref}（{source}）早 {years} 年：如果这是当年的名单，"
       "请用 --ref-date {suggested} 或在 hv.toml 的 [policy] 中设 ref_date，否则签约、参保、年龄等按今天核对都会出错",
    en="the latest date in the {label} is {latest}, {years} years before the reference date {ref} ({source}): "
       "if the list is of that time, pass --ref-date {suggested} or set ref_date in hv.toml's [policy]",
    doc="""名单里的日期（签约、随访、结算、死亡、数据日期）都比核查基准日早好几年。

    Why: 没有给出核查基准日时 hv 按今天核对。用今天去核对几年前的名单，有效签约都成了“已到期”，年龄、在校
    年级都差了几岁，指标和问题清单都不可信。名单表头上方写了填报日期、或有“数据日期”列时，hv 会用它；
    都没有时，hv 说明日期对不上，并给出应设的日期。
    Bad: 2020 年的签约名单，不带 --ref-date 在 2026 年核对。
    Good: hv check --ref-date 2020-12-31 签约名单.xlsx，或在 hv.toml 中写 ref_date = 2020-12-31。
    Fix: 按名单所属的时间设核查基准日。
    """,
)
