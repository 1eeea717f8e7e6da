# The state bucket root, planned with a mock AWS provider (no credentials). Run from
# terraform/state/: terraform test (tests/unit/test_state_root.py runs it from a copy).

mock_provider "aws" {
  override_during = plan
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::vividart-tfstate-123456789012-eu-west-1" }
  }
}

variables {
  region = "eu-west-1"
}

run "one_protected_bucket_per_account_and_region" {
  command = plan

  assert {
    # the name scripts/deploy_aws.sh and terraform/pipeline.tf derive (pipeline.tftest.hcl)
    condition     = aws_s3_bucket.state.bucket == "vividart-tfstate-123456789012-eu-west-1" && output.bucket == aws_s3_bucket.state.bucket
    error_message = "The bucket is <name>-tfstate-<account>-<region>."
  }
  assert {
    condition     = aws_s3_bucket_versioning.state.versioning_configuration[0].status == "Enabled"
    error_message = "Every state version is kept (until the lifecycle rule expires old ones)."
  }
  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.state.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256"
    error_message = "State is encrypted at rest."
  }
  assert {
    condition = alltrue([aws_s3_bucket_public_access_block.state.block_public_acls, aws_s3_bucket_public_access_block.state.block_public_policy,
    aws_s3_bucket_public_access_block.state.ignore_public_acls, aws_s3_bucket_public_access_block.state.restrict_public_buckets])
    error_message = "No public access, by ACL or by policy."
  }
  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.state.statement : s.effect == "Deny" && contains(s.actions, "s3:*") && anytrue([
      for c in s.condition : c.variable == "aws:SecureTransport" && c.values == tolist(["false"])
    ])])
    error_message = "The bucket policy refuses every request not made over TLS."
  }
  assert {
    condition     = anytrue([for r in aws_s3_bucket_lifecycle_configuration.state.rule : r.status == "Enabled" && r.noncurrent_version_expiration[0].noncurrent_days == 90 if length(r.noncurrent_version_expiration) > 0])
    error_message = "Overwritten state versions expire after noncurrent_version_days."
  }
}
