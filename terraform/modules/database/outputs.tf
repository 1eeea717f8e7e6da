output "address" {
  description = "The database's host name (resolves inside the VPC)."
  value       = aws_db_instance.main.address
}

output "port" {
  description = "The database's port."
  value       = aws_db_instance.main.port
}

output "endpoint" {
  description = "host:port."
  value       = aws_db_instance.main.endpoint
}

output "database_name" {
  description = "The database the app uses."
  value       = aws_db_instance.main.db_name
}

output "username" {
  description = "The user the app signs in as."
  value       = aws_db_instance.main.username
}

output "master_user_secret_arn" {
  description = "The secret in which RDS keeps (and rotates) the user's password."
  value       = aws_db_instance.main.master_user_secret[0].secret_arn
}

output "identifier" {
  description = "The DB instance's identifier."
  value       = aws_db_instance.main.identifier
}
