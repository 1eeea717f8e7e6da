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

variable "on_aws" {
  description = "Deploying to AWS: also the parts LocalStack's open-source core lacks (ECR repositories; the web app on ECS Fargate behind a load balancer with HTTPS; its VPC and RDS PostgreSQL database). Off locally."
  type        = bool
  default     = false
}

variable "alarm_email" {
  description = "Who is emailed when an alarm changes state (empty: nobody; the topic still exists)."
  type        = string
  default     = ""
}

variable "job_duration_p90_alarm_ms" {
  description = "Alarm when the p90 of a photo job's whole time (download to upload, milliseconds) stays above this for ten minutes. Default: twice the slowest photo the limits accept on one vCPU (about 10 s)."
  type        = number
  default     = 20000
  validation {
    condition     = var.job_duration_p90_alarm_ms >= 100 && var.job_duration_p90_alarm_ms <= 900000
    error_message = "job_duration_p90_alarm_ms: 100 to 900000 (the longest a function may run)."
  }
}

# --- the web app on AWS (on_aws) ----------------------------------------------------------------

variable "domain_name" {
  description = "The web app's domain on AWS (on_aws), served over HTTPS with an ACM certificate: https://<domain_name>."
  type        = string
  default     = ""
  validation {
    condition     = var.domain_name == "" || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name: a lowercase DNS name like photos.example.com (or empty, off AWS)."
  }
}

variable "hosted_zone_id" {
  description = "Route 53 hosted zone of domain_name: the certificate's validation records and the domain's alias record are made in it. Empty: make them yourself (output certificate_validation_records; an alias or CNAME to alb_dns_name)."
  type        = string
  default     = ""
}

variable "web_image_uri" {
  description = "The web app's container image on AWS, by digest: <ECR repository URL>@sha256:<digest>."
  type        = string
  default     = ""
}

variable "web_desired_count" {
  description = "Web app tasks running at once (at least 2 across two availability zones keeps it up through a zone's failure and a deploy)."
  type        = number
  default     = 2
  validation {
    condition     = var.web_desired_count >= 1 && var.web_desired_count <= 50
    error_message = "web_desired_count: 1 to 50."
  }
}

variable "web_cpu" {
  description = "CPU units of a web app task (1024 = one vCPU); a Fargate size together with web_memory_mb."
  type        = number
  default     = 512
}

variable "web_memory_mb" {
  description = "Memory of a web app task, in MiB; a Fargate size together with web_cpu."
  type        = number
  default     = 1024
}

variable "web_log_retention_days" {
  description = "CloudWatch Logs retention of the web app's logs."
  type        = number
  default     = 30
}

variable "web_sse_heartbeat_seconds" {
  description = "Seconds between the heartbeats the web app writes on an idle event stream (its SSE_HEARTBEAT_SECONDS); the load balancer's idle timeout must stay well above it."
  type        = number
  default     = 15
  validation {
    condition     = var.web_sse_heartbeat_seconds >= 5 && var.web_sse_heartbeat_seconds <= 120
    error_message = "web_sse_heartbeat_seconds: 5 to 120."
  }
}

variable "web_idle_timeout_seconds" {
  description = "The load balancer's idle timeout: a connection with no bytes for this long is closed. At least twice web_sse_heartbeat_seconds, so open event streams stay open."
  type        = number
  default     = 300
  validation {
    condition     = var.web_idle_timeout_seconds >= 1 && var.web_idle_timeout_seconds <= 4000
    error_message = "web_idle_timeout_seconds: 1 to 4000 (AWS's bounds)."
  }
}

variable "vpc_cidr" {
  description = "Address range of the web app's VPC on AWS; its subnets are 8 bits longer (/24s of a /16)."
  type        = string
  default     = "10.40.0.0/16"
  validation {
    condition     = can(cidrsubnet(var.vpc_cidr, 8, 101))
    error_message = "vpc_cidr: an IPv4 range like 10.40.0.0/16, at most /20 (its subnets are 8 bits longer)."
  }
}

variable "db_instance_class" {
  description = "RDS instance class of the web app's PostgreSQL database."
  type        = string
  default     = "db.t4g.micro"
}

variable "db_multi_az" {
  description = "A standby database in the second availability zone (about twice the cost; failover in a minute or two)."
  type        = bool
  default     = false
}

variable "db_deletion_protection" {
  description = "Refuse to delete the web app's database (keep on for production; off lets a staging stack be destroyed). A final snapshot is taken either way."
  type        = bool
  default     = true
}

variable "delivery_pipeline" {
  description = "Create the delivery pipeline (CodePipeline and its CodeBuild projects: build and test, deploy staging, smoke test, approval, deploy production). AWS only (needs on_aws); production.tfvars turns it on, as one pipeline deploys both environments."
  type        = bool
  default     = false
}

variable "source_provider" {
  description = "Where the pipeline's repository is hosted (the CodeConnections provider type)."
  type        = string
  default     = "GitHub"
  validation {
    condition     = contains(["GitHub", "Bitbucket", "GitLab"], var.source_provider)
    error_message = "source_provider: GitHub, Bitbucket or GitLab."
  }
}

variable "source_repository" {
  description = "The repository the pipeline builds, as owner/name (e.g. vividart/studio); needed with delivery_pipeline."
  type        = string
  default     = ""
  validation {
    condition     = var.source_repository == "" || can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.source_repository))
    error_message = "source_repository: owner/name."
  }
}

variable "source_branch" {
  description = "The branch whose pushes start the pipeline."
  type        = string
  default     = "main"
}

variable "pipeline_test_image" {
  description = "Build image of the pipeline's build-and-test project: Debian, as CI's machines, since the suite and scripts/prerequisites.sh are written for Debian (apt package names, /usr/bin/chromium, Debian's PostgreSQL). Pulled by CodeBuild from ECR Public."
  type        = string
  default     = "public.ecr.aws/docker/library/debian:trixie"
}

variable "pipeline_test_compute_type" {
  description = "CodeBuild compute type of the build-and-test project: the suite runs LocalStack, a compose stack and a browser."
  type        = string
  default     = "BUILD_GENERAL1_LARGE"
}

variable "pipeline_tools_image" {
  description = "Build image of the pipeline's deploy and smoke-test projects (a CodeBuild standard image: Docker, the AWS CLI, Python)."
  type        = string
  default     = "aws/codebuild/standard:7.0"
}
