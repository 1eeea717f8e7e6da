# The only commands a newcomer needs. Settings: MODE=compose|embedded, LOCALSTACK_PORT, WEB_PORT.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help up down logs status test fuzz plan outputs bench bootstrap lock deploy-aws smoke audit rehearse-aws

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

up: ## prepare (once), start the local stack, deploy; prints the web URL and a staff sign-in
	@scripts/prerequisites.sh up && scripts/stack.sh up

down: ## stop the local stack
	@scripts/stack.sh down

logs: ## follow the local stack's logs
	@scripts/stack.sh logs

status: ## what is running
	@scripts/stack.sh status

test: ## the whole test suite: unit, integration (LocalStack), AWS rehearsal (moto), end to end (browser)
	@scripts/test.sh

fuzz: ## a long fuzz of the pipeline: 20,000 damaged photos (COUNT=, SEED= to change)
	@scripts/fuzz.sh $(if $(COUNT),--count $(COUNT)) $(if $(SEED),--seed $(SEED))

plan: ## terraform plan against the running local stack (exit 0: no changes, 2: changes)
	@scripts/deploy.sh plan

outputs: ## the deployment's outputs as one JSON object
	@scripts/deploy.sh outputs

smoke: ## the pipeline's smoke test, on the local stack (or VIVIDART_WEB= VIVIDART_TOKEN=)
	@if [ -n "$$VIVIDART_WEB" ]; then scripts/smoke.py --upload; else scripts/deploy.sh outputs | scripts/smoke.py --upload --outputs -; fi

audit: ## known vulnerabilities in the pinned Python and npm packages (where an advisory source answers)
	@scripts/bootstrap.sh no-docker >/dev/null && scripts/audit.py

bench: ## speed benchmarks, as ratios against baselines measured in the same run
	@scripts/bench.sh

bootstrap: ## only prepare toolchains, environments and images
	@scripts/bootstrap.sh

rehearse-aws: ## apply the AWS configuration to an AWS emulator, plan, destroy; ends with REHEARSAL {json}
	@scripts/bootstrap.sh no-docker >&2 && "$${VIVIDART_CACHE:-$$HOME/.cache/vividart}/venv-project/bin/python" scripts/rehearse_aws.py

lock: ## relock the Python environments after a requirements file changed (UPGRADE=1: newest allowed versions)
	@scripts/bootstrap.sh lock $(if $(UPGRADE),--upgrade)

deploy-aws: ## deploy ENVIRONMENT=staging|production to AWS: both images by digest (needs AWS credentials)
	@scripts/deploy_aws.sh
