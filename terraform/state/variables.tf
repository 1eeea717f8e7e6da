variable "name" {
  description = "Project name, the first part of the bucket's name (as every root's name)."
  type        = string
  default     = "vividart"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name: 2-21 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region of the state bucket: the region the environments' backend configs name (terraform/environments/*/s3.tfbackend, terraform/delivery/s3.tfbackend)."
  type        = string
  default     = "us-east-1"
}

variable "noncurrent_version_days" {
  description = "Days an overwritten state version is kept (to roll a state back by hand) before it expires."
  type        = number
  default     = 90
  validation {
    condition     = var.noncurrent_version_days >= 7
    error_message = "noncurrent_version_days: at least 7."
  }
}
