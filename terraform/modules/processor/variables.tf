variable "name_prefix" {
  description = "The start of every name: <project>-<environment>."
  type        = string
}

variable "region" {
  description = "The region: the function is told its queue's URL in it."
  type        = string
}

variable "account_id" {
  description = "The AWS account's ID (the queue's URL)."
  type        = string
}

variable "image_uri" {
  description = "The processor's container image."
  type        = string
}

variable "image_by_digest" {
  description = "Refuse an image not named by digest (<repository>@sha256:<64 hex digits>): on AWS, the function runs exactly the image the pipeline tested."
  type        = bool
  default     = true
}

variable "memory_mb" {
  description = "Memory of the function; its CPU share grows with it on AWS."
  type        = number
  default     = 2048
  validation {
    condition     = var.memory_mb >= 512 && var.memory_mb <= 10240
    error_message = "memory_mb: 512 to 10240."
  }
}

variable "timeout_s" {
  description = "Timeout of one invocation, in seconds: the slowest photo the limits accept (measured: about 10 s on one vCPU), with room. Photos of a batch that would not finish in time go back to the queue."
  type        = number
  default     = 60
  validation {
    condition     = var.timeout_s >= 10 && var.timeout_s <= 900
    error_message = "timeout_s: 10 to 900."
  }
}

variable "archiver_memory_mb" {
  description = "Memory of the archiver (Download all): it streams photos into ZIP parts, a part's buffer at a time."
  type        = number
  default     = 1024
  validation {
    condition     = var.archiver_memory_mb >= 512 && var.archiver_memory_mb <= 10240
    error_message = "archiver_memory_mb: 512 to 10240."
  }
}

variable "archiver_timeout_s" {
  description = "Timeout of one archive's build, in seconds (Lambda's longest: 900 s, about 50 GB at S3's rate within a region)."
  type        = number
  default     = 900
  validation {
    condition     = var.archiver_timeout_s >= 60 && var.archiver_timeout_s <= 900
    error_message = "archiver_timeout_s: 60 to 900."
  }
}

variable "batch_size" {
  description = "SQS messages per invocation; their photos render at once where the function has more than one vCPU (one per 1769 MB), and download and upload while others render."
  type        = number
  default     = 8
  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10
    error_message = "batch_size: 1 to 10."
  }
}

variable "max_concurrency" {
  description = "Most invocations the jobs queue's event source mapping runs at once (its ScalingConfig.MaximumConcurrency)."
  type        = number
  default     = 20
  validation {
    condition     = var.max_concurrency >= 2 && var.max_concurrency <= 1000
    error_message = "max_concurrency: 2 to 1000 (AWS's own bounds)."
  }
}

variable "reserved_concurrency" {
  description = "Concurrent executions reserved for the function (a guarantee and a cap); -1 for none."
  type        = number
  default     = -1
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention of the function's logs."
  type        = number
  default     = 14
}

variable "studio_name" {
  description = "The studio's name, written across every proof."
  type        = string
}

variable "upload_prefix" {
  description = "Key prefix of the uploads in the source bucket (what the function may read)."
  type        = string
}

variable "source_bucket_arn" {
  description = "ARN of the source bucket (uploads)."
  type        = string
}

variable "processed_bucket" {
  description = "Name of the processed bucket (where results are written)."
  type        = string
}

variable "processed_bucket_arn" {
  description = "ARN of the processed bucket."
  type        = string
}

variable "jobs_queue" {
  description = "The jobs queue: its name, ARN and visibility timeout (the retry delay, which must outlast an invocation)."
  type = object({
    name                 = string
    arn                  = string
    visibility_timeout_s = number
  })
}

variable "dead_letters" {
  description = "The jobs' dead-letter queue: its ARN and URL (its messages are recorded as jobs that gave up)."
  type = object({
    arn = string
    url = string
  })
}

variable "tick_schedule" {
  description = "How often the schedule's tick runs (an EventBridge schedule expression): the selection emails that waited for their link's turn (at most one every 5 minutes) go at the next tick; reminders are due by the day and the digest once a day."
  type        = string
  default     = "rate(5 minutes)"
  validation {
    condition     = can(regex("^(rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\)|cron\\(.+\\))$", var.tick_schedule))
    error_message = "tick_schedule: rate(N unit) or cron(...), as EventBridge takes them."
  }
}

variable "permissions_boundary" {
  description = "The ARN of the policy every role of this module carries as its permissions boundary (terraform/delivery makes one per AWS environment); null: none (the local stack)."
  type        = string
  default     = null
}
