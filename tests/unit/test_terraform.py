"""The Terraform configuration is formatted and valid (terraform fmt -check, validate)."""

import shutil

from support import REPO, terraform


def test_fmt_check():
    result = terraform("fmt", "-check", "-diff", "-recursive", cwd=REPO / "terraform")
    assert result.returncode == 0, result.stdout + result.stderr


def test_validate(tmp_path):
    work = tmp_path / "terraform"
    shutil.copytree(REPO / "terraform", work, ignore=shutil.ignore_patterns(".terraform"))
    init = terraform("init", "-backend=false", "-input=false", "-no-color", cwd=work)
    assert init.returncode == 0, init.stdout + init.stderr
    result = terraform("validate", "-no-color", cwd=work)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dashboard_charts_every_stage_the_processor_times_in_its_namespace():
    import hcl2

    from photo_jobs import spec
    from photo_processor import telemetry as metrics
    from photo_processor.pipeline import render
    from support import photo

    with open(REPO / "terraform" / "dashboard.tf") as config:
        [dashboard] = hcl2.load(config)["locals"]
    charted = {stage.strip('"') for stage in dashboard["job_stages"]}
    from photo_processor import jobs, pipeline

    for source in (photo(), photo(fmt="PNG")):  # the fast JPEG path and Pillow's
        assert set(render(source, spec.parse(None)).timings_ms) == set(pipeline.STAGES)
    assert charted == set(jobs.STAGES)
    assert dashboard["metrics_namespace"].strip('"') == metrics.NAMESPACE
