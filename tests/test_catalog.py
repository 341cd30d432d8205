"""The rule catalog itself: unique stable codes, clerk-readable docs, a case file per rule."""

import re
from pathlib import Path

import yaml

from hv.rules import REGISTRY
from hv.rules.base import DOC_SECTIONS

CASES = Path(__file__).parent / "rules" / "cases"
PREFIXES = ("IMP", "ID", "PF", "HH", "CV", "CS", "ST")


def test_codes_use_the_family_prefixes_and_three_digits():
    for code, rule in REGISTRY.items():
        assert re.fullmatch(rf"({'|'.join(PREFIXES)})\d{{3}}", code), code
        assert rule.code == code


def test_names_are_unique():
    names = [r.name for r in REGISTRY.values()]
    assert len(names) == len(set(names))


def test_every_doc_has_a_summary_and_its_sections():
    for rule in REGISTRY.values():
        assert rule.summary, rule.code
        for section in DOC_SECTIONS:
            assert re.search(rf"^{section}:", rule.doc, re.M), f"{rule.code} lacks {section}:"


def test_every_rule_has_chinese_and_english_messages():
    for rule in REGISTRY.values():
        assert re.search(r"[\u4e00-\u9fff]", rule.message_zh), rule.code
        assert not re.search(r"[\u4e00-\u9fff]", rule.message_en.replace("{", "").replace("}", "")), rule.code


def test_every_rule_with_a_check_has_a_case_file_with_a_pass_and_a_fail_case():
    for code, rule in REGISTRY.items():
        if rule.check is None:
            continue
        path = CASES / f"{code}.yaml"
        assert path.is_file(), f"{code} has no {path.name}"
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"].values()
        assert any(c.get("expect") for c in cases), f"{code} has no failing case"
        assert any(not c.get("expect") for c in cases), f"{code} has no passing case"
