variable "name_prefix" {
  description = "The start of every name: <project>-<environment>."
  type        = string
}

variable "region" {
  description = "The region the dashboard charts."
  type        = string
}

variable "alarm_email" {
  description = "Who is emailed when an alarm changes state (empty: nobody; the topic still exists)."
  type        = string
  default     = ""
}

variable "function_name" {
  description = "The processor function whose metrics are charted and watched."
  type        = string
}

variable "jobs_queue_name" {
  description = "The jobs queue (depth, age of the oldest job)."
  type        = string
}

variable "dlq_name" {
  description = "The dead-letter queue (an alarm when anything lands in it)."
  type        = string
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

variable "web_load_balancer" {
  description = "The web app's load balancer and target group (their ARN suffixes), for the 5xx and unhealthy-host alarms; null where the web app has none (locally)."
  type = object({
    arn_suffix              = string
    target_group_arn_suffix = string
  })
  default = null
}
