# Copied into the work copy of terraform/ by scripts/deploy_aws.sh only: on AWS each environment's
# state lives in the bucket terraform/state makes, under its own key (<environment>.s3.tfbackend).
# Not in terraform/ itself, so `make up` and the tests keep local state and need no AWS.
terraform {
  required_version = ">= 1.10" # use_lockfile: S3's own locking, no DynamoDB table
  backend "s3" {}
}
