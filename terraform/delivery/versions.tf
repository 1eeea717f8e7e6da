terraform {
  required_version = ">= 1.10" # use_lockfile
  required_providers {
    aws = {
      source  = "registry.terraform.io/hashicorp/aws"
      version = "= 5.100.0" # as every root
    }
  }
  # Its own state, apart from the environments' (s3.tfbackend here): destroying an environment
  # leaves the pipeline that would rebuild it.
  backend "s3" {}
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      Project = var.name
      Purpose = "delivery"
    }
  }
}
