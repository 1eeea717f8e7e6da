variable "repositories" {
  description = "The repositories to make: a key (how callers name each) to the repository's name."
  type        = map(string)
}

variable "keep_images" {
  description = "How many of the newest images each repository keeps (deployments name images by digest; a rollback reaches back this far)."
  type        = number
  default     = 20
  validation {
    condition     = var.keep_images >= 1
    error_message = "keep_images: at least 1."
  }
}

variable "force_delete" {
  description = "Let Terraform delete a repository that still holds images (for copies that can be made again: a disposable environment's, the pipeline's candidates)."
  type        = bool
  default     = false
}
