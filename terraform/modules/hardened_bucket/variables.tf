variable "name" {
  description = "The bucket's name (globally unique)."
  type        = string
}

variable "versioned" {
  description = "Keep every version of every object (overwrites and deletes can be undone)."
  type        = bool
  default     = true
}

variable "noncurrent_version_days" {
  description = "Days an overwritten or deleted version is kept before it expires (null: kept for good). Only for a versioned bucket."
  type        = number
  default     = null
  validation {
    condition     = var.noncurrent_version_days == null || try(var.noncurrent_version_days >= 1, false)
    error_message = "noncurrent_version_days: at least 1, or null."
  }
}

variable "incomplete_upload_days" {
  description = "Days an unfinished multipart upload keeps its parts before they are deleted: as long as the web app's upload grant lasts (webapp/services/uploads.py GRANT_SECONDS), so that an upload resumes as long as it may."
  type        = number
  default     = 7
  validation {
    condition     = var.incomplete_upload_days >= 1
    error_message = "incomplete_upload_days: at least 1."
  }
}

variable "expire_after_days" {
  description = "Objects under each key prefix (\"\" for all) expire this many days after they were written."
  type        = map(number)
  default     = {}
}

variable "force_destroy" {
  description = "Let Terraform delete the bucket with the objects in it (for buckets of hand-overs only: anything that must outlive a destroy keeps false)."
  type        = bool
  default     = false
}
