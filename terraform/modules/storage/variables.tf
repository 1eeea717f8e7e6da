variable "name_prefix" {
  description = "The start of every name: <project>-<environment>."
  type        = string
}

variable "account_id" {
  description = "The AWS account's ID: bucket names end with it, so they are unique worldwide."
  type        = string
}

variable "region" {
  description = "The region the queues are in (their ARNs are built from it)."
  type        = string
}

variable "partition" {
  description = "The AWS partition (aws, aws-cn, aws-us-gov), for ARNs."
  type        = string
  default     = "aws"
}

variable "web_origin" {
  description = "The web app's origin (scheme and host): browsers upload to the source bucket and download from the processed one from pages served there (CORS)."
  type        = string
}

variable "upload_prefix" {
  description = "Key prefix in the source bucket under which uploads trigger processing."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9-]+/$", var.upload_prefix))
    error_message = "upload_prefix: lowercase letters, digits or hyphens, ending in '/'."
  }
}

variable "retry_delay_s" {
  description = "The jobs queue's visibility timeout: seconds before the jobs of an invocation that died are tried again."
  type        = number
}

variable "max_receive_count" {
  description = "Tries before a job message moves to the dead-letter queue."
  type        = number
  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000
    error_message = "max_receive_count: 1 to 1000."
  }
}
