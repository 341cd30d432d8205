"""The sample bundle re-spelled the way other counties' exports spell headers and codes
(tests/respell.py): hv finds the same defects with the same precision as on its own spelling."""

from pathlib import Path

import pytest

from hv.api import check
from hv.config import load_config
from hv.scoring import precision_recall, read_answers
from tests.respell import respell

BUNDLE = Path(__file__).parents[1] / "samples" / "bundle"


@pytest.fixture(scope="module")
def respelled(tmp_path_factory):
    return respell(BUNDLE, tmp_path_factory.mktemp("respelled"))


def scores(folder: Path) -> tuple[float, float]:
    found = check([], load_config(folder / "hv.toml")).findings
    return precision_recall(found, read_answers(folder / "answers.csv"))


def test_the_respelled_bundle_reads_every_header_it_renamed(respelled):
    from hv.importer import import_files

    result = import_files([respelled / name for name in ("建档立卡贫困人口花名册.xlsx", "住院结算明细.csv")])
    unmapped = {h for sheet in result.sheets for h in sheet.unmapped}
    assert not unmapped, unmapped


def test_precision_and_recall_hold_on_the_respelled_bundle(respelled):
    precision, recall = scores(respelled)
    assert precision >= 0.97 and recall >= 0.95, (precision, recall)


def test_the_respelled_bundle_scores_as_the_original(respelled):
    assert scores(respelled) == pytest.approx(scores(BUNDLE), abs=0.01)
