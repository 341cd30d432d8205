"""Schemas: six built-in kinds, kind detection from headers, and a province's own profile."""

from pathlib import Path

import pytest

from hv.errors import ConfigError
from hv.importer import import_files
from hv.schema import header_candidates, load_schemas
from tests.conftest import write_csv, write_xlsx

KINDS = {"poverty", "insurance", "contract", "treatment", "settlement", "death", "person"}


def test_the_six_list_kinds_and_the_generic_person_list_load_without_conflicting_synonyms():
    schemas = load_schemas()
    assert set(schemas.kinds) == KINDS
    for schema in schemas:
        assert {"id_no", "name"} <= set(schema.required)
        assert schema.header_index["身份证号"] == "id_no"


@pytest.mark.parametrize("cell, expected", [
    ("劳动能力\n页面（劳动技能）", "劳动能力"), ("A7公民身份证号或残疾证号 *", "公民身份证号或残疾证号"),
    ("县（市、区、旗）", "县(市、区、旗)"), (" 姓　名 ", "姓名"),
])
def test_header_normalisation(cell, expected):
    assert expected in header_candidates(cell)


@pytest.mark.parametrize("headers, kind", [
    (["户编号", "姓名", "证件号码", "与户主关系"], "poverty"),
    (["姓名", "身份证号", "参保状态", "资助类别"], "insurance"),
    (["姓名", "身份证号", "签约日期", "签约医生"], "contract"),
    (["姓名", "身份证号", "疾病名称", "救治状态"], "treatment"),
    (["姓名", "身份证号", "医疗费总额", "个人负担总金额"], "settlement"),
    (["姓名", "身份证号", "死亡日期"], "death"),
])
def test_kind_is_detected_from_headers(tmp_path, headers, kind):
    path = write_xlsx(tmp_path / "list.xlsx", {"S": [headers, ["x"] * len(headers)]})
    assert import_files([path]).sheets[0].kind == kind


def test_the_file_name_breaks_a_tie(tmp_path):
    headers = ["姓名", "身份证号", "疾病名称", "总费用", "个人自付"]  # a ledger that carries costs
    path = write_xlsx(tmp_path / "大病专项救治台账.xlsx", {"S": [headers, ["张三", "411521196001011232", "胃癌", "1", "0"]]})
    assert import_files([path]).sheets[0].kind == "treatment"


def test_schema_dir_adds_a_local_synonym_and_vocabulary(tmp_path):
    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / "insurance.yaml").write_text(
        "kind: insurance\nfields:\n  insured_status:\n    synonyms: [本地参保标志]\n"
        "    vocab:\n      正常参保: [Y参保]\n", encoding="utf-8")
    path = write_csv(tmp_path / "参保.csv", [["姓名", "身份证号", "本地参保标志"], ["张三", "411521196001011232", "Y参保"]])
    schemas = load_schemas([profile])
    table = import_files([path], schemas=schemas).tables["insurance"]
    assert table["insured_status"].to_list() == ["正常参保"]
    assert "本地参保标志" not in load_schemas().schemas["insurance"].header_index


def test_schema_dir_can_add_a_new_kind(tmp_path):
    profile = tmp_path / "p"
    profile.mkdir()
    (profile / "lowincome.yaml").write_text(
        "kind: lowincome\nlabel: 低保对象名单\ncommon: [id_no, name]\nrequired: [id_no, name]\n"
        "signature: [allowance]\nfields:\n  allowance:\n    label: 低保金\n    type: money\n"
        "    synonyms: [月保障金]\n", encoding="utf-8")
    path = write_csv(tmp_path / "低保.csv", [["姓名", "身份证号", "月保障金"], ["张三", "411521196001011232", "300元"]])
    table = import_files([path], schemas=load_schemas([profile])).tables["lowincome"]
    assert table["allowance"].to_list() == [300.0]


@pytest.mark.parametrize("text, words", [
    ("kind: poverty\nfields:\n  name:\n    typo: 1\n", "未知的键"),
    ("kind: poverty\nfields:\n  x:\n    type: float\n", "类型"),
    ("kind: [unclosed\n", "YAML"),
    ("kind: poverty\nfields:\n  head_name:\n    synonyms: [身份证号]\n", "同时属于"),
])
def test_a_wrong_profile_is_a_clear_error(tmp_path, text, words):
    (tmp_path / "poverty.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_schemas([tmp_path])
    assert words in info.value.render() and "poverty.yaml" in info.value.render()


def test_schemas_ship_inside_the_package():
    import hv.schema

    assert (Path(hv.schema.builtin_schema_dir()) / "poverty.yaml").is_file()
