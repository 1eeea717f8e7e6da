variable "name_prefix" {
  description = "The start of every name: <project>-<environment>."
  type        = string
}

variable "cidr" {
  description = "Address range of the VPC; its subnets are 8 bits longer (/24s of a /16)."
  type        = string
  default     = "10.40.0.0/16"
  validation {
    condition     = can(cidrsubnet(var.cidr, 8, 101))
    error_message = "cidr: an IPv4 range like 10.40.0.0/16, at most /20 (its subnets are 8 bits longer)."
  }
}

variable "zone_count" {
  description = "Availability zones the subnets span (a load balancer and a Multi-AZ database need two)."
  type        = number
  default     = 2
  validation {
    condition     = var.zone_count >= 2 && var.zone_count <= 4
    error_message = "zone_count: 2 to 4."
  }
}

variable "app_port" {
  description = "The port the web app's tasks listen on (the load balancer reaches them there)."
  type        = number
}
