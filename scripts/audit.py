#!/usr/bin/env python3
"""The dependency audit: known vulnerabilities in the pinned Python packages (pip-audit, asking
PyPI's advisory data, then OSV's) and in the web app's npm packages (npm audit, asking the npm
registry). Exit 1 if any source reports a vulnerability; 0 otherwise, saying which sources
answered: from a machine that reaches no advisory source (these development machines: PyPI's
JSON API is not served, OSV is out of reach, the registry refuses npm's bulk query) nothing is
checked and the line says so; the pipeline's build machines on AWS reach them all.

    scripts/audit.py [--json]      (make audit)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("VIVIDART_CACHE", Path.home() / ".cache" / "vividart"))
REQUIREMENTS = ["services/webapp/requirements.txt", "lambda_image/requirements.txt", "localstack/requirements.txt"]
FRONTEND = ROOT / "services" / "webapp" / "frontend"


@dataclass
class Outcome:
    what: str  # the package set
    source: str  # who was asked
    answered: bool
    vulnerabilities: list[str] = field(default_factory=list)
    why: str = ""  # when it did not answer


def read_pip_audit(what: str, source: str, returncode: int, stdout: str, stderr: str) -> Outcome:
    """pip-audit's JSON: found vulnerabilities, or that the service gave no answer (every package
    'not found', or a connection error)."""
    try:
        report = json.loads(stdout)
    except ValueError:
        return Outcome(what, source, False, why=(stderr.strip().splitlines() or ["no report"])[-1][:200])
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    if dependencies and not audited:
        return Outcome(what, source, False, why=f"{source} knew none of the {len(dependencies)} packages "
                                                  "(its advisory data is not served here)")
    found = [f"{d['name']} {d['version']}: {v['id']}" for d in audited for v in d.get("vulns", [])]
    return Outcome(what, source, True, found)


def read_npm_audit(returncode: int, stdout: str) -> Outcome:
    try:
        report = json.loads(stdout)
    except ValueError:
        return Outcome("npm (web app front end)", "npm registry", False, why="no report")
    if "error" in report or "message" in report and "vulnerabilities" not in report:
        return Outcome("npm (web app front end)", "npm registry", False,
                       why=str(report.get("message") or report.get("error", {}).get("summary"))[:200])
    found = [f"{name}: {item.get('severity')}" for name, item in report.get("vulnerabilities", {}).items()]
    return Outcome("npm (web app front end)", "npm registry", True, found)


# Where each service's advisory data is: asked once before pip-audit is (which resolves every
# requirement set in a virtual environment of its own first: minutes to learn that nobody answers).
PROBES = {"pypi": ("https://pypi.org/pypi/pip/24.0/json", None),  # per release: where pip-audit looks
          "osv": ("https://api.osv.dev/v1/query", b'{"package": {"name": "pip", "ecosystem": "PyPI"}, "version": "1.0"}')}


def answers(service: str) -> str:
    """'' when the service's advisory data can be had from here; why not, otherwise."""
    url, body = PROBES[service]
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=10):  # nosec B310
            return ""  # a fixed https address, above
    except urllib.error.HTTPError as error:
        return f"{url} answered {error.code}"
    except OSError as error:
        return f"{url} is out of reach ({type(error).__name__})"


def audit_python() -> list[Outcome]:
    tool = CACHE / "venv-checkov" / "bin" / "pip-audit"
    outcomes, silent = [], {service: answers(service) for service in PROBES}
    for requirements in REQUIREMENTS:
        for service in PROBES:
            if silent[service]:
                outcomes.append(Outcome(requirements, service, False, why=silent[service]))
                continue
            run = subprocess.run([str(tool), "-r", str(ROOT / requirements), "--vulnerability-service", service,
                                  "--format", "json", "--progress-spinner", "off", "--timeout", "20"],
                                 capture_output=True, text=True, timeout=900)
            outcome = read_pip_audit(requirements, service, run.returncode, run.stdout, run.stderr)
            outcomes.append(outcome)
            if outcome.answered:
                break
    return outcomes


def audit_npm() -> Outcome:
    run = subprocess.run(["npm", "audit", "--json", "--omit=dev"], cwd=FRONTEND, capture_output=True, text=True,
                         timeout=300)
    return read_npm_audit(run.returncode, run.stdout)


def main(argv: list[str]) -> int:
    outcomes = [*audit_python(), audit_npm()]
    for outcome in outcomes:
        state = (f"{len(outcome.vulnerabilities)} known vulnerabilities" if outcome.answered
                 else f"no answer ({outcome.why})")
        print(f"audit: {outcome.what} via {outcome.source}: {state}")
        for vulnerability in outcome.vulnerabilities:
            print(f"  {vulnerability}")
    if "--json" in argv:
        print("AUDIT " + json.dumps([asdict(o) for o in outcomes]))
    if not any(o.answered for o in outcomes):
        print("audit: no advisory source answered from this machine: nothing was checked")
    return 1 if any(o.vulnerabilities for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
