#!/usr/bin/env python3
"""Run a CodeBuild buildspec's commands on this machine, as CodeBuild runs them, so CI (.ci/run)
and the pipeline's build run the same commands from the same file.

    python3 scripts/buildspec.py BUILDSPEC [--source-dir DIR] [--print]     (the standard library and PyYAML)

What it keeps from CodeBuild (buildspec version 0.2, Linux):
- the phases install, pre_build, build, post_build, in that order, in one bash session for the
  whole build: the directory and variables one command leaves are there for the next, in later
  phases too;
- in a phase, the first command that exits non-zero ends it: the phase's later commands are
  skipped, its `finally` commands run, and the phase fails;
- a failed install or pre_build ends the build; a failed build phase still runs post_build (with
  CODEBUILD_BUILD_SUCCEEDING=0), so post_build can report, as CodeBuild does;
- env.variables reach every command; a variable set by the caller wins over the buildspec's
  (CodeBuild: the project's and the build's variables win over the buildspec's);
- env.parameter-store and env.secrets-manager: CodeBuild fetches them; here the caller's
  environment must hold them (CI has no AWS account), and the runner names any that are missing.

What is CodeBuild's alone is ignored: runtime-versions (its images), reports, artifacts, cache,
exported-variables. What it cannot do faithfully it refuses: run-as, on-failure other than
ABORT, a shell other than bash, a version other than 0.2.

The exit status is 0 when the build succeeded, else the first failed command's. A command that
exits the shell itself (`exit 3`) ends the build there, finally blocks unrun.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PHASES = ("install", "pre_build", "build", "post_build")
# A failure in these ends the build at once; after a failed build phase, post_build still runs.
FATAL_PHASES = ("install", "pre_build")
IGNORED_TOP_LEVEL = {"reports", "artifacts", "cache", "proxy", "batch"}
IGNORED_ENV = {"exported-variables", "git-credential-helper"}
IGNORED_PHASE = {"runtime-versions"}


class BuildspecError(ValueError):
    """The file is not a buildspec this runner can run as CodeBuild would; the message says why."""


@dataclass(frozen=True)
class Phase:
    name: str
    commands: tuple[str, ...] = ()
    finally_: tuple[str, ...] = ()


@dataclass(frozen=True)
class Buildspec:
    phases: tuple[Phase, ...]
    variables: dict[str, str] = field(default_factory=dict)
    # names CodeBuild fills from Parameter Store or Secrets Manager
    fetched: tuple[str, ...] = ()


def _commands(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(c, (str, int, float)) for c in value):
        raise BuildspecError(f"{where}: a list of commands")
    return tuple(str(c) for c in value)


def _scalars(value, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or any(isinstance(v, (dict, list)) for v in value.values()):
        raise BuildspecError(f"{where}: a mapping of names to values")
    # YAML reads `1` and `true` as a number and a boolean; CodeBuild passes them as text
    return {str(k): "" if v is None else (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in value.items()}


def parse(text: str) -> Buildspec:
    """A buildspec from its YAML text, checked for what the runner supports."""
    spec = yaml.safe_load(text)
    if not isinstance(spec, dict):
        raise BuildspecError("a buildspec is a YAML mapping")
    if str(spec.get("version")) != "0.2":
        raise BuildspecError(f"version {spec.get('version')!r}: only 0.2 is supported")
    unknown = set(spec) - {"version", "env", "phases", "run-as"} - IGNORED_TOP_LEVEL
    if unknown:
        raise BuildspecError(f"unknown sections: {', '.join(sorted(unknown))}")
    if "run-as" in spec:
        raise BuildspecError("run-as is not supported (the runner runs as its caller)")
    env = spec.get("env") or {}
    if not isinstance(env, dict):
        raise BuildspecError("env: a mapping")
    unknown = set(env) - {"shell", "variables", "parameter-store", "secrets-manager"} - IGNORED_ENV
    if unknown:
        raise BuildspecError(f"env: unknown keys: {', '.join(sorted(unknown))}")
    if env.get("shell", "bash") != "bash":
        raise BuildspecError(f"env.shell {env['shell']!r}: only bash is supported")
    fetched = tuple(_scalars(env.get("parameter-store"), "env.parameter-store")) + \
        tuple(_scalars(env.get("secrets-manager"), "env.secrets-manager"))
    phases_in = spec.get("phases")
    if not isinstance(phases_in, dict) or not phases_in:
        raise BuildspecError("phases: at least one phase")
    unknown = set(phases_in) - set(PHASES)
    if unknown:
        raise BuildspecError(f"unknown phases: {', '.join(sorted(unknown))} (phases are {', '.join(PHASES)})")
    phases = []
    for name in PHASES:
        body = phases_in.get(name)
        if body is None:
            continue
        if not isinstance(body, dict):
            raise BuildspecError(f"phases.{name}: a mapping")
        unknown = set(body) - {"commands", "finally", "on-failure", "run-as"} - IGNORED_PHASE
        if unknown:
            raise BuildspecError(f"phases.{name}: unknown keys: {', '.join(sorted(unknown))}")
        if "run-as" in body:
            raise BuildspecError(f"phases.{name}.run-as is not supported (the runner runs as its caller)")
        if body.get("on-failure", "ABORT") != "ABORT":
            raise BuildspecError(f"phases.{name}.on-failure {body['on-failure']!r}: only ABORT is supported")
        phases.append(Phase(name, _commands(body.get("commands"), f"phases.{name}.commands"),
                            _commands(body.get("finally"), f"phases.{name}.finally")))
    return Buildspec(tuple(phases), _scalars(env.get("variables"), "env.variables"), fetched)


def environment(spec: Buildspec, caller: dict[str, str]) -> dict[str, str]:
    """The build's environment: the buildspec's variables under the caller's, which win."""
    missing = [name for name in spec.fetched if name not in caller]
    if missing:
        raise BuildspecError(f"CodeBuild fetches {', '.join(sorted(missing))} from Parameter Store or Secrets "
                             "Manager; set them in the environment to run this buildspec here")
    return {**spec.variables, **caller}


# The bash the build runs. Each command is eval'd in the one session (so `cd` and variables
# carry on), only while its phase has not failed; its status decides the phase's.
_PRELUDE = r"""
__bs_status=0
__bs_say() { printf '\033[1m[buildspec]\033[0m %s\n' "$*" >&2; }
__bs_run() {  # COMMAND: run it unless the phase failed already; a failure fails the phase
  [ "$__bs_failed" -eq 0 ] || return 0
  __bs_command=$1
  shift  # the command sees no arguments of the runner's
  __bs_say "Running command $__bs_command"
  eval "$__bs_command"
  __bs_last=$?
  if [ "$__bs_last" -ne 0 ]; then
    __bs_say "Command did not exit successfully $__bs_command exit status $__bs_last"
    __bs_failed=$__bs_last
  fi
  return 0
}
__bs_end_phase() {  # NAME FATAL: report the phase; a fatal failure ends the build
  if [ "$__bs_failed" -eq 0 ]; then
    __bs_say "Phase complete: $1 State: SUCCEEDED"
  else
    __bs_say "Phase complete: $1 State: FAILED"
    [ "$__bs_status" -ne 0 ] || __bs_status=$__bs_failed
    export CODEBUILD_BUILD_SUCCEEDING=0
    [ "$2" -eq 0 ] || exit "$__bs_status"
  fi
}
export CODEBUILD_BUILD_SUCCEEDING=1
"""


def script(spec: Buildspec) -> str:
    """The bash program that runs the buildspec's phases with CodeBuild's transitions."""
    lines = [_PRELUDE.strip()]
    for phase in spec.phases:
        # a fatal phase that failed has exited already: every phase here runs, post_build too
        lines.append(f"# --- {phase.name}")
        lines.append("__bs_failed=0")
        lines.append(f"__bs_say 'Entering phase {phase.name.upper()}'")
        lines += [f"__bs_run {shlex.quote(command)}" for command in phase.commands]
        if phase.finally_:
            lines.append("__bs_finally=$__bs_failed; __bs_failed=0")  # finally runs whatever happened
            lines += [f"__bs_run {shlex.quote(command)}" for command in phase.finally_]
            lines.append('[ "$__bs_finally" -eq 0 ] || __bs_failed=$__bs_finally')
        lines.append(f"__bs_end_phase {phase.name.upper()} {int(phase.name in FATAL_PHASES)}")
    lines.append('[ "$__bs_status" -eq 0 ] || __bs_say "Build failed"')
    lines.append('exit "$__bs_status"')
    return "\n".join(lines) + "\n"


def run(spec: Buildspec, source_dir: Path, caller: dict[str, str]) -> int:
    """Run the build in SOURCE_DIR (CodeBuild's CODEBUILD_SRC_DIR); its exit status."""
    env = environment(spec, caller)
    env.setdefault("CODEBUILD_SRC_DIR", str(source_dir))
    # --noprofile --norc: the build's environment is the one given, as in a CodeBuild container
    return subprocess.run(["bash", "--noprofile", "--norc", "-c", script(spec)], cwd=source_dir, env=env).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("buildspec", type=Path)
    parser.add_argument("--source-dir", type=Path, default=Path.cwd(),
                        help="where the commands start (CodeBuild's source directory); default: here")
    parser.add_argument("--print", action="store_true", help="print the bash program instead of running it")
    args = parser.parse_args(argv)
    try:
        spec = parse(args.buildspec.read_text())
        if args.print:
            print(script(spec), end="")
            return 0
        return run(spec, args.source_dir.resolve(), dict(os.environ))
    except (OSError, BuildspecError, yaml.YAMLError) as error:
        print(f"buildspec: {args.buildspec}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
