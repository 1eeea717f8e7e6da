#!/usr/bin/env python3
"""Rehearse the AWS configuration on an AWS API emulator: moto's server, on loopback.

    rehearse_aws.py [--keep WORK_DIR]      (make rehearse-aws; make test runs it too)

It applies, for real and through the AWS provider, what a first deploy to AWS applies:
terraform/state (the state bucket), terraform/delivery (the pipeline, its builds and roles, with
its state in that bucket), and staging through the release itself (scripts/release.py: the
tested images published to the pipeline's candidate repositories, promoted by digest into
staging's, an untested one refused, then staging's root applied with every AWS module on:
network, load balancer with HTTPS, ECS service, database, image repositories, alarms,
dashboard), and its load balancer checked against terraform/edge.json. Then each root is planned
again and what it would change is counted (none, when the configuration converges), staging is
destroyed and the pipeline must still be there, the pipeline is destroyed, and the state root
must refuse its own destroy. The last line is

    REHEARSAL {"applied": {"<resource type>": <count>, ...}, "changes_after_apply": <number>,
               "destroyed": true|false, "skipped": [{"what": ..., "why": ...}, ...]}

What the emulator cannot do is skipped, each with why (EMULATOR_GAPS and the connection): the
work copy gets override files (*_override.tf) for those resources only; nothing in terraform/
changes. Needs the bootstrap's moto environment ($VIVIDART_CACHE/venv-moto) and Terraform.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import release  # noqa: E402

ROOT = release.ROOT
CACHE = Path(os.environ.get("VIVIDART_CACHE", Path.home() / ".cache" / "vividart"))
REGION = "us-east-1"
CREDENTIALS = {"access_key": "rehearsal", "secret_key": "rehearsal"}
# Every service the roots call, pointed at the emulator by the provider's endpoint overrides.
SERVICES = ("acm", "cloudwatch", "codebuild", "codepipeline", "codestarconnections", "codestarnotifications", "ec2", "ecr",
            "ecs", "elbv2", "events", "iam", "lambda", "logs", "rds", "route53", "s3", "secretsmanager", "ses", "sns", "sqs", "ssm", "sts")
# What the rehearsal's environment is told instead of the account's own settings (terraform.tfvars).
DOMAIN = "staging.rehearsal.test"
CONNECTION = f"arn:aws:codestar-connections:{REGION}:123456789012:connection/00000000-rehearsal"


@dataclass(frozen=True)
class Gap:
    """Something of the configuration the emulator cannot do, and what the work copy does instead:
    leave the resource out (the default), ignore attributes the emulator does not keep (they would
    show as changes at every plan), or give the emulator what it wrongly insists on."""

    module: str  # the folder under terraform/ that declares the resource
    address: str  # <type>.<name> in that folder
    why: str
    ignore: tuple[str, ...] = ()
    instead: str = ""  # HCL for the resource's override block, with what it adds

    @property
    def what(self) -> str:
        where = f"{self.module}: {self.address}"
        if self.ignore:
            return f"{where} ({', '.join(self.ignore)} not compared after the apply)"
        return f"{where} (given a location)" if self.instead else f"{where} (left out)"

    def override(self) -> str:
        kind, name = self.address.split(".", 1)
        if self.ignore:
            body = f"  lifecycle {{\n    ignore_changes = [{', '.join(self.ignore)}]\n  }}"
        else:
            body = self.instead or "  count = 0"
        return f'# {self.why}\nresource "{kind}" "{name}" {{\n{body}\n}}\n'


CODEBUILD_LOCATIONS = """  source {
    type      = "CODEPIPELINE"
    buildspec = var.buildspec
    location  = "rehearsal"
  }
  artifacts {
    type     = "CODEPIPELINE"
    location = "rehearsal"
  }"""

EMULATOR_GAPS = (
    Gap("modules/hardened_bucket", "aws_s3_bucket_policy.this",
        "moto denies every request under a Deny whose condition keys it does not know (aws:SecureTransport, s3:TlsVersion), "
        "TLS or not: with the TLS-only policy no bucket could be read"),
    Gap("delivery", "aws_codebuild_report_group.tests", "moto has no CodeBuild report groups (CreateReportGroup)"),
    Gap("delivery", "aws_codestarnotifications_notification_rule.pipeline", "moto has no CodeStar Notifications"),
    Gap("modules/build_project", "aws_codebuild_project.build",
        "moto requires a source and an artifacts location even for CODEPIPELINE, where AWS takes none", instead=CODEBUILD_LOCATIONS),
    Gap("modules/web_hosting", "aws_ecs_service.web", "moto's ECS does not keep these service settings",
        ("enable_execute_command", "health_check_grace_period_seconds", "availability_zone_rebalancing")),
    Gap("modules/processor", "aws_sns_topic.events", "moto's SNS does not keep a topic's SignatureVersion", ("signature_version",)),
    *(Gap("modules/processor", f"aws_lambda_function.{function}", "moto's Lambda answers an empty image_config for an image function",
          ("image_config",)) for function in ("processor", "archiver", "ticks")),
    Gap("modules/storage", "aws_sqs_queue.jobs", "moto's SQS answers the redrive policy in another JSON form", ("redrive_policy",)),
    *(Gap("modules/network", rule, "moto's EC2 drops the description of a rule that references a security group", ("description",))
      for rule in ("aws_vpc_security_group_egress_rule.alb_to_tasks", "aws_vpc_security_group_ingress_rule.tasks_from_alb",
                   "aws_vpc_security_group_egress_rule.tasks_to_database", "aws_vpc_security_group_ingress_rule.database_from_tasks")),
)

SKIPPED_ALWAYS = (
    {"what": "delivery: aws_codestarconnections_connection.source",
     "why": "moto has no CodeConnections: the pipeline is given a connection's ARN (source_connection_arn); on AWS a new "
            "connection stays PENDING until a person completes it in the console"},
    {"what": "release: the images' layers",
     "why": "moto's ECR has no registry endpoint: images are manifests, published and promoted with the ECR API "
            "(PutImage, BatchGetImage); on AWS Docker moves the layers (release.DockerEcr)"},
    {"what": "modules/web_hosting: certificate validation by DNS",
     "why": "moto issues the certificate at once (MOTO_ACM_VALIDATION_WAIT=0); only AWS checks the validation record"},
    {"what": "modules/web_hosting: the service's tasks",
     "why": "moto runs no containers: it reports the service's task as running (MOTO_ECS_SERVICE_RUNNING)"},
    {"what": "state: destroying terraform/state",
     "why": "refused by design (terraform_data.keep_the_state): the bucket holds every root's state; the emulator is stopped instead"},
)


# --- the pure parts: overrides, counts, the report -------------------------------------------------------

def provider_override(endpoint: str) -> str:
    """An override file that points a root's AWS provider at the emulator."""
    endpoints = "\n".join(f'    {service} = "{endpoint}"' for service in SERVICES)
    return f'''# Written by scripts/rehearse_aws.py in its work copy only: the AWS provider talks to the emulator.
provider "aws" {{
  access_key                  = "{CREDENTIALS['access_key']}"
  secret_key                  = "{CREDENTIALS['secret_key']}"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true
  endpoints {{
{endpoints}
  }}
}}
'''


def backend_config(endpoint: str) -> str:
    """The S3 backend's settings for the emulator (a -backend-config file)."""
    return f'''endpoints                   = {{ s3 = "{endpoint}", sts = "{endpoint}" }}
access_key                  = "{CREDENTIALS['access_key']}"
secret_key                  = "{CREDENTIALS['secret_key']}"
use_path_style              = true
skip_credentials_validation = true
skip_requesting_account_id  = true
skip_metadata_api_check     = true
skip_region_validation      = true
'''


def gap_overrides(gaps: tuple[Gap, ...] = EMULATOR_GAPS) -> dict[str, str]:
    """The override files (*_override.tf) of the work copy, by folder: what each gap does instead."""
    files: dict[str, list[str]] = {}
    for gap in gaps:
        files.setdefault(gap.module, []).append(gap.override())
    return {module: "# Written by scripts/rehearse_aws.py in its work copy only: what the emulator cannot do.\n\n" + "\n".join(blocks)
            for module, blocks in files.items()}


def resource_types(state: dict) -> Counter:
    """Managed resources by type in a state (terraform show -json), modules included."""
    counts: Counter = Counter()

    def walk(module: dict) -> None:
        for resource in module.get("resources", []):
            if resource.get("mode") == "managed":
                counts[resource["type"]] += 1
        for child in module.get("child_modules", []):
            walk(child)

    walk(state.get("values", {}).get("root_module", {}))
    return counts


def changes(plan: dict) -> list[str]:
    """The resources a plan (terraform show -json PLAN) would change, as 'address: actions (the
    top-level attributes that differ)'."""
    found = []
    for change in plan.get("resource_changes", []):
        actions, before, after = change["change"]["actions"], change["change"].get("before"), change["change"].get("after")
        if actions in (["no-op"], ["read"]):
            continue
        unknown = change["change"].get("after_unknown") or {}
        differ = sorted(name for name in {*(before or {}), *(after or {})}
                        if (before or {}).get(name) != (after or {}).get(name) and not unknown.get(name))
        found.append(f"{change['address']}: {'/'.join(actions)}" + (f" ({', '.join(differ)})" if before and differ else ""))
    return found


def report(applied: Counter, changed: int, destroyed: bool, skipped: list[dict]) -> str:
    """The last line: what was applied, how many changes a plan after the apply found, whether
    all of it was destroyed, and what was skipped with why."""
    return "REHEARSAL " + json.dumps({"applied": dict(sorted(applied.items())), "changes_after_apply": changed,
                                      "destroyed": destroyed, "skipped": skipped})


# --- the emulator ---------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A certificate authority of the rehearsal's own and a server certificate for 127.0.0.1 that
    it signed: (CA certificate, server certificate, server key), in PEM files."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "VividArt rehearsal CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    server = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
              .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
              .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
              .sign(ca_key, hashes.SHA256()))
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


class Emulator:
    """moto's server on a loopback port, over TLS (the buckets' policies refuse anything else),
    for the rehearsal's lifetime."""

    def __init__(self, work: Path, desired_tasks: int = 1) -> None:
        self.port = free_port()
        self.endpoint = f"https://127.0.0.1:{self.port}"
        python = CACHE / "venv-moto" / "bin" / "python"
        if not (CACHE / "venv-moto" / "bin" / "moto_server").exists():
            raise SystemExit(f"no moto in {CACHE / 'venv-moto'}: run scripts/bootstrap.sh (it makes the emulator's environment)")
        self.ca, cert, key = certificates(work)
        env = {**os.environ, "MOTO_ACM_VALIDATION_WAIT": "0", "MOTO_ECS_SERVICE_RUNNING": str(desired_tasks)}
        self.log = open(work / "moto.log", "w")
        self.process = subprocess.Popen([str(python), str(ROOT / "scripts" / "moto_server.py"), "-H", "127.0.0.1", "-p", str(self.port), "-c", str(cert), "-k", str(key)],
                                        env=env, stdout=self.log, stderr=subprocess.STDOUT)
        context = ssl.create_default_context(cafile=str(self.ca))
        deadline = time.monotonic() + 60
        while True:
            try:
                # the endpoint is https on loopback, built above
                urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json", timeout=2, context=context).read()  # nosec B310
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"moto's server did not start (log: {work / 'moto.log'})") from None
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


# --- the rehearsal --------------------------------------------------------------------------------------

def say(message: str) -> None:
    print(f"\033[1m==>\033[0m {message}", file=sys.stderr, flush=True)


class Rehearsal:
    def __init__(self, work: Path, emulator: Emulator) -> None:
        self.work, self.emulator = work, emulator
        self.tree = work / "terraform"
        self.aws = release.Aws(emulator.endpoint, **CREDENTIALS, verify=str(emulator.ca))
        self.binary = (CACHE / "terraform-bin").read_text().strip()
        self.log = open(work / "terraform.log", "a")
        self.skipped = list(SKIPPED_ALWAYS) + [{"what": gap.what, "why": gap.why} for gap in EMULATOR_GAPS]

    def copy_tree(self) -> None:
        shutil.copytree(ROOT / "terraform", self.tree, ignore=shutil.ignore_patterns(".terraform", "terraform.tfstate*", "tests"))
        for folder in ("state", "delivery", "environments/staging"):
            (self.tree / folder / "rehearsal_provider_override.tf").write_text(provider_override(self.emulator.endpoint))
        for folder, text in gap_overrides().items():
            (self.tree / folder / "rehearsal_gaps_override.tf").write_text(text)
        (self.work / "backend.hcl").write_text(backend_config(self.emulator.endpoint))

    def terraform(self, folder: str) -> release.Terraform:
        env = {"TF_CLI_CONFIG_FILE": str(CACHE / "terraform.rc"), "TF_IN_AUTOMATION": "1", "AWS_CA_BUNDLE": str(self.emulator.ca),
               "TF_DATA_DIR": str(self.work / "data" / folder.replace("/", "-"))}
        # no command takes 10 minutes against the emulator: one that does waits for something it lacks
        return release.Terraform(self.binary, self.tree / folder, env, [str(self.work / "backend.hcl")], log=self.log, timeout=600)

    def timed(self, what: str, action, *args, **kwargs):
        started = time.monotonic()
        say(what)
        result = action(*args, **kwargs)
        say(f"{what}: done in {time.monotonic() - started:.0f} s")
        return result

    def state_of(self, terraform: release.Terraform) -> dict:
        return json.loads(terraform.run("show", "-json", capture=True))

    def plan_changes(self, terraform: release.Terraform, variables: dict[str, str] | None = None) -> list[str]:
        plan = self.work / "plan.out"
        terraform.run("plan", "-input=false", "-no-color", "-lock=false", f"-out={plan}",
                      *[f"-var={name}={value}" for name, value in (variables or {}).items()])
        return changes(json.loads(terraform.run("show", "-json", str(plan), capture=True)))

    def run(self) -> str:
        self.copy_tree()
        applied: Counter = Counter()
        found: list[str] = []

        # the state bucket, local state (as an administrator applies it)
        state = self.terraform("state")
        state.run("init", "-input=false", "-no-color", "-lockfile=readonly")
        self.timed("terraform/state: apply", state.apply)
        applied += resource_types(self.state_of(state))
        found += self.plan_changes(state)
        bucket = release.state_bucket("vividart", "123456789012", REGION, self.tree)

        # the delivery pipeline, its state in that bucket
        delivery = self.terraform("delivery")
        (self.tree / "delivery" / "terraform.tfvars").write_text(
            f'region = "{REGION}"\nsource_repository = "vividart/studio"\nsource_connection_arn = "{CONNECTION}"\n')
        delivery.init(self.tree / "delivery" / "s3.tfbackend", bucket)
        self.timed("terraform/delivery: apply", delivery.apply)
        candidates = delivery.outputs()["candidate_repositories"]
        applied += resource_types(self.state_of(delivery))
        found += self.plan_changes(delivery)

        # the release: the build's images published as tested, an untested one refused, staging deployed
        registry = release.ManifestEcr(self.aws, REGION)
        tested = self.timed("release: publish the tested images", release.publish,
                            {"processor": "rehearsal/photo-processor", "web": "rehearsal/web"}, candidates, registry)
        untested = release.push_built_here("rehearsal/untested-web", candidates["web"], registry)
        try:
            release.promote(untested, candidates["web"], registry, frozenset(candidates.values()))
            raise SystemExit(f"the release promoted {untested}, which was never tested")
        except release.ReleaseError as refusal:
            say(f"release: refused as it must: {refusal}")
        zone = self.aws.client("route53", REGION).create_hosted_zone(
            Name=DOMAIN.split(".", 1)[1], CallerReference=str(time.time()))["HostedZone"]["Id"].rsplit("/", 1)[1]
        staging_root = self.tree / "environments" / "staging"
        (staging_root / "terraform.tfvars").write_text(
            f'region = "{REGION}"\ndomain_name = "{DOMAIN}"\nhosted_zone_id = "{zone}"\nstudio_email = "studio@rehearsal.test"\n')
        staging = self.terraform("environments/staging")
        outputs = self.timed("release: deploy staging with the tested images", release.deploy,
                             release.environment("staging", self.tree), aws=self.aws, terraform=staging, registry=registry,
                             tested=tested, tested_repositories=frozenset(candidates.values()), terraform_dir=self.tree, say=say)
        if outputs["web_url"] != f"https://{DOMAIN}":
            raise SystemExit(f"staging says it serves {outputs['web_url']}")
        self.check_edge(outputs)
        applied += resource_types(self.state_of(staging))
        images = {"lambda_image_uri": f"{outputs['ecr_repository_url']}@{tested['processor'].digest}",
                  "web_image_uri": f"{outputs['web_ecr_repository_url']}@{tested['web'].digest}"}
        found += self.timed("plan after apply", self.plan_changes, staging, images)
        for change in found:
            say(f"changes after apply: {change}")

        # destroy: staging, then the pipeline that outlives it; the state root refuses
        self.timed("staging: destroy", staging.run, "destroy", "-input=false", "-auto-approve", "-no-color",
                   *[f"-var={name}={value}" for name, value in images.items()])
        pipeline = self.aws.client("codepipeline", REGION).get_pipeline(name=delivery.outputs()["pipeline_name"])
        say(f"after staging's destroy the pipeline {pipeline['pipeline']['name']} is still there")
        self.timed("terraform/delivery: destroy", delivery.run, "destroy", "-input=false", "-auto-approve", "-no-color")
        refusal = subprocess.run([state.binary, f"-chdir={state.root}", "plan", "-destroy", "-input=false", "-no-color"],
                                 env={**os.environ, **state.env}, capture_output=True, text=True)
        if refusal.returncode == 0 or "cannot be destroyed" not in refusal.stderr:
            raise SystemExit(f"terraform/state did not refuse its own destroy: {refusal.stderr[-1000:]}")
        say("terraform/state refused its destroy, as it must")
        destroyed = not staging.run("state", "list", capture=True).strip() and not delivery.run("state", "list", capture=True).strip() \
            and self.emulator_holds_nothing_of_them()
        return report(applied, len(found), destroyed, self.skipped)

    def check_edge(self, outputs: dict) -> None:
        """The load balancer the emulator holds says what terraform/edge.json says."""
        edge = json.loads((ROOT / "terraform" / "edge.json").read_text())
        elb = self.aws.client("elbv2", REGION)
        [balancer] = [lb for lb in elb.describe_load_balancers()["LoadBalancers"] if lb["DNSName"] == outputs["alb_dns_name"]]
        attributes = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=balancer["LoadBalancerArn"])["Attributes"]}
        listeners = {listener["Port"]: listener for listener in elb.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]}
        https_attributes = {a["Key"]: a["Value"] for a in elb.describe_listener_attributes(ListenerArn=listeners[443]["ListenerArn"])["Attributes"]}
        expected = {
            "idle timeout": (attributes["idle_timeout.timeout_seconds"], str(edge["idle_timeout_seconds"])),
            "HTTP redirected": (listeners[80]["DefaultActions"][0]["Type"] == "redirect", edge["http_redirects_to_https"]),
            "TLS minimum": ("TLS13-1-2" in listeners[443]["SslPolicy"], edge["tls_min_version"] == "TLSv1.2"),
            "HSTS": (https_attributes.get("routing.http.response.strict_transport_security.header_value", ""),
                     f"max-age={edge['hsts_max_age_seconds']}; includeSubDomains"),
        }
        wrong = {name: values for name, values in expected.items() if values[0] != values[1]}
        if wrong:
            raise SystemExit(f"the load balancer disagrees with terraform/edge.json: {wrong}")
        say("the load balancer's idle timeout, redirect, TLS policy and HSTS are edge.json's")

    def emulator_holds_nothing_of_them(self) -> bool:
        """What a destroy leaves behind shows in the services' own listings."""
        ecs, elb, rds = (self.aws.client(service, REGION) for service in ("ecs", "elbv2", "rds"))
        pipelines = self.aws.client("codepipeline", REGION).list_pipelines()["pipelines"]
        active = [c for c in ecs.describe_clusters(clusters=ecs.list_clusters()["clusterArns"])["clusters"] if c["status"] == "ACTIVE"] \
            if ecs.list_clusters()["clusterArns"] else []
        left = {"pipelines": pipelines, "clusters": active, "load balancers": elb.describe_load_balancers()["LoadBalancers"],
                "databases": rds.describe_db_instances()["DBInstances"]}
        left = {kind: things for kind, things in left.items() if things}
        if left:
            say(f"left after the destroys: {left}")
        return not left


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (logs: terraform.log, moto.log)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    work = args.keep or Path(tempfile.mkdtemp(prefix="rehearsal-"))
    work.mkdir(parents=True, exist_ok=True)
    emulator = Emulator(work)
    try:
        line = Rehearsal(work, emulator).run()
    except (release.ReleaseError, SystemExit) as error:  # the work folder stays, with the logs
        print(f"error: {error} (logs: {work}/terraform.log, {work}/moto.log)", file=sys.stderr)
        return 1
    finally:
        emulator.stop()
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    say(f"rehearsal done in {time.monotonic() - started:.0f} s")
    print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
