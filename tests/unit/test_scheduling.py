"""How `make test` shares the suite between its xdist workers: files stay whole, the CDK tests stay together."""

from __future__ import annotations

from tests.scheduling import rank, unit_of_work


def test_a_files_tests_are_one_unit_of_work() -> None:
    units = {
        unit_of_work("tests/reliability/test_fault_matrix.py::test_a_fault[notify-throttle-once]"),
        unit_of_work("tests/reliability/test_fault_matrix.py::test_a_fault[notify-throttle-always]"),
    }
    assert units == {"tests/reliability/test_fault_matrix.py"}
    assert unit_of_work("tests/e2e/test_tonight.py::test_x") == "tests/e2e/test_tonight.py"


def test_every_infrastructure_test_is_one_unit_of_work_so_the_app_is_synthesized_once() -> None:
    units = {
        unit_of_work("tests/infrastructure/test_security.py::test_cfn_lint_finds_no_error"),
        unit_of_work("tests/infrastructure/test_mail.py::test_y"),
    }
    assert units == {"tests/infrastructure"}


def test_slowest_folders_are_handed_out_first_and_unit_tests_last() -> None:
    nodeids = ["tests/unit/test_story.py::t", "tests/reliability/test_load.py::t", "tests/e2e/test_tonight.py::t"]
    assert sorted(nodeids, key=rank) == [
        "tests/reliability/test_load.py::t",
        "tests/e2e/test_tonight.py::t",
        "tests/unit/test_story.py::t",
    ]
