output "pipeline_name" {
  description = "The delivery pipeline."
  value       = aws_codepipeline.delivery.name
}

output "source_connection_arn" {
  description = "The pipeline's connection to its repository: created PENDING, completed once in the console (Developer Tools > Settings > Connections)."
  value       = local.source_connection_arn
}

output "smoke_token_secret_arn" {
  description = "The secret that holds the staff API token the smoke test uses on staging; its value is put by hand (aws secretsmanager put-secret-value)."
  value       = aws_secretsmanager_secret.smoke_token.arn
}

output "candidate_repositories" {
  description = "Where the build pushes the images it tested (images.json names them there by digest)."
  value       = module.candidates.urls
}

output "deploy_roles" {
  description = "Each environment's deploy role: it reaches that environment's resources and state only."
  value       = { for environment in local.environments : environment => module.build["deploy-${environment}"].role_arn }
}

output "notification_topic_arn" {
  description = "The topic failed runs and approval requests are sent to."
  value       = aws_sns_topic.notifications.arn
}

output "state_bucket" {
  description = "The state bucket the deploys keep their state in (terraform/state makes it)."
  value       = local.state_bucket
}
