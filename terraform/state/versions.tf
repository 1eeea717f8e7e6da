terraform {
  # Its own state stays local (terraform.tfstate here, never committed): this root makes the
  # bucket every other state lives in. The environments' backend locks with use_lockfile,
  # which needs Terraform 1.10.
  required_version = ">= 1.10"
  required_providers {
    aws = {
      source  = "registry.terraform.io/hashicorp/aws"
      version = "= 5.100.0" # as terraform/versions.tf
    }
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      Project = var.name
      Purpose = "terraform-state"
    }
  }
}
