"""The Terraform configuration is formatted (terraform fmt -check), lints clean (tflint) and is
documented (terraform-docs: each folder's README); the dashboard charts what the processor writes.
Each root's validity: test_roots.py."""

import pytest

from support import REPO, terraform


def test_fmt_check():
    result = terraform("fmt", "-check", "-diff", "-recursive", cwd=REPO / "terraform")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dashboard_charts_every_stage_the_processor_times_in_its_namespace():
    import hcl2

    from photo_jobs import spec
    from photo_processor import telemetry as metrics
    from photo_processor.pipeline import render
    from support import photo

    with open(REPO / "terraform" / "modules" / "observability" / "main.tf") as config:
        [dashboard] = hcl2.load(config)["locals"]
    charted = {stage.strip('"') for stage in dashboard["job_stages"]}
    from photo_processor import jobs, pipeline

    for source in (photo(), photo(fmt="PNG")):  # the fast JPEG path and Pillow's
        assert set(render(source, spec.parse(None)).timings_ms) == set(pipeline.STAGES)
    assert charted == set(jobs.STAGES)
    assert dashboard["metrics_namespace"].strip('"') == metrics.NAMESPACE


# --- tflint and terraform-docs, built by the bootstrap from their Go modules -------------------------

TERRAFORM = REPO / "terraform"
FOLDERS = sorted(str(path.relative_to(TERRAFORM)) for path in (TERRAFORM / "modules").iterdir() if path.is_dir()) + \
    ["state", "delivery"] + sorted(f"environments/{path.name}" for path in (TERRAFORM / "environments").iterdir())


def tool(name: str, *args: str, cwd=REPO):
    import subprocess

    from support import CACHE, bootstrap_part_ready

    bootstrap_part_ready("VIVIDART_TEST_LINTERS_PART", "part", "linters")  # built beside the suites by make test
    return subprocess.run([str(CACHE / "bin" / name), *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("folder", FOLDERS)
def test_tflint_finds_nothing(folder):
    """The terraform ruleset, all of it (terraform/.tflint.hcl): notices too, such as a variable or
    an output without a description."""
    result = tool("tflint", f"--chdir={TERRAFORM / folder}", f"--config={TERRAFORM / '.tflint.hcl'}",
                  "--minimum-failure-severity=notice", "--no-color")
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_readme_holds_its_folders_inputs_and_outputs_as_they_are(folder):
    result = tool("terraform-docs", f"--config={TERRAFORM / '.terraform-docs.yml'}", "--output-check", str(TERRAFORM / folder))
    assert result.returncode == 0, result.stdout + result.stderr + "\nregenerate: terraform-docs --config terraform/.terraform-docs.yml terraform/" + folder


def test_every_module_and_root_is_linted_and_documented():
    found = {str(path.parent.relative_to(TERRAFORM)) for path in TERRAFORM.rglob("*.tf")
             if ".terraform" not in path.parts and path.parent != TERRAFORM}
    assert found == set(FOLDERS)
