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
  description = "Timeout of one processor invocation, in seconds."
  type        = number
  default     = 120
  validation {
    condition     = var.lambda_timeout_s >= 10 && var.lambda_timeout_s <= 900
    error_message = "lambda_timeout_s: 10 to 900."
  }
}

variable "retry_delay_s" {
  description = "Seconds before a failed job is tried again (the jobs queue's visibility timeout); at least the function timeout. Default: six times the function timeout, as AWS advises."
  type        = number
  default     = null
}

variable "batch_size" {
  description = "SQS messages per Lambda invocation."
  type        = number
  default     = 4
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
