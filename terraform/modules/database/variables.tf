variable "name_prefix" {
  description = "The start of every name: <project>-<environment>."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets in at least two zones."
  type        = list(string)
}

variable "security_group_id" {
  description = "The database's security group (PostgreSQL from the web app's tasks only)."
  type        = string
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.micro"
}

variable "multi_az" {
  description = "A standby in a second availability zone (about twice the cost; failover in a minute or two)."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Refuse to delete the database (on for production; off lets a stack be destroyed)."
  type        = bool
  default     = true
}

variable "final_snapshot" {
  description = "Take a snapshot when the database is deleted (<name_prefix>-database-final; a second deletion under the same name fails while that snapshot exists, so a disposable stack takes none)."
  type        = bool
  default     = true
}

variable "database_name" {
  description = "The database the app uses."
  type        = string
  default     = "vividart"
}

variable "username" {
  description = "The master user, which the app signs in as; its password is kept and rotated by RDS in Secrets Manager."
  type        = string
  default     = "vividart"
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention of the server's log."
  type        = number
  default     = 30
}
