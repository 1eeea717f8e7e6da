terraform {
  required_version = ">= 1.6"
  required_providers {
    # Pinned exactly: tflocal's endpoint overrides have broken on provider upgrades before.
    # The full source address lets OpenTofu and Terraform find the same provider build.
    aws = {
      source  = "registry.terraform.io/hashicorp/aws"
      version = "= 5.100.0"
    }
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      Project     = var.name
      Environment = var.environment
    }
  }
}
