output "name" {
  description = "The project's name."
  value       = aws_codebuild_project.build.name
}

output "arn" {
  description = "The project's ARN."
  value       = aws_codebuild_project.build.arn
}

output "role_arn" {
  description = "The build's role."
  value       = aws_iam_role.build.arn
}

output "role_name" {
  description = "The build's role's name."
  value       = aws_iam_role.build.name
}

output "log_group" {
  description = "The build's log group."
  value       = aws_cloudwatch_log_group.build.name
}
