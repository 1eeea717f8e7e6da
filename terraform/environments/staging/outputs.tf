output "web_url" {
  description = "Where the web app is served: https://<domain_name>."
  value       = module.web_hosting.url
}

output "ecr_repository_url" {
  description = "ECR repository of the processor's image."
  value       = module.images.urls["processor"]
}

output "web_ecr_repository_url" {
  description = "ECR repository of the web app's image."
  value       = module.images.urls["web"]
}

output "function_name" {
  description = "The processor function."
  value       = module.processor.function_name
}

output "stack_parameter" {
  description = "SSM parameter holding the stack's settings as JSON."
  value       = module.settings.stack_parameter
}

output "alb_dns_name" {
  description = "The load balancer's DNS name (an alias or CNAME target for domain_name)."
  value       = module.web_hosting.alb_dns_name
}

output "ecs_cluster_name" {
  description = "ECS cluster running the web app."
  value       = module.web_hosting.cluster_name
}

output "ecs_service_name" {
  description = "ECS service of the web app (deploys, ECS Exec)."
  value       = module.web_hosting.service_name
}

output "database_endpoint" {
  description = "The web app's PostgreSQL database, host:port (reachable from the web app's tasks only)."
  value       = module.database.endpoint
}

output "certificate_validation_records" {
  description = "DNS records that validate the certificate, to add by hand when hosted_zone_id is empty."
  value       = module.web_hosting.certificate_validation_records
}

output "dashboard_name" {
  description = "The operations dashboard."
  value       = module.observability.dashboard_name
}

output "alarm_topic_arn" {
  description = "The topic every alarm notifies."
  value       = module.observability.alarm_topic_arn
}

output "edge" {
  description = "What the load balancer serves of terraform/edge.json (tests/unit/test_edge.py compares them)."
  value       = module.web_hosting.edge
}
