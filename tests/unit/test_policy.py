"""checkov over every Terraform root: no finding is left, and each kept exception says why, on the
resource it excuses (# checkov:skip=CHECK:reason)."""

import json
import subprocess

from support import CACHE, REPO


def scan() -> list[dict]:
    result = subprocess.run([str(CACHE / "venv-checkov" / "bin" / "checkov"), "--directory", str(REPO / "terraform"),
                             "--framework", "terraform", "--output", "json", "--skip-download"],
                            capture_output=True, text=True, timeout=600)
    assert result.stdout, result.stderr[-3000:]
    report = json.loads(result.stdout)
    return report if isinstance(report, list) else [report]


def test_no_finding_without_a_reason():
    reports = scan()
    failed = [f"{c['check_id']} {c['resource']} ({c['file_path']}): {c['check_name']}"
              for report in reports for c in report["results"]["failed_checks"]]
    assert failed == []
    passed = sum(report["summary"]["passed"] for report in reports)
    assert passed > 300  # it read the configuration: every module, the compositions, the delivery and the state root
    skipped = [c for report in reports for c in report["results"]["skipped_checks"]]
    unexplained = [f"{c['check_id']} {c['resource']}" for c in skipped
                   if len(c["check_result"].get("suppress_comment", "").split()) < 4]
    assert unexplained == []
    scanned = {c["file_path"] for report in reports for kind in ("passed_checks", "skipped_checks")
               for c in report["results"][kind]}
    assert {"/modules/web_hosting/main.tf", "/modules/storage/main.tf", "/modules/hardened_bucket/main.tf",
            "/delivery/main.tf", "/delivery/deploy.tf"} <= scanned
    resources = {c["resource"] for report in reports for kind in ("passed_checks", "skipped_checks") for c in report["results"][kind]}
    assert {"module.bucket.aws_s3_bucket.this", "module.artifacts.aws_s3_bucket.this"} <= resources  # the state's, the pipeline's
