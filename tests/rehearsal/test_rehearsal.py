"""make rehearse-aws: the AWS configuration applied for real to an AWS API emulator (moto's
server on loopback), planned again with no changes, and destroyed, with the pipeline outliving
staging; its last line, REHEARSAL {json}, says what was applied and what was skipped and why."""

import fcntl
import json
import os
import subprocess
from pathlib import Path

import pytest

from support import REPO

# make test runs the rehearsal beside the suites (scripts/test.sh), its files named by this
# variable, and each test reads its result; otherwise one worker runs it here, once, for the module
BESIDE = os.environ.get("VIVIDART_TEST_REHEARSAL_PART")
pytestmark = [pytest.mark.rehearsal] + ([] if BESIDE else [pytest.mark.xdist_group("rehearsal")])


def run_beside() -> tuple[int, str]:
    """The rehearsal make test started beside the suites: its exit code and output, once it ends."""
    with open(f"{BESIDE}.lock") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)  # held until it ends
    rc = Path(f"{BESIDE}.rc")
    return int(rc.read_text()) if rc.exists() else -1, Path(f"{BESIDE}.log").read_text()


def run_here() -> tuple[int, str]:
    result = subprocess.run(["make", "--no-print-directory", "rehearse-aws"], cwd=REPO, capture_output=True, text=True,
                            timeout=1800, env=dict(os.environ))
    return result.returncode, result.stderr + result.stdout  # its last line is on stdout


@pytest.fixture(scope="module")
def rehearsal() -> dict:
    returncode, output = run_beside() if BESIDE else run_here()
    lines = output.strip().splitlines()
    assert returncode == 0 and lines and lines[-1].startswith("REHEARSAL "), output[-8000:]
    print(f"\n{lines[-1]}")  # in the suite's log (pytest -s, or the report of a failure)
    return json.loads(lines[-1].removeprefix("REHEARSAL "))


def test_the_line_has_the_promised_shape(rehearsal):
    assert set(rehearsal) == {"applied", "changes_after_apply", "destroyed", "skipped"}
    assert all(isinstance(count, int) and count > 0 for count in rehearsal["applied"].values())
    assert all(set(skip) == {"what", "why"} and skip["why"] for skip in rehearsal["skipped"])


def test_the_whole_aws_configuration_was_applied(rehearsal):
    applied = rehearsal["applied"]
    for kind in ("aws_ecs_service", "aws_ecs_task_definition", "aws_lb", "aws_lb_listener", "aws_acm_certificate",
                 "aws_db_instance", "aws_codepipeline", "aws_codebuild_project", "aws_vpc", "aws_ecr_repository",
                 "aws_cloudwatch_metric_alarm", "aws_cloudwatch_dashboard", "aws_lambda_function", "aws_s3_bucket"):
        assert applied.get(kind, 0) >= 1, kind
    assert applied["aws_codebuild_project"] == 4  # build and test, a deploy per environment, the smoke test
    assert applied["aws_lb_listener"] == 2  # HTTPS, and HTTP redirecting to it


def test_a_plan_right_after_the_apply_changes_nothing(rehearsal):
    assert rehearsal["changes_after_apply"] == 0


def test_everything_was_destroyed(rehearsal):
    assert rehearsal["destroyed"] is True


def test_what_the_emulator_cannot_do_is_named_with_why(rehearsal):
    skipped = " ".join(skip["what"] for skip in rehearsal["skipped"])
    for gap in ("aws_codestarconnections_connection", "certificate validation", "the service's tasks", "images' layers"):
        assert gap in skipped
