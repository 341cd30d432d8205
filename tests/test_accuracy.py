"""hv against the answer key of `hv sample` bundles: every injected defect is found on its file,
sheet and row (single-list kinds at 0.98 recall, cross-list kinds at 0.97), and error/warning
findings on rows without a defect stay under 1%."""

from pathlib import Path

import pytest

from hv.api import check
from hv.config import load_config
from hv.sample import generate_bundle
from hv.scoring import CROSS_LIST, SINGLE_LIST, false_alarms, read_answers, recall_by_kind

BUNDLE = Path(__file__).parents[1] / "samples" / "bundle"


def run(folder: Path):
    config = load_config(folder / "hv.toml")
    return check([], config).findings, read_answers(folder / "answers.csv")


@pytest.fixture(scope="module", params=["committed", "seed-7"])
def bundle(request, tmp_path_factory):
    if request.param == "committed":
        return run(BUNDLE)
    folder = tmp_path_factory.mktemp("bundle")
    generate_bundle(folder, people=800, seed=7)
    return run(folder)


def test_every_single_list_defect_kind_is_found(bundle):
    found, answers = bundle
    recall = recall_by_kind(found, answers, SINGLE_LIST)
    missed = recall.filter(recall["recall"] < 0.98)
    assert missed.height == 0, f"kinds below 0.98 recall:\n{missed}"


def test_false_alarms_on_clean_rows_are_under_one_percent(bundle):
    found, answers = bundle
    wrong, total = false_alarms(found, answers, SINGLE_LIST)
    assert total and wrong / total < 0.01, f"{wrong} of {total} error/warning findings sit on clean rows"


def test_every_cross_list_defect_kind_is_found(bundle):
    found, answers = bundle
    recall = recall_by_kind(found, answers, CROSS_LIST)
    missed = recall.filter(recall["recall"] < 0.97)
    assert missed.height == 0, f"kinds below 0.97 recall:\n{missed}"
