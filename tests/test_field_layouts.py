"""Real export layouts nobody on this project wrote (tests/field_layouts.py): hv reads each one as
the list it is, understands its columns, and raises no alarm on its clean people."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from hv.api import check
from hv.config import Config, Policy
from hv.importer import import_files
from tests.field_layouts import LAYOUTS, REF_DATE, by_name

FIELD_EXAMPLE = Path(__file__).resolve().parents[2] / "shared" / "field" / "P05_jdlkhcb.xls"


def run(name: str, folder: Path):
    return check([by_name(name).write(folder)], Config(policy=Policy(ref_date=REF_DATE)))


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda item: item.name)
def test_a_clean_export_is_read_as_its_kind_without_a_single_alarm(layout, tmp_path):
    result = check([layout.write(tmp_path)], Config(policy=Policy(ref_date=REF_DATE)))
    assert {s.kind for s in result.imported.sheets if s.kind} == {layout.kind}
    assert sum(s.rows for s in result.imported.sheets) >= 10
    alarms = result.findings.filter(pl.col("severity").is_in(["error", "warning"]))
    assert alarms.height == 0, alarms.select("rule", "row", "column", "value", "message").rows()[:5]


def column_of(result, header: str) -> str | None:
    """The field the column with this header was read as."""
    for sheet in result.imported.sheets:
        for choice in sheet.mapping.choices:
            if choice.column.header == header:
                return choice.key
    return None


def test_a_person_and_a_household_phone_are_two_fields_not_a_crash(tmp_path):
    result = run("national-47", tmp_path)
    assert (column_of(result, "成员联系电话"), column_of(result, "户联系电话")) == ("phone", "hh_phone")


def test_household_type_and_monitoring_category_are_two_fields(tmp_path):
    result = run("idap-ytprkmd", tmp_path)
    assert column_of(result, "户类型") == "hh_type"
    assert column_of(result, "易返贫致贫户(监测对象)类型") == "monitor_type"
    table = result.linked.tables["poverty"]
    assert set(table["hh_type"].drop_nulls()) <= {"脱贫户", "一般农户"}  # 一般农户 is in the code list
    assert set(table["monitor_type"].drop_nulls()) == {"边缘易致贫户"}


def test_contract_date_and_service_start_are_two_fields(tmp_path):
    result = run("his-sign", tmp_path)
    assert (column_of(result, "签约日期"), column_of(result, "开始日期")) == ("sign_date", "sign_start")


def test_a_note_row_above_the_header_names_no_column(tmp_path):
    result = run("roster-with-note", tmp_path)
    sheet = result.imported.sheets[0]
    assert sheet.header_rows == (3,) and column_of(result, "村（社区）") == "village"
    assert column_of(result, "姓名") == "name"


def test_a_roster_carrying_signing_columns_is_a_roster_with_a_contract_list_inside(tmp_path):
    result = run("familydoctor-jdlkhcb", tmp_path)
    assert [s.kind for s in result.imported.sources] == ["poverty", "contract"]
    assert result.imported.sources[1].embedded
    assert "contract_active" in result.linked.tables["poverty"].columns


def test_a_list_of_households_is_read_by_its_head(tmp_path):
    result = run("household-heads", tmp_path)
    assert result.imported.sources[0].unit == "household"
    table = result.linked.tables["poverty"]
    assert table["id_no"].null_count() == 0 and table["name"].null_count() == 0


def test_a_population_register_of_deaths_is_a_death_list_not_a_roster(tmp_path):
    assert run("population-deaths", tmp_path).imported.sheets[0].kind == "death"


def test_an_outpatient_claims_report_is_a_settlement_list_of_outpatient_visits(tmp_path):
    result = run("outpatient-claims", tmp_path)
    assert result.imported.sheets[0].kind == "settlement"
    assert set(result.linked.tables["settlement"]["visit_type"]) == {"门诊"}


@pytest.mark.parametrize("name, header", [
    ("familydoctor-jdlkhcb", "是否脱贫"), ("idap-ytprkmd", "户类型"), ("contract-statuses", "签约状态"),
    ("treatment-three-batches", "救治方式"), ("insurance-statuses", "参保状态"), ("insurance-statuses", "险种"),
])
def test_real_code_values_are_in_the_vocabularies(name, header, tmp_path):
    result = run(name, tmp_path)
    key = column_of(result, header)
    kind = result.imported.sheets[0].kind
    table = result.linked.tables[kind]
    raw = table.filter(pl.col(f"{key}_raw").str.strip_chars().fill_null("") != "")
    assert raw[key].null_count() == 0, raw.filter(pl.col(key).is_null())[f"{key}_raw"].unique().to_list()


@pytest.mark.parametrize("name", ["population-deaths", "cremation-stats", "familydoctor-sign", "nhsa-pharmacy",
                                  "familydoctor-assess"])
def test_ages_are_judged_at_the_lists_own_date(name, tmp_path):
    result = check([by_name(name).write(tmp_path)])  # today's date: years after the events
    assert result.findings.filter(pl.col("rule") == "PF003").height == 0


def test_the_field_example_is_read_as_a_roster(tmp_path):
    if not FIELD_EXAMPLE.is_file():
        pytest.skip(f"{FIELD_EXAMPLE} is not on this machine")
    result = import_files([FIELD_EXAMPLE])
    assert [s.kind for s in result.sources] == ["poverty", "contract"]
    assert result.tables["poverty"].height == 47
