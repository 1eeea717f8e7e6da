# The local stack's outputs: scripts/deploy.sh writes them to the run folder's outputs.json,
# which photo_jobs.settings reads (VIVIDART_STACK_FILE) under the same names as the parameter.

output "region" {
  description = "AWS region."
  value       = module.settings.stack_settings.region
}

output "localstack_endpoint" {
  description = "LocalStack's endpoint."
  value       = module.settings.stack_settings.localstack_endpoint
}

output "source_bucket" {
  description = "The source bucket (uploads)."
  value       = module.settings.stack_settings.source_bucket
}

output "upload_prefix" {
  description = "Key prefix of uploads that trigger processing."
  value       = module.settings.stack_settings.upload_prefix
}

output "processed_bucket" {
  description = "The processed bucket (renditions, job records, previews)."
  value       = module.settings.stack_settings.processed_bucket
}

output "queue_url" {
  description = "The jobs queue."
  value       = module.settings.stack_settings.queue_url
}

output "dlq_url" {
  description = "The jobs' dead-letter queue."
  value       = module.settings.stack_settings.dlq_url
}

output "topic_arn" {
  description = "The topic the processor announces results on."
  value       = module.settings.stack_settings.topic_arn
}

output "studio_name" {
  description = "The studio's name."
  value       = module.settings.stack_settings.studio_name
}

output "studio_email" {
  description = "The studio's email address."
  value       = module.settings.stack_settings.studio_email
}

output "web_url" {
  description = "Where the local web app is served."
  value       = module.settings.stack_settings.web_url
}

output "function_name" {
  description = "The processor function."
  value       = module.settings.stack_settings.function_name
}

output "archiver_name" {
  description = "The archiver function (Download all)."
  value       = module.settings.stack_settings.archiver_name
}

output "log_group" {
  description = "The processor's log group."
  value       = module.processor.log_group
}

output "dashboard_name" {
  description = "The operations dashboard."
  value       = module.observability.dashboard_name
}

output "alarm_topic_arn" {
  description = "The topic every alarm notifies."
  value       = module.observability.alarm_topic_arn
}

output "stack_parameter" {
  description = "SSM parameter holding the stack's settings as JSON (VIVIDART_STACK_PARAMETER)."
  value       = module.settings.stack_parameter
}

output "web_secret_key_secret" {
  description = "Secrets Manager secret holding the web app's session key (VIVIDART_WEB_SECRET_KEY_SECRET)."
  value       = module.settings.web_secret_key_secret_arn
}

output "ticks_name" {
  description = "The tick function: the schedule invokes it every 5 minutes (invoke it to tick now)."
  value       = module.processor.ticks_name
}
