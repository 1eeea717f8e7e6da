# The state bucket root, planned with the project's mock AWS provider (no credentials). Run from
# terraform/state/: terraform test (tests/unit/test_roots.py runs it from a copy).

mock_provider "aws" {
  source          = "../tests/mocks"
  override_during = plan
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "123456789012" }
}

variables {
  region = "eu-west-1"
}

run "one_protected_bucket_per_account_and_region" {
  command = plan

  assert {
    # the name terraform/delivery and scripts/release.py derive from the same naming.json
    condition     = module.bucket.id == "vividart-tfstate-123456789012-eu-west-1" && output.bucket == module.bucket.id
    error_message = "The bucket is <name>-tfstate-<account>-<region>."
  }
  assert {
    condition     = terraform_data.keep_the_state.input == module.bucket.id
    error_message = "A guard that refuses this root's destroy stands on the bucket."
  }
}
