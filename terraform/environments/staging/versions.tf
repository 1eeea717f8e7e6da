terraform {
  # use_lockfile: S3's own locking, no DynamoDB table
  required_version = ">= 1.10"
  required_providers {
    aws = {
      source  = "registry.terraform.io/hashicorp/aws"
      version = "= 5.100.0" # as every root
    }
  }
  # The bucket terraform/state makes; its key and region: s3.tfbackend here, its name passed by
  # the release (scripts/release.py), as terraform/state/naming.json names it.
  backend "s3" {}
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      Project     = var.name
      Environment = local.environment
    }
  }
}
