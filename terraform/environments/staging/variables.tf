variable "name" {
  description = "Project name, the first part of every resource name."
  type        = string
  default     = "vividart"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name: 2-21 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"
}

variable "domain_name" {
  description = "The web app's domain, served over HTTPS: https://<domain_name>."
  type        = string
}

variable "hosted_zone_id" {
  description = "Route 53 hosted zone of domain_name (empty: add the DNS records by hand, from the outputs certificate_validation_records and alb_dns_name)."
  type        = string
  default     = ""
}

variable "studio_name" {
  description = "The studio's name: on its client galleries and across every proof."
  type        = string
  default     = "VividArt Studio"
}

variable "studio_email" {
  description = "The studio's email address: SES sends clients' selections to it (confirm the email SES sends)."
  type        = string
}

variable "alarm_email" {
  description = "Who is emailed when an alarm changes state (empty: nobody; the topic still exists)."
  type        = string
  default     = ""
}

variable "web_image_uri" {
  description = "The web app's image, by digest (<repository>@sha256:...): the release passes the image it pushed or promoted."
  type        = string
  default     = ""
}

variable "lambda_image_uri" {
  description = "The processor's image, by digest (<repository>@sha256:...): the release passes the image it pushed or promoted."
  type        = string
  default     = ""
}
