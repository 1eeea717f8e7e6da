output "region" {
  value = local.stack_settings.region
}

output "localstack_endpoint" {
  value = local.stack_settings.localstack_endpoint
}

output "source_bucket" {
  value = local.stack_settings.source_bucket
}

output "upload_prefix" {
  value = local.stack_settings.upload_prefix
}

output "processed_bucket" {
  value = local.stack_settings.processed_bucket
}

output "queue_url" {
  value = local.stack_settings.queue_url
}

output "dlq_url" {
  value = local.stack_settings.dlq_url
}

output "topic_arn" {
  value = local.stack_settings.topic_arn
}

output "studio_name" {
  value = local.stack_settings.studio_name
}

output "studio_email" {
  value = local.stack_settings.studio_email
}

output "web_url" {
  description = "Where the web app is served: https://<domain_name> on AWS, the local web app's URL otherwise."
  value       = local.stack_settings.web_url
}

output "function_name" {
  value = local.stack_settings.function_name
}

output "log_group" {
  value = aws_cloudwatch_log_group.processor.name
}

output "ecr_repository_url" {
  value = var.on_aws ? aws_ecr_repository.processor[0].repository_url : ""
}

output "dashboard_name" {
  value = aws_cloudwatch_dashboard.operations.dashboard_name
}

output "alarm_topic_arn" {
  value = aws_sns_topic.alarms.arn
}

# --- the web app on AWS (on_aws): empty locally -------------------------------------------------


output "stack_parameter" {
  description = "SSM parameter holding the stack's settings as JSON (VIVIDART_STACK_PARAMETER for photo_jobs.settings)."
  value       = aws_ssm_parameter.stack.name
}

output "web_secret_key_secret" {
  description = "Secrets Manager secret holding the web app's session key (VIVIDART_WEB_SECRET_KEY_SECRET)."
  value       = aws_secretsmanager_secret.web_secret_key.arn
}

output "alb_dns_name" {
  description = "The load balancer's DNS name (an alias or CNAME target for domain_name)."
  value       = var.on_aws ? aws_lb.web[0].dns_name : ""
}

output "web_ecr_repository_url" {
  description = "ECR repository of the web app's image."
  value       = var.on_aws ? aws_ecr_repository.web[0].repository_url : ""
}

output "ecs_cluster_name" {
  description = "ECS cluster running the web app."
  value       = var.on_aws ? aws_ecs_cluster.main[0].name : ""
}

output "ecs_service_name" {
  description = "ECS service of the web app (deploys, ECS Exec)."
  value       = var.on_aws ? aws_ecs_service.web[0].name : ""
}

output "database_endpoint" {
  description = "The web app's PostgreSQL database, host:port (reachable from the web app's tasks only)."
  value       = var.on_aws ? aws_db_instance.main[0].endpoint : ""
}

output "certificate_validation_records" {
  description = "DNS records that validate the certificate, to add by hand when hosted_zone_id is empty."
  value = var.on_aws ? [for option in aws_acm_certificate.web[0].domain_validation_options : {
    name = option.resource_record_name, type = option.resource_record_type, value = option.resource_record_value
  }] : []
}

output "pipeline_name" {
  description = "The delivery pipeline (empty without delivery_pipeline)."
  value       = local.pipeline_count == 1 ? aws_codepipeline.delivery[0].name : ""
}

output "source_connection_arn" {
  description = "The pipeline's connection to its repository: created PENDING, completed once in the console (Developer Tools > Settings > Connections)."
  value       = local.pipeline_count == 1 ? aws_codestarconnections_connection.source[0].arn : ""
}

output "smoke_token_secret_arn" {
  description = "The secret that holds the staff API token the smoke test uses on staging; its value is put by hand (aws secretsmanager put-secret-value)."
  value       = local.pipeline_count == 1 ? aws_secretsmanager_secret.smoke_token[0].arn : ""
}

output "pipeline_image_repositories" {
  description = "Where the pipeline's build pushes the images it tested (images.json names them there by digest)."
  value       = { for image, repository in aws_ecr_repository.candidate : image => repository.repository_url }
}
