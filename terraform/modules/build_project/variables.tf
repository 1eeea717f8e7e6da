variable "name" {
  description = "The project's name (its log group and role are named after it)."
  type        = string
}

variable "description" {
  description = "What the build does."
  type        = string
}

variable "buildspec" {
  description = "The repository's buildspec file the build runs (.ci/buildspec-*.yml)."
  type        = string
}

variable "image" {
  description = "The build's container image."
  type        = string
}

variable "compute_type" {
  description = "CodeBuild compute type."
  type        = string
  default     = "BUILD_GENERAL1_SMALL"
}

variable "privileged" {
  description = "Run Docker inside the build (building, pulling or pushing images)."
  type        = bool
  default     = false
}

variable "timeout_minutes" {
  description = "Minutes before CodeBuild stops the build."
  type        = number
}

variable "environment_variables" {
  description = "Variables the build gets: name, value, and type (PLAINTEXT, or SECRETS_MANAGER with the secret's ARN as value)."
  type = list(object({
    name  = string
    value = string
    type  = optional(string, "PLAINTEXT")
  }))
  default = []
}

variable "account_id" {
  description = "The AWS account's ID: only CodeBuild in this account may assume the build's role."
  type        = string
}

variable "artifact_bucket_arn" {
  description = "The pipeline's artifact bucket: the build reads its inputs there."
  type        = string
}

variable "hands_on_artifacts" {
  description = "The build writes an output artifact for later stages."
  type        = bool
  default     = false
}

variable "source_connection_arn" {
  description = "The CodeConnections connection the build clones the commit through (CODEBUILD_CLONE_REF)."
  type        = string
}

variable "policy_json" {
  description = "The build's own rights, beyond its logs, artifacts and clone (an IAM policy document)."
  type        = string
}

variable "partition" {
  description = "The AWS partition, for ARNs."
  type        = string
  default     = "aws"
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention of the build's logs."
  type        = number
  default     = 14
}

variable "protected_role_prefix" {
  description = "Roles the build may never change (the delivery's own, this one's included): an explicit deny on IAM under this name prefix."
  type        = string
}
