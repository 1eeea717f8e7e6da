"""make rehearse-aws: the AWS configuration applied for real to an AWS API emulator (moto's
server on loopback), planned again with no changes, and destroyed, with the pipeline outliving
staging; its last line, REHEARSAL {json}, says what was applied and what was skipped and why."""

import json
import os
import subprocess

import pytest

from support import REPO

# one worker runs the whole module under pytest-xdist: the rehearsal, once, for all its tests
pytestmark = [pytest.mark.rehearsal, pytest.mark.xdist_group("rehearsal")]


@pytest.fixture(scope="module")
def rehearsal() -> dict:
    result = subprocess.run(["make", "--no-print-directory", "rehearse-aws"], cwd=REPO, capture_output=True, text=True,
                            timeout=1800, env=dict(os.environ))
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0 and lines and lines[-1].startswith("REHEARSAL "), result.stdout[-3000:] + result.stderr[-6000:]
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
