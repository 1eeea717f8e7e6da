"""The state bucket's root (terraform/state) is valid and plans the bucket it promises (terraform
test, mock provider); the environments' backend configs and tfvars agree with it and with the
main root: only the AWS deploy has a backend, every setting is a declared variable, and the
differences between staging and production are the intended ones."""

import re
import shutil

import hcl2
import pytest

from support import REPO, terraform

TERRAFORM = REPO / "terraform"
ENVIRONMENTS = ("staging", "production")


@pytest.fixture(scope="module")
def state_root(tmp_path_factory):
    """A work copy of terraform/state, initialised with local state (as the admin applies it)."""
    work = tmp_path_factory.mktemp("state") / "state"
    shutil.copytree(TERRAFORM / "state", work, ignore=shutil.ignore_patterns(".terraform", "terraform.tfstate*"))
    init = terraform("init", "-backend=false", "-input=false", "-no-color", cwd=work)
    assert init.returncode == 0, init.stdout + init.stderr
    return work


def test_the_state_root_is_valid(state_root):
    result = terraform("validate", "-no-color", cwd=state_root)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_state_root_plans_one_locked_down_bucket(state_root):
    result = terraform("test", "-no-color", cwd=state_root)
    assert result.returncode == 0 and " 0 failed" in result.stdout, result.stdout + result.stderr


def hcl(path) -> dict:
    with open(path) as file:
        return {key: value.strip('"') if isinstance(value, str) else value
                for key, value in hcl2.load(file).items() if key != "__comments__"}


def declared_variables() -> set[str]:
    names = set()
    for config in TERRAFORM.glob("*.tf"):
        with open(config) as file:
            for block in hcl2.load(file).get("variable", []):
                names |= {name.strip('"') for name in block}
    return names


def test_only_the_aws_deploy_has_a_backend():
    backend = re.compile(r'^\s*backend\s+"', re.MULTILINE)
    assert not [config.name for config in TERRAFORM.glob("*.tf") if backend.search(config.read_text())]
    assert backend.search((TERRAFORM / "environments" / "backend.tf").read_text())
    assert "/backend.tf" in (REPO / "scripts" / "deploy_aws.sh").read_text()  # copied into its work copy only


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_each_environment_keeps_its_state_apart_locked_and_encrypted(environment):
    backend = hcl(TERRAFORM / "environments" / f"{environment}.s3.tfbackend")
    assert backend["key"] == f"{environment}/terraform.tfstate"
    assert backend["use_lockfile"] is True and backend["encrypt"] is True
    assert "bucket" not in backend  # the deploy passes it, named by the state root's rule
    with open(TERRAFORM / "state" / "variables.tf") as file:
        region = next(block for block in hcl2.load(file)["variable"] if '"region"' in block)['"region"']
    assert backend["region"] == region["default"].strip('"')


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_each_environments_settings_are_variables_of_the_root(environment):
    settings = hcl(TERRAFORM / "environments" / f"{environment}.tfvars")
    assert set(settings) <= declared_variables(), set(settings) - declared_variables()
    assert settings["environment"] == environment and settings["on_aws"] is True


def test_production_is_protected_and_runs_the_pipeline_and_staging_is_disposable():
    staging, production = (hcl(TERRAFORM / "environments" / f"{environment}.tfvars") for environment in ENVIRONMENTS)
    assert production["delivery_pipeline"] is True and staging.get("delivery_pipeline", False) is False
    assert production["db_deletion_protection"] is True and staging["db_deletion_protection"] is False
    assert production["web_desired_count"] >= 2 and staging["web_desired_count"] >= 1
    assert production["source_repository"] and production["domain_name"] != staging["domain_name"]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_each_environment_plans_with_the_root(environment, tmp_path):
    """Its tfvars (placeholders filled in, images by digest as the deploy passes them) plan the
    whole root with pipeline.tftest.hcl's mock provider: types, validations and preconditions hold."""
    work = tmp_path / "terraform"
    shutil.copytree(TERRAFORM, work, ignore=shutil.ignore_patterns(".terraform", "terraform.tfstate*", "*.tftest.hcl"))
    pipeline_test = (TERRAFORM / "tests" / "pipeline.tftest.hcl").read_text()
    mock = pipeline_test[pipeline_test.index('mock_provider "aws" {'):pipeline_test.index("\nvariables {")]
    pipelines = 1 if environment == "production" else 0
    (work / "tests" / "environment.tftest.hcl").write_text(mock + f'''
run "plans" {{
  command = plan
  assert {{
    condition     = var.environment == "{environment}" && length(aws_ecs_service.web) == 1 && length(aws_codepipeline.delivery) == {pipelines}
    error_message = "{environment}: the web app on AWS; the pipeline in production only"
  }}
}}
''')
    tfvars = tmp_path / f"{environment}.tfvars"
    tfvars.write_text((TERRAFORM / "environments" / f"{environment}.tfvars").read_text().replace("example.com", "vividart.photos")
                      .replace('"EDIT-ME"', '"Z0123456789ABC"').replace("EDIT-ME/", "studio/"))
    digest = "@sha256:" + "a" * 64
    assert terraform("init", "-backend=false", "-input=false", "-no-color", cwd=work).returncode == 0
    result = terraform("test", "-no-color", f"-var-file={tfvars}", f"-var=web_image_uri=1.dkr.ecr.us-east-1.amazonaws.com/web{digest}",
                       f"-var=lambda_image_uri=1.dkr.ecr.us-east-1.amazonaws.com/processor{digest}", cwd=work)
    assert result.returncode == 0 and 'run "plans"... pass' in result.stdout, result.stdout + result.stderr
