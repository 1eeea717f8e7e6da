"""The rehearsal's own parts (scripts/rehearse_aws.py), without the emulator: what it counts as
applied and as changed, the override files it writes into its work copy for what the emulator
cannot do, and the shape of its last line. The rehearsal itself runs in tests/rehearsal."""

import json
import re

import hcl2

import rehearse_aws
from support import REPO


def test_applied_resources_are_counted_by_type_modules_included():
    state = {"values": {"root_module": {
        "resources": [{"mode": "managed", "type": "aws_codepipeline"}, {"mode": "data", "type": "aws_iam_policy_document"}],
        "child_modules": [{"resources": [{"mode": "managed", "type": "aws_s3_bucket"}],
                           "child_modules": [{"resources": [{"mode": "managed", "type": "aws_s3_bucket"}]}]}]}}}
    assert rehearse_aws.resource_types(state) == {"aws_codepipeline": 1, "aws_s3_bucket": 2}


def test_a_plan_changes_what_it_would_create_update_replace_or_delete():
    plan = {"resource_changes": [
        {"address": "a.same", "change": {"actions": ["no-op"]}},
        {"address": "data.b.read", "change": {"actions": ["read"]}},
        {"address": "c.changed", "change": {"actions": ["update"]}},
        {"address": "d.replaced", "change": {"actions": ["delete", "create"]}},
    ]}
    assert rehearse_aws.changes(plan) == ["c.changed: update", "d.replaced: delete/create"]


def test_an_update_names_the_attributes_that_differ_and_not_those_known_after_apply():
    plan = {"resource_changes": [{"address": "f.archiver", "change": {
        "actions": ["update"], "before": {"name": "a", "timeout": 900, "memory": 1024, "arn": "x"},
        "after": {"name": "a", "timeout": 900, "memory": 2048, "arn": None}, "after_unknown": {"arn": True}}}]}
    assert rehearse_aws.changes(plan) == ["f.archiver: update (memory)"]


def test_the_last_line_has_the_promised_shape():
    line = rehearse_aws.report({"aws_lb": 1, "aws_ecs_service": 1}, 0, True, [{"what": "x", "why": "y"}])
    assert line.startswith("REHEARSAL ") and "\n" not in line
    assert json.loads(line.removeprefix("REHEARSAL ")) == {
        "applied": {"aws_ecs_service": 1, "aws_lb": 1}, "changes_after_apply": 0, "destroyed": True,
        "skipped": [{"what": "x", "why": "y"}]}


def test_every_gap_names_a_resource_the_configuration_declares_and_its_override_parses(tmp_path):
    for folder, text in rehearse_aws.gap_overrides().items():
        declared = "".join(path.read_text() for path in (REPO / "terraform" / folder).glob("*.tf"))
        path = tmp_path / "override.tf"
        path.write_text(text)
        with open(path) as file:
            blocks = hcl2.load(file)["resource"]
        for block in blocks:
            [(kind, named)] = block.items()
            [(name, body)] = named.items()
            assert re.search(rf'resource\s+{kind}\s+{name}\s*{{', declared), f"{folder}: no resource {kind}.{name}"
            assert body.get("count") == 0 or body.get("lifecycle") or body.get("source"), body
    assert all(gap.why for gap in rehearse_aws.EMULATOR_GAPS)


def test_the_emulator_is_reached_for_every_service_the_roots_use():
    """A service left out of the endpoint overrides would be called on AWS itself."""
    services = {"s3": "s3", "sqs": "sqs", "sns": "sns", "lambda": "lambda", "iam": "iam", "cloudwatch": "cloudwatch",
                "ssm": "ssm", "secretsmanager": "secretsmanager", "ses": "ses", "ecr": "ecr", "ecs": "ecs", "lb": "elbv2",
                "acm": "acm", "route53": "route53", "db": "rds", "vpc": "ec2", "subnet": "ec2", "route": "ec2",
                "internet": "ec2", "default": "ec2", "security": "ec2", "codebuild": "codebuild", "codepipeline": "codepipeline",
                "codestarconnections": "codestarconnections", "codestarnotifications": "codestarnotifications",
                "caller": "sts", "availability": "ec2"}
    declared = set()
    for path in (REPO / "terraform").rglob("*.tf"):
        declared |= set(re.findall(r'^(?:resource|data)\s+"aws_([a-z0-9]+)', path.read_text(), re.MULTILINE))
    declared -= {"partition"}  # calls no service
    unmapped = declared - set(services)
    assert not unmapped, unmapped
    assert {services[prefix] for prefix in declared if prefix in services} <= set(rehearse_aws.SERVICES)
    assert "sts" in rehearse_aws.SERVICES
    if any("aws_cloudwatch_event_" in path.read_text() for path in (REPO / "terraform").rglob("*.tf")):
        assert "events" in rehearse_aws.SERVICES  # EventBridge's rules: "cloudwatch" by name, "events" by endpoint
    override = rehearse_aws.provider_override("https://127.0.0.1:1")
    assert all(f'{service} = "https://127.0.0.1:1"' in override for service in rehearse_aws.SERVICES)
