variable "name_prefix" {
  description = "The start of every name: <project>-<environment>."
  type        = string
}

variable "region" {
  description = "The region (the app is told it; its logs go there)."
  type        = string
}

variable "account_id" {
  description = "The AWS account's ID (only ECS in this account may assume the task roles)."
  type        = string
}

variable "domain_name" {
  description = "The web app's domain, served over HTTPS with an ACM certificate: https://<domain_name>."
  type        = string
  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name: a lowercase DNS name like photos.example.com."
  }
}

variable "hosted_zone_id" {
  description = "Route 53 hosted zone of domain_name: the certificate's validation record and the domain's alias record are made in it. Empty: make them yourself (outputs certificate_validation_records; an alias or CNAME to alb_dns_name)."
  type        = string
  default     = ""
}

variable "edge" {
  description = "The edge's settings the app depends on: terraform/edge.json, which the local HTTPS proxy reads too."
  type = object({
    idle_timeout_seconds    = number
    sse_heartbeat_seconds   = number
    forwarded_headers       = list(string)
    http_redirects_to_https = bool
    tls_min_version         = string
    hsts_max_age_seconds    = number
  })
  validation {
    condition     = var.edge.idle_timeout_seconds >= 2 * var.edge.sse_heartbeat_seconds
    error_message = "edge.json: idle_timeout_seconds must be at least twice sse_heartbeat_seconds, or idle event streams are cut."
  }
  validation {
    condition     = var.edge.idle_timeout_seconds >= 1 && var.edge.idle_timeout_seconds <= 4000 && var.edge.sse_heartbeat_seconds >= 5 && var.edge.sse_heartbeat_seconds <= 120
    error_message = "edge.json: idle_timeout_seconds 1 to 4000 (AWS's bounds), sse_heartbeat_seconds 5 to 120."
  }
  validation {
    condition     = contains(["TLSv1.2", "TLSv1.3"], var.edge.tls_min_version)
    error_message = "edge.json: tls_min_version is TLSv1.2 or TLSv1.3."
  }
  validation {
    # what an application load balancer adds to every request it forwards
    condition     = length(setsubtract(var.edge.forwarded_headers, ["X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Port"])) == 0
    error_message = "edge.json: a load balancer forwards X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Port only."
  }
  validation {
    condition     = var.edge.http_redirects_to_https && var.edge.hsts_max_age_seconds > 0
    error_message = "edge.json: the app is served over HTTPS only (HTTP redirected, HSTS)."
  }
}

variable "image_uri" {
  description = "The web app's container image, by digest: <repository URL>@sha256:<digest>."
  type        = string
  validation {
    condition     = can(regex("@sha256:[0-9a-f]{64}$", var.image_uri))
    error_message = "image_uri: the web image by digest, <repository>@sha256:<64 hex digits>."
  }
}

variable "image_repository_arn" {
  description = "The ECR repository the image is pulled from (the execution role may pull from it only)."
  type        = string
}

variable "desired_count" {
  description = "Tasks running at once (at least 2 across two availability zones keeps the app up through a zone's failure and a deploy)."
  type        = number
  default     = 2
  validation {
    condition     = var.desired_count >= 1 && var.desired_count <= 50
    error_message = "desired_count: 1 to 50."
  }
}

variable "cpu" {
  description = "CPU units of a task (1024 = one vCPU); a Fargate size together with memory_mb."
  type        = number
  default     = 512
}

variable "memory_mb" {
  description = "Memory of a task, in MiB; a Fargate size together with cpu."
  type        = number
  default     = 1024
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention of the app's logs."
  type        = number
  default     = 30
}

variable "app_port" {
  description = "The port the app listens on in its container (gunicorn.conf.py binds WEB_HOST:WEB_PORT)."
  type        = number
  default     = 8080
}

variable "network" {
  description = "Where it runs (the network module's outputs): the VPC, public subnets, and the load balancer's and tasks' security groups."
  type = object({
    vpc_id                  = string
    public_subnet_ids       = list(string)
    alb_security_group_id   = string
    tasks_security_group_id = string
  })
}

variable "database" {
  description = "The app's PostgreSQL database (the database module's outputs): where it is, and the secret holding its password."
  type = object({
    address                = string
    port                   = number
    database_name          = string
    username               = string
    master_user_secret_arn = string
  })
}

variable "stack_parameter" {
  description = "The SSM parameter with the stack's settings: its name (the app is told it) and ARN (the app may read it)."
  type = object({
    name = string
    arn  = string
  })
}

variable "secret_key_secret_arn" {
  description = "The secret holding the app's session key."
  type        = string
}

variable "permissions" {
  description = "What the app's code may reach: the buckets (ARNs), the upload prefix, the queues (ARNs), the processor function (ARN), and the studio's SES identity (ARN) and address."
  type = object({
    source_bucket_arn    = string
    processed_bucket_arn = string
    upload_prefix        = string
    jobs_queue_arn       = string
    dlq_arn              = string
    function_arn         = string
    archiver_arn         = string
    email_identity_arn   = string
    studio_email         = string
  })
}

variable "permissions_boundary" {
  description = "The ARN of the policy every role of this module carries as its permissions boundary (terraform/delivery makes one per AWS environment); null: none (the local stack)."
  type        = string
  default     = null
}
