output "region" {
  value = var.region
}

output "localstack_endpoint" {
  value = var.localstack_endpoint
}

output "source_bucket" {
  value = aws_s3_bucket.source.id
}

output "upload_prefix" {
  value = var.upload_prefix
}

output "processed_bucket" {
  value = aws_s3_bucket.processed.id
}

output "queue_url" {
  value = aws_sqs_queue.jobs.id
}

output "dlq_url" {
  value = aws_sqs_queue.dlq.id
}

output "topic_arn" {
  value = aws_sns_topic.events.arn
}

output "studio_name" {
  value = var.studio_name
}

output "studio_email" {
  value = var.studio_email
}

output "web_url" {
  value = var.web_url
}

output "function_name" {
  value = aws_lambda_function.processor.function_name
}

output "log_group" {
  value = aws_cloudwatch_log_group.processor.name
}

output "ecr_repository_url" {
  value = var.create_ecr_repository ? aws_ecr_repository.processor[0].repository_url : ""
}

output "dashboard_name" {
  value = aws_cloudwatch_dashboard.operations.dashboard_name
}

output "alarm_topic_arn" {
  value = aws_sns_topic.alarms.arn
}
