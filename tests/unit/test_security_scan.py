"""Security scans of the project's own code: bandit over the Python (medium severity and up fails;
each kept exception is a `# nosec ID` on its line with the reason beside it), and the dependency
audit's reading of what pip-audit and npm audit answer."""

import json
import subprocess

from audit import read_npm_audit, read_pip_audit
from support import CACHE, REPO

SCANNED = ["services", "lambda_image/photo_processor", "localstack/plugins", "scripts"]


def test_bandit_finds_nothing_of_medium_severity_or_more():
    result = subprocess.run([str(CACHE / "venv-checkov" / "bin" / "bandit"), "-q", "-c", "pyproject.toml", "-r", *SCANNED,
                             "--severity-level", "medium", "--confidence-level", "medium", "-f", "json"],
                            cwd=REPO, capture_output=True, text=True, timeout=600)
    report = json.loads(result.stdout)
    found = [f"{r['test_id']} {r['filename']}:{r['line_number']} {r['issue_text']}" for r in report["results"]]
    assert found == []
    assert report["metrics"]["_totals"]["loc"] > 5_000  # it read the code


def test_the_audit_tells_a_found_vulnerability_from_a_source_that_did_not_answer():
    found = {"dependencies": [{"name": "flask", "version": "2.0.0", "vulns": [{"id": "PYSEC-2023-62", "fix_versions": ["2.2.5"]}]},
                              {"name": "jinja2", "version": "3.1.6", "vulns": []}], "fixes": []}
    outcome = read_pip_audit("webapp", "pypi", 1, json.dumps(found), "")
    assert outcome.answered and outcome.vulnerabilities == ["flask 2.0.0: PYSEC-2023-62"]
    unknown = {"dependencies": [{"name": "flask", "version": "3.1.3", "skip_reason": "Dependency not found on PyPI"}]}
    silent = read_pip_audit("webapp", "pypi", 0, json.dumps(unknown), "")
    assert not silent.answered and "not served here" in silent.why
    assert not read_pip_audit("webapp", "osv", 1, "", "ConnectionError: api.osv.dev").answered
    npm = read_npm_audit(1, json.dumps({"vulnerabilities": {"esbuild": {"severity": "moderate"}}}))
    assert npm.answered and npm.vulnerabilities == ["esbuild: moderate"]
    refused = read_npm_audit(1, json.dumps({"message": "405 Method Not Allowed - POST .../advisories/bulk"}))
    assert not refused.answered and "405" in refused.why
