"""scripts/buildspec.py runs a buildspec as CodeBuild does (phases in order, one shell session,
a phase ends at its first failing command, post_build after a failed build), and the pipeline's
buildspecs are the ones CI runs: the test buildspec's build is `make test`, its report the JUnit
file pytest writes."""

import os
import re
import shlex
import shutil
from pathlib import Path

import hcl2
import pytest
import yaml

import buildspec
from support import REPO

CALLER = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root")}


def build(tmp_path: Path, spec: dict, caller: dict | None = None) -> tuple[int, list[str]]:
    """Run a buildspec in tmp_path; its exit status and the lines its commands logged."""
    (tmp_path / "log").write_text("")
    status = buildspec.run(buildspec.parse(yaml.safe_dump(spec)), tmp_path, {**CALLER, **(caller or {})})
    return status, (tmp_path / "log").read_text().splitlines()


def log(text: str) -> str:
    """A command that appends TEXT (expanded by the build's shell) to the log in the source folder."""
    return f'echo "{text}" >> "$CODEBUILD_SRC_DIR/log"'


def hcl_string(value: str) -> str:
    return value.strip('"')


def test_phases_run_in_codebuilds_order_whatever_the_files(tmp_path):
    spec = {"version": 0.2, "phases": {name: {"commands": [log(name)]} for name in reversed(buildspec.PHASES)}}
    assert build(tmp_path, spec) == (0, ["install", "pre_build", "build", "post_build"])


def test_the_buildspecs_variables_reach_every_command_and_the_callers_win(tmp_path):
    spec = {"version": 0.2, "env": {"variables": {"GREETING": "hello", "COUNT": 3, "ON": True, "MINE": "buildspec"}},
            "phases": {"install": {"commands": [log("$GREETING $COUNT $ON")]}, "build": {"commands": [log("$MINE")]}}}
    assert build(tmp_path, spec, {"MINE": "caller"}) == (0, ["hello 3 true", "caller"])


def test_one_shell_session_carries_the_directory_and_variables_on(tmp_path):
    (tmp_path / "sub").mkdir()
    spec = {"version": 0.2, "phases": {
        "install": {"commands": ["cd sub", "PLAIN=kept"]},
        "build": {"commands": ["export EXPORTED=too", 'echo "$(basename "$PWD") $PLAIN" >> ../log']},
        "post_build": {"commands": ['echo "$EXPORTED" >> ../log']}}}
    assert build(tmp_path, spec) == (0, ["sub kept", "too"])


def test_the_first_failing_command_ends_its_phase_and_finally_still_runs(tmp_path):
    spec = {"version": 0.2, "phases": {"build": {
        "commands": [log("first"), "exit_with() { return $1; }; exit_with 7", log("never")],
        "finally": [log("finally")]}}}
    assert build(tmp_path, spec) == (7, ["first", "finally"])


def test_a_failed_install_ends_the_build(tmp_path):
    spec = {"version": 0.2, "phases": {"install": {"commands": ["false", log("never")]},
                                       "pre_build": {"commands": [log("pre_build")]},
                                       "build": {"commands": [log("build")]},
                                       "post_build": {"commands": [log("post_build")]}}}
    assert build(tmp_path, spec) == (1, [])


def test_after_a_failed_build_post_build_runs_and_knows(tmp_path):
    spec = {"version": 0.2, "phases": {"build": {"commands": [log("build $CODEBUILD_BUILD_SUCCEEDING"), "false"]},
                                       "post_build": {"commands": [log("post_build $CODEBUILD_BUILD_SUCCEEDING")]}}}
    assert build(tmp_path, spec) == (1, ["build 1", "post_build 0"])


def test_a_failing_finally_fails_its_phase(tmp_path):
    spec = {"version": 0.2, "phases": {"pre_build": {"commands": [log("commands")], "finally": ["false", log("never")]},
                                       "build": {"commands": [log("build")]}}}
    assert build(tmp_path, spec) == (1, ["commands"])


def test_a_multi_line_command_is_judged_by_its_last_status_as_codebuild_does(tmp_path):
    spec = {"version": 0.2, "phases": {"build": {"commands": ["false\n" + log("then"), log("next")]}}}
    assert build(tmp_path, spec) == (0, ["then", "next"])


def test_commands_see_none_of_the_runners_arguments(tmp_path):
    spec = {"version": 0.2, "phases": {"build": {"commands": [log("[$#] [$1]")]}}}
    assert build(tmp_path, spec) == (0, ["[0] []"])


def test_secrets_codebuild_fetches_come_from_the_caller_here(tmp_path):
    spec = {"version": 0.2, "env": {"secrets-manager": {"TOKEN": "smoke/token"}, "parameter-store": {"URL": "/stack/url"}},
            "phases": {"build": {"commands": [log("$TOKEN $URL")]}}}
    with pytest.raises(buildspec.BuildspecError, match="TOKEN, URL"):
        build(tmp_path, spec)
    assert build(tmp_path, spec, {"TOKEN": "t", "URL": "u"}) == (0, ["t u"])


@pytest.mark.parametrize("spec, refused", [
    ({"version": 0.1, "phases": {"build": {"commands": ["true"]}}}, "only 0.2"),
    ({"version": 0.2, "env": {"shell": "/bin/sh"}, "phases": {"build": {"commands": ["true"]}}}, "only bash"),
    ({"version": 0.2, "run-as": "nobody", "phases": {"build": {"commands": ["true"]}}}, "run-as"),
    ({"version": 0.2, "phases": {"build": {"on-failure": "CONTINUE", "commands": ["true"]}}}, "only ABORT"),
    ({"version": 0.2, "phases": {"deploy": {"commands": ["true"]}}}, "unknown phases: deploy"),
    ({"version": 0.2, "phases": {"build": {"commands": "make test"}}}, "a list of commands"),
], ids=["version", "shell", "run-as", "on-failure", "phase", "commands"])
def test_what_it_cannot_run_as_codebuild_would_it_refuses(spec, refused):
    with pytest.raises(buildspec.BuildspecError, match=refused):
        buildspec.parse(yaml.safe_dump(spec))


def test_the_command_line_runs_a_file_and_says_why_it_will_not(tmp_path, capsys):
    good, bad = tmp_path / "good.yml", tmp_path / "bad.yml"
    good.write_text(yaml.safe_dump({"version": 0.2, "phases": {"build": {"commands": ["touch built"]}}}))
    bad.write_text(yaml.safe_dump({"version": 0.2, "phases": {"build": {"run-as": "nobody", "commands": ["true"]}}}))
    assert buildspec.main([str(good), "--source-dir", str(tmp_path)]) == 0 and (tmp_path / "built").exists()
    assert buildspec.main([str(bad)]) == 2 and "run-as" in capsys.readouterr().err


# --- the repository's buildspecs ------------------------------------------------------------------

def pipeline_locals() -> dict:
    """Every locals block of the delivery root (terraform/delivery), merged."""
    found = {}
    for path in sorted((REPO / "terraform" / "delivery").glob("*.tf")):
        with open(path) as config:
            for block in hcl2.load(config).get("locals", []):
                found.update(block)
    return found


def test_the_test_buildspec_builds_with_the_readmes_test_command_and_ci_runs_it():
    spec = buildspec.parse((REPO / ".ci" / "buildspec-test.yml").read_text())
    [build_phase] = [phase for phase in spec.phases if phase.name == "build"]
    assert build_phase.commands == ("make test", "make audit")  # the audit asks the network: apart from the tests
    assert "make test" in (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    commands = [line for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert any("scripts/buildspec.py .ci/buildspec-test.yml" in line for line in commands)
    assert not any("make test" in line for line in commands)  # the buildspec's, not a copy of it


def test_the_test_report_is_the_junit_file_pytest_writes_in_the_group_terraform_makes():
    text = yaml.safe_load((REPO / ".ci" / "buildspec-test.yml").read_text())
    [junit] = [option.split("=", 1)[1] for option in shlex.split(text["env"]["variables"]["PYTEST_ADDOPTS"])
               if option.startswith("--junitxml=")]
    [(name, report)] = text["reports"].items()
    assert report["file-format"] == "JUNITXML"
    assert [str(Path(report["base-directory"]) / file) for file in report["files"]] == [junit]
    assert name == hcl_string(pipeline_locals()["test_report"])  # CodeBuild files it in <project>-<name>


def test_every_buildspec_the_pipeline_names_exists_and_runs_here():
    named = {key: hcl_string(build["buildspec"]) for key, build in pipeline_locals()["builds"].items()}
    assert named == {"build-and-test": ".ci/buildspec-test.yml", "deploy-staging": ".ci/buildspec-deploy.yml",
                     "deploy-production": ".ci/buildspec-deploy.yml", "smoke-staging": ".ci/buildspec-smoke.yml"}
    for path in named.values():
        assert buildspec.parse((REPO / path).read_text()).phases, path


def test_each_deploy_project_deploys_its_own_environment():
    builds = pipeline_locals()["builds"]
    for environment in ("staging", "production"):
        variables = {hcl_string(v["name"]): hcl_string(v["value"]) for v in builds[f"deploy-{environment}"]["variables"]}
        assert variables["ENVIRONMENT"] == environment


def test_the_deploy_exports_the_url_the_smoke_test_reads():
    deploy = yaml.safe_load((REPO / ".ci" / "buildspec-deploy.yml").read_text())
    assert deploy["env"]["exported-variables"] == ["APP_URL"]
    assert any(command.startswith("IMAGES_FILE=") and "scripts/deploy_aws.sh" in command
               for command in deploy["phases"]["build"]["commands"])
    # the URL the release's deploy wrote, read back by the release
    assert any("APP_URL=" in command and "scripts/release.py output" in command and "web_url" in command
               for command in deploy["phases"]["build"]["commands"])
    smoke = yaml.safe_load((REPO / ".ci" / "buildspec-smoke.yml").read_text())
    assert smoke["phases"]["build"]["commands"] == ["python3 scripts/smoke.py --upload"]


@pytest.fixture
def stubbed_checkout(tmp_path):
    """The test buildspec in a folder where every program it calls only records its call."""
    (tmp_path / ".ci").mkdir()
    shutil.copy2(REPO / ".ci" / "buildspec-test.yml", tmp_path / ".ci")
    for stub in ("bin/make", "bin/terraform", "scripts/prerequisites.sh",
                 "scripts/deploy_aws.sh"):
        path = tmp_path / stub
        path.parent.mkdir(exist_ok=True)
        status = "STUB_STATUS_" + re.sub(r"\W", "_", path.name)  # a test makes one fail with it
        path.write_text(f'#!/bin/bash\necho "$(basename "$0") $* ${{IMAGES_FILE:-}}" >> "$CODEBUILD_SRC_DIR/log"\n'
                        f'exit "${{{status}:-0}}"\n')
        path.chmod(0o755)
    return tmp_path


def run_test_buildspec(checkout, **caller) -> tuple[int, list[str]]:
    spec = buildspec.parse((checkout / ".ci" / "buildspec-test.yml").read_text())
    (checkout / "log").write_text("")
    status = buildspec.run(spec, checkout, {"PATH": f"{checkout / 'bin'}:/usr/bin:/bin", **caller})
    return status, [line.strip() for line in (checkout / "log").read_text().splitlines()]


def test_in_ci_the_test_buildspec_prepares_the_machine_then_runs_make_test_and_publishes_nothing(stubbed_checkout):
    assert run_test_buildspec(stubbed_checkout) == (0, ["prerequisites.sh test", "make test", "make audit"])


def test_in_the_pipeline_it_publishes_the_tested_images_by_digest(stubbed_checkout):
    status, calls = run_test_buildspec(stubbed_checkout, PUBLISH_PROCESSOR_REPOSITORY="p", PUBLISH_WEB_REPOSITORY="w")
    assert status == 0 and calls[-3:] == ["make test", "make audit", "deploy_aws.sh publish build/images.json"]
    artifacts = yaml.safe_load((REPO / ".ci" / "buildspec-test.yml").read_text())["artifacts"]
    assert Path(artifacts["base-directory"]) / artifacts["files"][0] == Path("build/images.json")


def test_images_that_failed_their_tests_are_not_published(stubbed_checkout):
    status, calls = run_test_buildspec(stubbed_checkout, PUBLISH_PROCESSOR_REPOSITORY="p", PUBLISH_WEB_REPOSITORY="w",
                                       STUB_STATUS_make="2")
    assert status == 2 and calls[-1] == "make test"
