output "urls" {
  description = "Each repository's URL (<registry>/<name>), by key."
  value       = { for key, repository in aws_ecr_repository.this : key => repository.repository_url }
}

output "arns" {
  description = "Each repository's ARN, by key."
  value       = { for key, repository in aws_ecr_repository.this : key => repository.arn }
}

output "names" {
  description = "Each repository's name, by key."
  value       = { for key, repository in aws_ecr_repository.this : key => repository.name }
}
