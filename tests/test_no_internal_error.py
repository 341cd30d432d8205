"""Whatever the tests hold — every export layout, the bundled samples, the field example — `hv check`
ends as a clerk expects: exit 0 or 1 and no internal error, whatever the date of the run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.field_layouts import LAYOUTS

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "samples" / "bundle"
FIELD_EXAMPLE = ROOT.parent / "shared" / "field" / "P05_jdlkhcb.xls"


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda item: item.name)
def test_every_layout_checks_without_an_internal_error(layout, hv, tmp_path):
    run = hv("check", layout.write(tmp_path), "-q", "-o", tmp_path / "r.json")
    assert run.code in (0, 1) and "内部错误" not in run.err, run.err


def test_all_layouts_together_check_without_an_internal_error(hv, tmp_path):
    files = [layout.write(tmp_path) for layout in LAYOUTS]
    run = hv("check", *files, "-q", "-o", tmp_path / "r.xlsx")
    assert run.code in (0, 1) and "内部错误" not in run.err, run.err


def test_the_bundled_samples_check_without_an_internal_error(hv, tmp_path):
    run = hv("check", "--config", BUNDLE / "hv.toml", "-q", "-o", tmp_path / "r.json")
    assert run.code in (0, 1) and "内部错误" not in run.err, run.err


def test_the_field_example_checks_without_an_internal_error(hv, tmp_path):
    if not FIELD_EXAMPLE.is_file():
        pytest.skip(f"{FIELD_EXAMPLE} is not on this machine")
    run = hv("check", FIELD_EXAMPLE, "-q", "-o", tmp_path / "r.csv")
    assert run.code in (0, 1) and "内部错误" not in run.err, run.err
