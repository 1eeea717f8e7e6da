variable "name" {
  description = "Project name: the environments' resources are <name>-<environment>-*, the pipeline's <name>-delivery-*."
  type        = string
  default     = "vividart"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name: 2-21 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  description = "AWS region of the pipeline and of the environments it deploys."
  type        = string
  default     = "us-east-1"
}

variable "state_region" {
  description = "Region of the state bucket (terraform/state's var.region): the deploys keep their state there."
  type        = string
  default     = "us-east-1"
}

variable "source_provider" {
  description = "Where the repository is hosted (the CodeConnections provider type)."
  type        = string
  default     = "GitHub"
  validation {
    condition     = contains(["GitHub", "Bitbucket", "GitLab"], var.source_provider)
    error_message = "source_provider: GitHub, Bitbucket or GitLab."
  }
}

variable "source_repository" {
  description = "The repository the pipeline builds, as owner/name (e.g. vividart/studio)."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.source_repository))
    error_message = "source_repository: owner/name."
  }
}

variable "source_branch" {
  description = "The branch whose pushes start the pipeline."
  type        = string
  default     = "main"
}

variable "source_connection_arn" {
  description = "An existing CodeConnections connection to use (empty: this root makes one, PENDING until a person completes it in the console; keep it across re-creations of this root by passing its ARN here)."
  type        = string
  default     = ""
  validation {
    condition     = var.source_connection_arn == "" || can(regex("^arn:[a-z-]+:(codestar-connections|codeconnections):", var.source_connection_arn))
    error_message = "source_connection_arn: a CodeConnections connection's ARN, or empty."
  }
}

variable "alarm_email" {
  description = "Who is emailed when a run fails or waits for approval (empty: nobody; the topic still exists)."
  type        = string
  default     = ""
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention of the builds' logs."
  type        = number
  default     = 14
}

variable "test_image" {
  description = "Build image of the build-and-test project: Debian, as CI's machines, since the suite and scripts/prerequisites.sh are written for Debian (apt package names, /usr/bin/chromium, Debian's PostgreSQL). Pulled by CodeBuild from ECR Public."
  type        = string
  default     = "public.ecr.aws/docker/library/debian:trixie"
}

variable "test_compute_type" {
  description = "CodeBuild compute type of the build-and-test project: the suite runs LocalStack, a compose stack, an AWS emulator and a browser."
  type        = string
  default     = "BUILD_GENERAL1_LARGE"
}

variable "tools_image" {
  description = "Build image of the deploy and smoke-test projects (a CodeBuild standard image: Docker, the AWS CLI, Python)."
  type        = string
  default     = "aws/codebuild/standard:7.0"
}
