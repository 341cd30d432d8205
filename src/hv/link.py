"""Person links between two lists: which row of the right list is which person of the left.

Each list was typed by a different clerk, so the same person carries typos (domain.md §4.2, §7).
The work stays proportional to the typos, not to the lists (design.md §8):

1. exact pass: the same 18-character ID, one hash join; most people are settled here.
2. blocked pass, only over the rows step 1 left open: candidates that share a block key — the ID
   with one position masked (one substituted digit), the ID with two adjacent digits swapped,
   the first 15 digits beside an Excel-damaged ID, pinyin + birth date, name + village.

Every candidate is scored from its evidence (the scoring rule below), kept as a link or a
possible link by LinkConfig's thresholds, and each person is linked at most once.
"""

from __future__ import annotations

import re

import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from hv import clean
from hv.config import LinkConfig
from hv.keys import id_keys, name_sound, person_keys

# Strongest first: a pair found by several blocks keeps the relation that explains it best.
ID_RELATIONS = ("same", "excel_damaged", "one_digit", "transposition", "different", "missing")
NAME_RELATIONS = ("same", "traditional", "homophone", "dropped", "similar", "different", "missing")
AGREEING_NAMES = ("same", "traditional", "homophone")  # one name, however written

# The scoring rule: score = ID points + NAME × name similarity² (+ the other facts when the IDs
# say nothing), clipped to 0–1. GB 11643's check digit catches every single substitution and
# adjacent swap, so two valid IDs one typo apart do not exist: an invalid number one typo from a
# valid one is its typo. Two different valid IDs are two people: such a pair stays below `link`.
ID_POINTS = {
    "same": 0.65,              # a valid number (the same invalid number twice: SAME_INVALID_ID)
    "excel_damaged": 0.55,     # 15 digits agree; the lost 3 are what tells twins apart
    "one_digit": 0.55,         # exactly one side valid (both invalid: TYPO_OF_INVALID_ID)
    "transposition": 0.55,
}
SAME_INVALID_ID = 0.55
TYPO_OF_INVALID_ID = 0.40
NAME = 0.35
HOMOPHONE = 0.85               # similarity of a name written with other characters of the same sound
HOMOPHONE_POINTS = 0.9         # its weight as evidence (and a dropped character's): with a one-digit ID typo, a link
SIMILAR_NAME = 0.5             # below this the names are different
# When the IDs say nothing (missing) or disagree, birth date, sex and village speak instead.
BIRTH = 0.35
SEX_AGREES, SEX_DIFFERS = 0.05, -0.30
SAME_VILLAGE = 0.10

FEATURES = ("id18", "id_valid", "id_damaged", "birth", "id_sex", "name", "name_key", "village_key")
PAIR = ["left_index", "right_index"]
KEY_INPUTS = {"id_no", "name", "name_key", "birth_date", "sex", "village"}  # the columns person_keys reads


def link(left: pl.DataFrame, right: pl.DataFrame, config: LinkConfig = LinkConfig(), *,
         one_to_one: bool = True) -> pl.DataFrame:
    """Linked and possibly linked pairs of two canonical tables, one row per pair.

    left_index, right_index are 0-based positions in the inputs; score 0–1; outcome `link` or
    `possible`; id_relation and name_relation name the evidence (ID_RELATIONS, NAME_RELATIONS);
    valid_side tells whose ID passes its check digit (both / left / right / neither); evidence_zh
    and evidence_en say it in words.

    one_to_one: person lists, each row of either side in at most one pair. False for event lists
    (settlements: many rows per person): each right row in at most one pair.
    """
    exact = _scored(_exact_pairs(_names_and_ids(left), _names_and_ids(right)), config)
    # a row linked by its number alone (names that disagree) stays open: its own record may be
    # found under another number (a twin typed with the sibling's ID)
    settled = exact.filter((pl.col("score") >= config.link) & pl.col("name_relation").is_in(AGREEING_NAMES))
    # an event list's person stays open: more of their events may come with a typo
    open_left = _open(left, "left_index", settled["left_index"] if one_to_one else None)
    open_right = _open(right, "right_index", settled["right_index"])
    blocked = _blocked_pairs(open_left, open_right).join(
        exact.filter(pl.col("score") < config.link).select(PAIR), on=PAIR, how="anti")
    scored = pl.concat([exact, _scored(_features(blocked, open_left, open_right), config)], how="diagonal_relaxed")
    # decided on a narrow frame, then the wide one gathered once, in the order of the result: the
    # exact pairs came in the left list's order, so that gather reads memory nearly in sequence
    scored = _unambiguous_without_id(scored, config)
    decided = scored.select(*PAIR, "score").with_row_index("pair").filter(pl.col("score") >= config.possible)
    taken = (_one_to_one(decided) if one_to_one else _best_left(decided)).sort(PAIR)["pair"]
    return _with_evidence(scored[taken].with_columns(
        outcome=pl.when(pl.col("score") >= config.link).then(pl.lit("link")).otherwise(pl.lit("possible")),
        valid_side=_valid_side(),
    )).select(*PAIR, "score", "outcome", "id_relation", "name_relation", "valid_side", "evidence_zh", "evidence_en")


def _names_and_ids(table: pl.DataFrame) -> pl.DataFrame:
    """What the exact pass needs of every row; the other keys are made for the open rows only."""
    name = pl.col("name") if "name" in table.columns else pl.lit(None, pl.String)
    id_no = pl.col("id_no") if "id_no" in table.columns else pl.lit(None, pl.String)
    return table.select(
        id18=pl.when(id_no.str.len_chars() == 18).then(id_no),
        name=name,
        name_key=pl.col("name_key") if "name_key" in table.columns else clean.name_key(name),
    ).with_columns(number=_id_number()).with_row_index("index")


def _open(table: pl.DataFrame, index: str, settled: pl.Series | None) -> pl.DataFrame:
    """The match keys of the rows the exact pass did not settle, with their position."""
    rows = table.select(c for c in table.columns if c in KEY_INPUTS).with_row_index(index)
    if settled is not None:
        rows = rows.filter(~pl.col(index).is_in(settled.implode()))
    if "name" not in rows.columns:
        rows = rows.with_columns(name=pl.lit(None, pl.String))
    return person_keys(rows).select(index, *FEATURES, "id15", "name_pinyin")


def _id_number() -> pl.Expr:
    """An ID as one integer, its 18 characters read as base-11 digits (X = 10): every position,
    the check character's too, has a place value, and integer keys are made and joined several
    times faster than strings (11**18 fits in an Int64). Null for what is not digits and X."""
    return pl.col("id18").str.replace_all("X", "A", literal=True).str.to_integer(base=11, strict=False)


# --- candidates -------------------------------------------------------------------------------

def _exact_pairs(left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    """Pairs with the same ID and what scoring needs of them. The number is checked once, on the
    left side before the join (a joined string column is several times slower to slice); birth
    date, sex and village stay empty: they only speak when IDs differ."""
    checked = left.hstack(id_keys(left["id18"]).select("id_valid", "id_damaged"))
    pairs = checked.drop_nulls("number").join(right.drop_nulls("number").drop("id18"), on="number", suffix="_r",
                                              maintain_order="left")
    return pairs.select(
        left_index="index", right_index="index_r", block=pl.lit("same"), pos=pl.lit(None, pl.Int8),
        *(pl.col(c).alias(f"{s}_{c}") for s in "lr" for c in ("id18", "id_valid", "id_damaged")),
        l_name="name", l_name_key="name_key", r_name="name_r", r_name_key="name_key_r",
        *(pl.lit(None, dtype).alias(f"{s}_{c}") for s in "lr"
          for c, dtype in (("birth", pl.Date), ("id_sex", pl.String), ("village_key", pl.String))),
    )


def _features(pairs: pl.DataFrame, left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    """The blocked pairs with both sides' features, `l_…` and `r_…`."""
    def side(keys: pl.DataFrame, index: str, prefix: str) -> pl.DataFrame:
        return keys.select(index, *(pl.col(c).alias(f"{prefix}_{c}") for c in FEATURES))

    return (pairs.join(side(left, "left_index", "l"), on="left_index", how="left")
            .join(side(right, "right_index", "r"), on="right_index", how="left"))


def _blocked_pairs(left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    """Each pair once, with the strongest ID relation a block found (`block`, `pos`: 0-based
    position of the first differing digit)."""
    left, right = left.lazy(), right.lazy()
    candidates = pl.concat([
        _one_substitution(left, right),
        _transposition(left, right),
        _excel_cut(left, right),
        _same(left, right, ["name_pinyin", "birth"]),
        _same(left, right, ["name_key", "village_key"]),
        _without_id(left, right, ["birth", "village_key"]),
    ], how="diagonal_relaxed")
    rank = pl.col("block").replace_strict(ID_RELATIONS, range(len(ID_RELATIONS)), default=len(ID_RELATIONS))
    return candidates.sort(rank).unique(PAIR, keep="first").select(*PAIR, "block", "pos").collect()


def _as_number(frame: pl.LazyFrame, index: str) -> pl.LazyFrame:
    return frame.select(index, number=_id_number()).drop_nulls()


def _place(i: int) -> int:
    """Place value of the character at 0-based position i."""
    return 11 ** (17 - i)


def _char(i: int) -> pl.Expr:
    return pl.col("number") // _place(i) % 11


def _one_substitution(left: pl.LazyFrame, right: pl.LazyFrame) -> pl.LazyFrame:
    """IDs equal but for one position: equal once that position's character is masked (zeroed)."""
    def masked(frame: pl.LazyFrame, index: str) -> pl.LazyFrame:
        ids = _as_number(frame, index)
        return pl.concat([ids.select(index, pos=pl.lit(i, pl.Int8), masked=pl.col("number") - _char(i) * _place(i))
                          for i in range(18)])

    return (masked(left, "left_index").join(masked(right, "right_index"), on=["pos", "masked"])
            .select(*PAIR, "pos", block=pl.lit("one_digit")))


def _transposition(left: pl.LazyFrame, right: pl.LazyFrame) -> pl.LazyFrame:
    """The left ID with two adjacent, different characters swapped is the right ID."""
    ids = _as_number(left, "left_index")
    swapped = pl.concat([
        ids.filter(_char(i) != _char(i + 1)).select(
            "left_index", pos=pl.lit(i, pl.Int8),
            number=pl.col("number") + (_char(i + 1) - _char(i)) * (_place(i) - _place(i + 1)))
        for i in range(17)])
    return (swapped.join(_as_number(right, "right_index"), on="number")
            .select(*PAIR, "pos", block=pl.lit("transposition")))


def _excel_cut(left: pl.LazyFrame, right: pl.LazyFrame) -> pl.LazyFrame:
    """The same first 15 digits where one side may have lost its last 3 to Excel.

    A genuine ID ends in `000` once in a thousand and then passes its checksum, and so does a
    damaged one once in eleven: a `…000` number counts as possibly damaged here, and the names
    decide (twins share their first 15 digits).
    """
    def side(frame: pl.LazyFrame, index: str) -> pl.LazyFrame:
        cut = pl.col("id_damaged") | pl.col("id18").str.ends_with("000")
        return frame.filter(pl.col("id18").is_not_null()).select(index, "id15", cut=cut)

    return (side(left, "left_index").join(side(right, "right_index"), on="id15", suffix="_right")
            .filter(pl.col("cut") | pl.col("cut_right"))
            .select(*PAIR, block=pl.lit("excel_damaged")))


def _without_id(left: pl.LazyFrame, right: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """Pairs agreeing on `keys` where one side has no ID number: a name with a dropped or misread
    character shares neither its sound nor its key with the right one."""
    def side(frame: pl.LazyFrame, index: str) -> pl.LazyFrame:
        return frame.select(index, *keys, no_id=pl.col("id18").is_null()).drop_nulls(keys)

    return (side(left, "left_index").join(side(right, "right_index"), on=keys, suffix="_r")
            .filter(pl.col("no_id") | pl.col("no_id_r")).select(PAIR))


def _same(left: pl.LazyFrame, right: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    return (left.select("left_index", *keys).drop_nulls()
            .join(right.select("right_index", *keys).drop_nulls(), on=keys).select(PAIR))


# --- scoring ----------------------------------------------------------------------------------

def _scored(pairs: pl.DataFrame, config: LinkConfig) -> pl.DataFrame:
    """The pairs (with both sides' features `l_…`, `r_…`) with their relations and score."""
    pairs = pl.concat([pairs.with_columns(id_relation=_id_relation()), _names(pairs)], how="horizontal")
    return pairs.with_columns(score=_score(config))


def _side(feature: str) -> tuple[pl.Expr, pl.Expr]:
    return pl.col(f"l_{feature}"), pl.col(f"r_{feature}")


def _id_relation() -> pl.Expr:
    (l_id, r_id), (l_cut, r_cut) = _side("id18"), _side("id_damaged")
    block = pl.col("block")
    return (pl.when(l_id.is_null() | r_id.is_null()).then(pl.lit("missing"))
            .when((block == "same") & (l_cut | r_cut)).then(pl.lit("excel_damaged"))
            .otherwise(pl.coalesce(block, pl.lit("different"))))


def _names(pairs: pl.DataFrame) -> pl.DataFrame:
    """name_similarity and name_relation of each pair.

    1 for the same name key. Where the keys differ (few pairs), rapidfuzz batched: the better of
    the characters' Levenshtein similarity and HOMOPHONE × the sounds' (keys.name_sound: a
    homophone character counts as equal, 王晓明/王小明 = 0.85, 王晓明/王小敏 = 0.57).
    """
    (l_key, r_key), (l_name, r_name) = _side("name_key"), _side("name")
    differ = l_name != r_name  # only those pay for the dot removal
    dotless = (pl.when(differ).then(l_name).str.replace_all("·", "", literal=True)
               == pl.when(differ).then(r_name).str.replace_all("·", "", literal=True))
    known = pairs.select(
        name_similarity=pl.when(l_key == r_key).then(1.0),
        name_relation=pl.when(l_key.is_null() | r_key.is_null()).then(pl.lit("missing"))
        .when(l_key == r_key).then(pl.when(~differ | dotless).then(pl.lit("same")).otherwise(pl.lit("traditional"))),
    )
    rows = (known["name_relation"].is_null()).arg_true()
    keys = pairs.select(l_key, r_key)[rows]
    sounds = keys.select(name_sound(keys.to_series(i)) for i in (0, 1))

    def similarity(frame: pl.DataFrame) -> pl.Series:
        left, right = (frame.to_series(i).to_list() for i in (0, 1))
        return pl.Series(process.cpdist(left, right, scorer=Levenshtein.normalized_similarity, workers=-1))

    best = pl.max_horizontal("characters", HOMOPHONE * pl.col("sound"))
    lengths = keys.select(shorter=pl.min_horizontal(pl.all().str.len_chars()), longer=pl.max_horizontal(
        pl.all().str.len_chars()))
    # one character left out (王晓明/王明): one edit that shortens the name, never down to a lone surname
    dropped = ((pl.col("longer") - pl.col("shorter") == 1) & (pl.col("shorter") >= 2)
               & ((1 - pl.col("characters")) * pl.col("longer") - 1).abs().lt(1e-4))  # float32 from rapidfuzz
    fuzzy = pl.DataFrame({"characters": similarity(keys), "sound": similarity(sounds)}).cast(pl.Float64).hstack(
        lengths).select(
        name_similarity=best,
        name_relation=pl.when(pl.col("sound") == 1).then(pl.lit("homophone")).when(dropped).then(pl.lit("dropped"))
        .when(best >= SIMILAR_NAME).then(pl.lit("similar")).otherwise(pl.lit("different")))
    return pl.DataFrame([known[c].scatter(rows, fuzzy[c]) for c in known.columns])


def _score(config: LinkConfig) -> pl.Expr:
    rel = pl.col("id_relation")
    (l_valid, r_valid) = _side("id_valid")
    id_points = (
        pl.when((rel == "same") & ~(l_valid & r_valid)).then(SAME_INVALID_ID)
        .when(rel.is_in(["one_digit", "transposition"]) & (l_valid == r_valid)).then(TYPO_OF_INVALID_ID)
        .otherwise(rel.replace_strict(ID_POINTS, default=0.0, return_dtype=pl.Float64)))
    # squared: one other character in a three-character name (0.67) is as often a sibling as a typo;
    # a name that sounds the same is one name written by ear
    relation = pl.col("name_relation")
    name_points = NAME * (pl.when(relation.is_in(["different", "missing"])).then(0.0)
                          .when(relation.is_in(["homophone", "dropped"])).then(HOMOPHONE_POINTS)
                          .otherwise(pl.col("name_similarity") ** 2))
    score = (id_points + name_points + pl.when(rel.is_in(["different", "missing"])).then(_other_facts())
             .otherwise(0.0)).clip(0.0, 1.0)
    two_people = (rel == "different") & l_valid & r_valid  # at most a possible link, for a clerk to look at
    # a valid number is one person's whatever the names say (CS001 reports two spellings of it)
    one_number = (rel == "same") & l_valid & r_valid
    return (pl.when(two_people).then(pl.min_horizontal(score, (config.possible + config.link) / 2))
            .when(one_number).then(pl.max_horizontal(score, config.link)).otherwise(score))


def _other_facts() -> pl.Expr:
    def agreement(feature: str, agrees: float, differs: float) -> pl.Expr:
        left, right = _side(feature)
        return pl.when(left == right).then(agrees).when(left != right).then(differs).otherwise(0.0)

    return agreement("birth", BIRTH, -BIRTH) + agreement("id_sex", SEX_AGREES, SEX_DIFFERS) + agreement(
        "village_key", SAME_VILLAGE, 0.0)


def _unambiguous_without_id(scored: pl.DataFrame, config: LinkConfig) -> pl.DataFrame:
    """A row without an ID number is its person's when the birth date, the village and the name agree
    and neither side has another such candidate: then the link is certain. The name agrees as
    written or by sound; only when no candidate's does, a similar name (a dropped or misread
    character) will do, again only alone. Twins share a birth date and a village but not a name."""
    rel, name = pl.col("id_relation"), pl.col("name_relation")
    (l_birth, r_birth), (l_village, r_village), (l_sex, r_sex) = _side("birth"), _side("village_key"), _side("id_sex")
    facts = ((rel == "missing") & (l_birth == r_birth) & (l_village == r_village)
             & (l_sex.is_null() | r_sex.is_null() | (l_sex == r_sex))).fill_null(False)
    if not scored.select(facts.any()).item():
        return scored
    strong = facts & name.is_in(AGREEING_NAMES)
    weak = facts & name.is_in(["dropped", "similar"])

    def alone(candidate: pl.Expr, others: pl.Expr) -> pl.Expr:
        return candidate & (others.sum().over("left_index") == 1) & (others.sum().over("right_index") == 1)

    either = strong | weak
    certain = alone(strong, strong) | (alone(weak, either) & ~strong.any().over("right_index"))
    return scored.with_columns(pl.when(certain).then(pl.max_horizontal("score", config.link))
                               .otherwise(pl.col("score")).alias("score"))


# --- one person, one link ---------------------------------------------------------------------

def _one_to_one(pairs: pl.DataFrame) -> pl.DataFrame:
    """Each row of either side in one pair at most, the best first.

    A pair whose rows are in no other pair is taken as it is (nearly all of them). The contested
    rest goes through iterated mutual best: sorted best first, a pair that is the first of its
    left row and of its right row is taken, every other pair of those rows dropped, and again.
    The best remaining pair is always taken, so this ends; usually after two or three rounds.
    """
    contested = pl.col("left_index").is_duplicated() | pl.col("right_index").is_duplicated()
    taken = [pairs.filter(~contested)]
    ranked = _best_first(pairs.filter(contested))
    while ranked.height:
        best = ranked.filter(pl.col("left_index").is_first_distinct() & pl.col("right_index").is_first_distinct())
        taken.append(best)
        ranked = ranked.filter(~pl.col("left_index").is_in(best["left_index"].implode())
                               & ~pl.col("right_index").is_in(best["right_index"].implode()))
    return pl.concat(taken)


def _best_left(pairs: pl.DataFrame) -> pl.DataFrame:
    """For an event list: each right row with its best left row; a left row may have many."""
    return _best_first(pairs).filter(pl.col("right_index").is_first_distinct())


def _best_first(pairs: pl.DataFrame) -> pl.DataFrame:
    """Highest score first; ties go to the earlier rows, so the result never depends on chance."""
    return pairs.sort(["score", "left_index", "right_index"], descending=[True, False, False])


# --- evidence in words ------------------------------------------------------------------------

TEXT = {
    "zh": {
        "id.same": "身份证号相同",
        "id.excel_damaged": "身份证号后3位被Excel截断，前15位相同",
        "id.one_digit": "身份证号相差一位（第{p}位；{validity}）",
        "id.transposition": "身份证号前后两位颠倒（第{p}、{q}位；{validity}）",
        "id.different": "身份证号不同（{validity}）",
        "id.missing": "缺少身份证号",
        "valid.both": "两个号码都有效", "valid.left": "左表号码有效，右表号码校验不通过",
        "valid.right": "右表号码有效，左表号码校验不通过", "valid.neither": "两个号码校验都不通过",
        "name.same": "姓名相同", "name.traditional": "姓名繁简不同：{left}/{right}",
        "name.homophone": "姓名同音：{left}/{right}", "name.dropped": "姓名漏了一个字：{left}/{right}",
        "name.similar": "姓名相近：{left}/{right}",
        "name.different": "姓名不同：{left}/{right}", "name.missing": "缺少姓名",
        "birth.agrees": "出生日期相同", "birth.differs": "出生日期不同",
        "id_sex.agrees": "性别相同", "id_sex.differs": "性别不同", "village_key.agrees": "同村",
        "separator": "，",
    },
    "en": {
        "id.same": "same ID number",
        "id.excel_damaged": "ID number's last 3 digits cut by Excel, first 15 the same",
        "id.one_digit": "ID numbers differ in one digit (position {p}; {validity})",
        "id.transposition": "ID numbers have two adjacent digits swapped (positions {p} and {q}; {validity})",
        "id.different": "different ID numbers ({validity})",
        "id.missing": "ID number missing",
        "valid.both": "both valid", "valid.left": "the left one is valid, the right one fails its check digit",
        "valid.right": "the right one is valid, the left one fails its check digit",
        "valid.neither": "neither passes its check digit",
        "name.same": "same name", "name.traditional": "same name in traditional characters: {left}/{right}",
        "name.homophone": "names sound the same: {left}/{right}",
        "name.dropped": "one name lacks a character: {left}/{right}", "name.similar": "similar names: {left}/{right}",
        "name.different": "different names: {left}/{right}", "name.missing": "name missing",
        "birth.agrees": "same birth date", "birth.differs": "different birth dates",
        "id_sex.agrees": "same sex", "id_sex.differs": "different sex", "village_key.agrees": "same village",
        "separator": "; ",
    },
}


def _with_evidence(pairs: pl.DataFrame) -> pl.DataFrame:
    """evidence_zh and evidence_en. Most pairs are `same ID, same name`: their sentence is made
    once and shared, and only the other pairs are put into words one by one."""
    sentences = [_evidence(lang).alias(f"evidence_{lang}") for lang in TEXT]
    plain = pairs.select((pl.col("id_relation") == "same") & (pl.col("name_relation") == "same")).to_series()
    rows = (~plain).arg_true()
    worded = pairs[rows].select(sentences)
    common = pairs[plain.arg_true().head(1)].select(sentences)
    return pairs.with_columns(
        pl.repeat(common[c].first(), pairs.height, dtype=pl.String, eager=True).scatter(rows, worded[c]).alias(c)
        for c in worded.columns)


def _valid_side() -> pl.Expr:
    l_valid, r_valid = _side("id_valid")
    return (pl.when(pl.col("id_relation") == "missing").then(None)
            .when(l_valid & r_valid).then(pl.lit("both")).when(l_valid).then(pl.lit("left"))
            .when(r_valid).then(pl.lit("right")).otherwise(pl.lit("neither")))


def _evidence(lang: str) -> pl.Expr:
    """The reasons of a pair in one sentence: its ID relation, its name relation, and for pairs
    whose IDs say nothing, the birth date, sex and village that decided."""
    text = TEXT[lang]
    l_name, r_name = _side("name")
    pos = pl.col("pos").cast(pl.Int32)
    fields = {"p": (pos + 1).cast(pl.String), "q": (pos + 2).cast(pl.String), "left": l_name, "right": r_name,
              "validity": _by_value(_valid_side(), text, "valid", {})}
    id_part = _by_value(pl.col("id_relation"), text, "id", fields)
    name_part = _by_value(pl.col("name_relation"), text, "name", fields)
    without_id = pl.col("id_relation").is_in(["different", "missing"])
    facts = []  # a different village is not said: it is no evidence either way (see _other_facts)
    for feature in ("birth", "id_sex", "village_key"):
        left, right = _side(feature)
        facts.append(pl.when(without_id & (left == right)).then(pl.lit(text.get(f"{feature}.agrees")))
                     .when(without_id & (left != right)).then(pl.lit(text.get(f"{feature}.differs"))))
    return pl.concat_str([id_part, name_part, *facts], separator=text["separator"], ignore_nulls=True)


def _by_value(column: pl.Expr, text: dict[str, str], prefix: str, fields: dict[str, pl.Expr]) -> pl.Expr:
    """The `prefix.<value>` template of each row's value, its `{placeholders}` filled from `fields`."""
    return pl.coalesce([pl.when(column == key.removeprefix(prefix + ".")).then(_fill(template, fields))
                        for key, template in text.items() if key.startswith(prefix + ".")])


def _fill(template: str, fields: dict[str, pl.Expr]) -> pl.Expr:
    pieces = re.split(r"\{(\w+)\}", template)
    if len(pieces) == 1:
        return pl.lit(template)
    return pl.concat_str([fields[p] if i % 2 else pl.lit(p) for i, p in enumerate(pieces) if p or i % 2])


# --- the links table (design.md §4) -----------------------------------------------------------

LINKS_COLUMNS = ("left_file", "left_sheet", "left_row", "right_file", "right_sheet", "right_row", "left_name",
                 "right_name", "left_id_no", "right_id_no", "score", "outcome", "evidence")
NO_MATCH = {"zh": "另一名单中没有找到此人", "en": "not found in the other list"}


def links_table(left: pl.DataFrame, right: pl.DataFrame, pairs: pl.DataFrame, lang: str = "zh") -> pl.DataFrame:
    """The contract's links table: every pair of `link()`, then each row of either side that is in
    no pair, with outcome `none` and the other side's columns empty; in the order of the left list.
    `outcome` stays machine-readable (link / possible / none); `evidence` is in `lang`."""
    left_rows, right_rows = _provenance(left, "left"), _provenance(right, "right")
    table = pl.concat([
        pairs.join(left_rows, on="left_index", how="left").join(right_rows, on="right_index", how="left"),
        left_rows.join(pairs, on="left_index", how="anti"),
        right_rows.join(pairs, on="right_index", how="anti"),
    ], how="diagonal_relaxed")
    return table.sort(PAIR, nulls_last=True).select(
        *LINKS_COLUMNS[:10], pl.col("score").round(3),
        outcome=pl.col("outcome").fill_null("none"),
        evidence=pl.col(f"evidence_{lang}").fill_null(NO_MATCH[lang]),
    )


def _provenance(table: pl.DataFrame, side: str) -> pl.DataFrame:
    def column(name: str) -> pl.Expr:
        return pl.col(name) if name in table.columns else pl.lit(None, pl.String)

    return table.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias(f"{side}_index"),
        *(column(name).alias(f"{side}_{name}") for name in ("file", "sheet", "row", "name", "id_no")))
