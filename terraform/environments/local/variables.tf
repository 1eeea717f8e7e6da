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
  description = "Environment name, the second part of every resource name."
  type        = string
  default     = "local"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.environment))
    error_message = "environment: 2-16 lowercase letters, digits or hyphens."
  }
}

variable "region" {
  description = "AWS region (LocalStack's)."
  type        = string
  default     = "us-east-1"
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
  description = "The studio's email address: clients' selections are sent to it through SES (readable at LocalStack's /_aws/ses)."
  type        = string
  default     = "studio@vividart.local"
}

variable "web_url" {
  description = "Base URL of the local web app: SNS posts events to <web_url>/sns; browsers upload from this origin."
  type        = string
  default     = "http://127.0.0.1:8080"
  validation {
    condition     = can(regex("^https?://[^/]+$", var.web_url))
    error_message = "web_url: scheme and host only, like http://127.0.0.1:8080."
  }
}

variable "localstack_endpoint" {
  description = "LocalStack's endpoint (the stack's processes are told it)."
  type        = string
  default     = "http://127.0.0.1:4566"
}

variable "lambda_image_uri" {
  description = "The processor's container image (in the local Docker engine, or run as a process in embedded mode)."
  type        = string
  default     = "vividart/photo-processor:local"
}

variable "max_concurrency" {
  description = "Most processor invocations at once: locally, the machine's cores."
  type        = number
  default     = 2
}

variable "alarm_email" {
  description = "Who is emailed when an alarm changes state (empty: nobody)."
  type        = string
  default     = ""
}
