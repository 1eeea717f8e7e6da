variable "name" {
  description = "Project name: the parameter is /<name>/<environment>/stack."
  type        = string
}

variable "environment" {
  description = "Environment name (local, staging, production)."
  type        = string
}

variable "name_prefix" {
  description = "The start of every name: <project>-<environment>."
  type        = string
}

variable "secret_recovery_days" {
  description = "Days a deleted secret can be restored (0: deleted at once, so a destroyed local stack comes back under the same name)."
  type        = number
  default     = 7
}

variable "studio_email" {
  description = "The studio's email address, verified with SES: clients' selections are sent to it."
  type        = string
  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+$", var.studio_email))
    error_message = "studio_email: an email address."
  }
}

variable "stack" {
  description = "What photo_jobs.settings.Stack reads, by its field names (tests/unit/test_settings.py holds the names together)."
  type = object({
    region              = string
    source_bucket       = string
    processed_bucket    = string
    upload_prefix       = string
    topic_arn           = string
    queue_url           = string
    dlq_url             = string
    function_name       = string
    archiver_name       = string
    studio_name         = string
    localstack_endpoint = string
    web_url             = string
  })
}
