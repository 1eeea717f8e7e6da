variable "name" {
  description = "Project name, the first part of every resource name."
  type        = string
  default     = "vividart"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name: 2-21 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Deployment environment (local, staging, production)."
  type        = string
  default     = "local"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.environment))
    error_message = "environment: 2-16 lowercase letters, digits or hyphens."
  }
}

variable "studio_name" {
  description = "The studio's name: on its client galleries and across every proof."
  type        = string
  default     = "VividArt Studio"
  validation {
    condition     = length(var.studio_name) >= 1 && length(var.studio_name) <= 60
    error_message = "studio_name: 1 to 60 characters."
  }
}

variable "studio_email" {
  description = "The studio's email address: clients' selections are sent to it through SES (a verified identity; on AWS, confirm the email SES sends it)."
  type        = string
  default     = "studio@vividart.local"
  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+$", var.studio_email))
    error_message = "studio_email: an email address."
  }
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"
}

variable "upload_prefix" {
  description = "Key prefix in the source bucket under which uploads trigger processing."
  type        = string
  default     = "uploads/"
  validation {
    condition     = can(regex("^[a-z0-9-]+/$", var.upload_prefix))
    error_message = "upload_prefix: lowercase letters, digits or hyphens, ending in '/'."
  }
}

variable "web_url" {
  description = "Base URL of the web app: SNS posts events to <web_url>/sns; browsers upload from this origin."
  type        = string
  default     = "http://127.0.0.1:8080"
  validation {
    condition     = can(regex("^https?://[^/]+$", var.web_url))
    error_message = "web_url: scheme and host only, like http://127.0.0.1:8080."
  }
}

variable "localstack_endpoint" {
  description = "LocalStack's endpoint when deploying locally (reported in outputs); empty on AWS."
  type        = string
  default     = ""
}

variable "lambda_image_uri" {
  description = "Container image of the photo processor (an ECR URI on AWS)."
  type        = string
  default     = "vividart/photo-processor:local"
}

variable "lambda_memory_mb" {
  description = "Memory of the processor function; CPU share grows with it on AWS."
  type        = number
  default     = 2048
  validation {
    condition     = var.lambda_memory_mb >= 512 && var.lambda_memory_mb <= 10240
    error_message = "lambda_memory_mb: 512 to 10240."
  }
}

variable "lambda_timeout_s" {
  description = "Timeout of one processor invocation, in seconds: the slowest photo the limits accept (measured: about 10 s on one vCPU), with room. Photos of a batch that would not finish in time go back to the queue."
  type        = number
  default     = 60
  validation {
    condition     = var.lambda_timeout_s >= 10 && var.lambda_timeout_s <= 900
    error_message = "lambda_timeout_s: 10 to 900."
  }
}

variable "retry_delay_s" {
  description = "Seconds before the jobs of a function that died mid-batch are tried again (the jobs queue's visibility timeout); at least the function timeout. Jobs that fail for a passing reason come back sooner (the handler's backoff). Default: three times the function timeout, so a crash costs a shoot three minutes."
  type        = number
  default     = null
}

variable "batch_size" {
  description = "SQS messages per Lambda invocation; their photos render at once where the function has more than one vCPU (one per 1769 MB), and download and upload while others render."
  type        = number
  default     = 8
  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10
    error_message = "batch_size: 1 to 10."
  }
}

variable "max_concurrency" {
  description = "Most invocations the jobs queue's event source mapping runs at once (its ScalingConfig.MaximumConcurrency); locally, the machine's cores."
  type        = number
  default     = 20
  validation {
    condition     = var.max_concurrency >= 2 && var.max_concurrency <= 1000
    error_message = "max_concurrency: 2 to 1000 (AWS's own bounds)."
  }
}

variable "reserved_concurrency" {
  description = "Concurrent executions reserved for the processor (a guarantee and a cap); -1 for none."
  type        = number
  default     = -1
}

variable "max_receive_count" {
  description = "Tries before a job message moves to the dead-letter queue."
  type        = number
  default     = 3
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention for the processor."
  type        = number
  default     = 14
}

variable "create_ecr_repository" {
  description = "Create the ECR repository for the processor image (AWS only: not in LocalStack's open-source core)."
  type        = bool
  default     = false
}

variable "alarm_email" {
  description = "Who is emailed when an alarm changes state (empty: nobody; the topic still exists)."
  type        = string
  default     = ""
}
