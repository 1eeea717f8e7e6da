terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "registry.terraform.io/hashicorp/aws"
      version = "= 5.100.0"
    }
  }
}
