"""The environments are compositions of the same modules (terraform/environments/*/main.tf),
switching whole modules: the local stack is the data plane alone; staging and production compose
every module, wired alike, and differ only where staging is meant to be smaller and disposable.
That is what lets the rehearsal of staging (make rehearse-aws) speak for production's wiring."""

import hcl2
import pytest

from support import REPO

ENVIRONMENTS = REPO / "terraform" / "environments"
DATA_PLANE = {"storage", "processor", "settings", "observability"}
ON_AWS = DATA_PLANE | {"images", "network", "database", "web_hosting"}
# What production sets otherwise than staging, on purpose.
MEANT_TO_DIFFER = {("images", "force_delete"), ("images", "keep_images"), ("network", "cidr"), ("database", "multi_az"),
                   ("database", "deletion_protection"), ("database", "final_snapshot"), ("web_hosting", "desired_count")}


def modules(environment: str) -> dict[str, dict]:
    with open(ENVIRONMENTS / environment / "main.tf") as file:
        return {name.strip('"'): body for block in hcl2.load(file).get("module", []) for name, body in block.items()}


def test_the_local_stack_composes_the_data_plane_only():
    assert set(modules("local")) == DATA_PLANE


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_each_aws_environment_composes_every_module(environment):
    composed = modules(environment)
    assert set(composed) == ON_AWS
    assert all(body["source"].strip('"').startswith("../../modules/") for body in composed.values())


def test_staging_and_production_are_wired_alike_and_differ_only_where_meant():
    staging, production = modules("staging"), modules("production")
    arguments = {(module, argument) for module, body in {**staging, **production}.items()
                 for argument in set(staging.get(module, {})) | set(production.get(module, {})) if not argument.startswith("__")}
    differing = {(module, argument) for module, argument in arguments
                 if staging[module].get(argument) != production[module].get(argument)}
    assert differing <= MEANT_TO_DIFFER, differing - MEANT_TO_DIFFER


def test_production_is_protected_and_staging_is_disposable():
    staging, production = modules("staging"), modules("production")
    assert production["database"]["deletion_protection"] is True and production["database"]["final_snapshot"] is True
    assert production["database"]["multi_az"] is True and production["web_hosting"]["desired_count"] >= 2
    assert staging["database"]["deletion_protection"] is False and staging["database"]["final_snapshot"] is False
    assert staging["images"]["force_delete"] is True and production["images"].get("force_delete", False) is False
