"""The Terraform roots by lifecycle: terraform/state (the state bucket, local state), the
delivery pipeline and the AWS environments (each its own key in that bucket), and the local
composition (no backend). Each is valid; the state root plans the bucket it promises; the backend
configs and settings agree with the roots; each AWS root plans with its own settings file."""

import re
import shutil

import hcl2
import pytest

from support import REPO, terraform

TERRAFORM = REPO / "terraform"
AWS_ROOTS = ("environments/staging", "environments/production", "delivery")
ROOTS = ("state", "environments/local", *AWS_ROOTS)


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """A work copy of terraform/ (the roots call ../modules and read ../edge.json, ../state/naming.json)."""
    work = tmp_path_factory.mktemp("terraform") / "terraform"
    shutil.copytree(TERRAFORM, work, ignore=shutil.ignore_patterns(".terraform", "terraform.tfstate*"))
    return work


@pytest.mark.parametrize("root", ROOTS)
def test_every_root_is_valid(tree, root):
    init = terraform("init", "-backend=false", "-input=false", "-no-color", cwd=tree / root)
    assert init.returncode == 0, init.stdout + init.stderr
    result = terraform("validate", "-no-color", cwd=tree / root)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_state_root_plans_one_protected_bucket(tree):
    assert terraform("init", "-backend=false", "-input=false", "-no-color", cwd=tree / "state").returncode == 0
    result = terraform("test", "-no-color", cwd=tree / "state")
    assert result.returncode == 0 and " 0 failed" in result.stdout, result.stdout + result.stderr


def hcl(path) -> dict:
    with open(path) as file:
        return {key: value.strip('"') if isinstance(value, str) else value
                for key, value in hcl2.load(file).items() if not key.startswith("__")}


def declared_variables(root: str) -> set[str]:
    names = set()
    for config in (TERRAFORM / root).glob("*.tf"):
        with open(config) as file:
            for block in hcl2.load(file).get("variable", []):
                names |= {name.strip('"') for name in block}
    return names


def test_only_the_aws_roots_keep_their_state_in_the_bucket():
    backend = re.compile(r'^\s*backend\s+"s3"', re.MULTILINE)
    with_backend = {root for root in ROOTS if any(backend.search(config.read_text()) for config in (TERRAFORM / root).glob("*.tf"))}
    assert with_backend == set(AWS_ROOTS)


@pytest.mark.parametrize("root", AWS_ROOTS)
def test_each_aws_root_keeps_its_state_apart_locked_and_encrypted(root):
    backend = hcl(TERRAFORM / root / "s3.tfbackend")
    assert backend["key"] == f"{root.rsplit('/', 1)[-1]}/terraform.tfstate"
    assert backend["use_lockfile"] is True and backend["encrypt"] is True
    assert "bucket" not in backend  # the release passes it, named by terraform/state/naming.json
    with open(TERRAFORM / "state" / "variables.tf") as file:
        region = next(block for block in hcl2.load(file)["variable"] if '"region"' in block)['"region"']
    assert backend["region"] == region["default"].strip('"')


@pytest.mark.parametrize("root", AWS_ROOTS)
def test_each_settings_file_sets_variables_of_its_root(root):
    settings = hcl(TERRAFORM / root / "terraform.tfvars")
    assert set(settings) <= declared_variables(root), set(settings) - declared_variables(root)


def test_the_state_buckets_name_has_one_rule():
    """terraform/state makes the bucket by naming.json, terraform/delivery grants it by the same
    file, and the release derives it from it: nobody spells the rule out again."""
    import release

    assert release.state_bucket("vividart", "123456789012", "eu-west-1") == "vividart-tfstate-123456789012-eu-west-1"
    for root in ("state", "delivery"):
        text = "".join(config.read_text() for config in (TERRAFORM / root).glob("*.tf"))
        assert "naming.json" in text and "tfstate-" not in text, root
    assert "tfstate-" not in (REPO / "scripts" / "release.py").read_text()


@pytest.mark.parametrize("root", AWS_ROOTS)
def test_each_aws_root_plans_with_its_settings(root, tree, tmp_path):
    """Its terraform.tfvars (placeholders filled in, images by digest as the release passes them)
    plans the whole root with the project's mock provider: types, validations and preconditions hold."""
    work = tree.parent / f"plan-{root.replace('/', '-')}"
    shutil.copytree(tree, work)
    tests = work / root / "tests"
    tests.mkdir()
    (tests / "settings.tftest.hcl").write_text(f'''
mock_provider "aws" {{
  source          = "{'../' * (root.count('/') + 1)}tests/mocks"
  override_during = plan
}}

run "plans" {{
  command = plan
}}
''')
    settings = work / root / "terraform.tfvars"
    settings.write_text(settings.read_text().replace("example.com", "vividart.photos").replace('"EDIT-ME"', '"Z0123456789ABC"')
                        .replace("EDIT-ME/", "studio/"))
    digest = "@sha256:" + "a" * 64
    images = [] if root == "delivery" else [f"-var=web_image_uri=1.dkr.ecr.us-east-1.amazonaws.com/web{digest}",
                                            f"-var=lambda_image_uri=1.dkr.ecr.us-east-1.amazonaws.com/processor{digest}"]
    init = terraform("init", "-backend=false", "-input=false", "-no-color", cwd=work / root)
    assert init.returncode == 0, init.stdout + init.stderr
    result = terraform("test", "-no-color", *images, cwd=work / root)
    assert result.returncode == 0 and 'run "plans"... pass' in result.stdout, result.stdout + result.stderr
