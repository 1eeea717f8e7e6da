"""Each AWS environment's permissions boundary (terraform/delivery/boundaries.tf) caps every role the
environment's deploy may make: what the environments' roles are given must lie inside it, or
they would be refused on AWS at their first call. Read from the Terraform itself (python-hcl2)."""

import hcl2
import pytest

from support import REPO

TERRAFORM = REPO / "terraform"
ROLE_MODULES = ("processor", "web_hosting")  # the modules that make the environments' roles


def _documents(path) -> dict[str, list[dict]]:
    """The policy documents a file declares: {name: statements}."""
    with open(path) as source:
        blocks = hcl2.load(source).get("data", [])
    return {name.strip('"'): body.get("statement", []) for block in blocks
            for kind, documents in block.items() if kind.strip('"') == "aws_iam_policy_document"
            for name, body in documents.items()}


def _actions(statements: list[dict]) -> set[str]:
    return {action.strip('"') for statement in statements if statement.get("effect", '"Allow"').strip('"') == "Allow"
            for action in statement.get("actions", [])}


def test_every_call_an_environments_role_makes_lies_inside_its_boundary():
    boundary = _actions(_documents(TERRAFORM / "delivery" / "boundaries.tf")["boundary"])
    given = set()
    for module in ROLE_MODULES:
        for name, statements in _documents(TERRAFORM / "modules" / module / "main.tf").items():
            if any(p for s in statements for p in s.get("principals", [])):
                continue  # who may assume a role, not what it may do
            given |= _actions(statements)
    assert given, "no role policy found: the modules moved?"
    assert given <= boundary, f"outside the boundary: {sorted(given - boundary)}"
    assert not any(action.split(":")[0] in ("iam", "sts", "codepipeline", "codebuild", "organizations")
                   for action in boundary)  # nothing in it reaches IAM or the pipeline


@pytest.mark.parametrize("module", ROLE_MODULES)
def test_every_role_of_the_environments_carries_the_boundary(module):
    with open(TERRAFORM / "modules" / module / "main.tf") as source:
        roles = [body for block in hcl2.load(source)["resource"] for kind, made in block.items()
                 if kind.strip('"') == "aws_iam_role" for body in made.values()]
    assert roles and all(role.get("permissions_boundary") == "${var.permissions_boundary}" for role in roles)
