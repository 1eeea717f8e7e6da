output "source_bucket" {
  description = "Name of the source bucket (uploads)."
  value       = module.source.id
}

output "source_bucket_arn" {
  description = "ARN of the source bucket."
  value       = module.source.arn
}

output "processed_bucket" {
  description = "Name of the processed bucket (renditions, job records, previews)."
  value       = module.processed.id
}

output "processed_bucket_arn" {
  description = "ARN of the processed bucket."
  value       = module.processed.arn
}

output "jobs_queue_name" {
  description = "Name of the jobs queue."
  value       = aws_sqs_queue.jobs.name
}

output "jobs_queue_arn" {
  description = "ARN of the jobs queue."
  value       = aws_sqs_queue.jobs.arn
}

output "jobs_queue_url" {
  description = "URL of the jobs queue."
  value       = aws_sqs_queue.jobs.id
}

output "jobs_queue_visibility_timeout_s" {
  description = "Seconds before a job taken and not finished is offered again (the retry delay)."
  value       = aws_sqs_queue.jobs.visibility_timeout_seconds
}

output "dlq_name" {
  description = "Name of the dead-letter queue."
  value       = aws_sqs_queue.dlq.name
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_url" {
  description = "URL of the dead-letter queue."
  value       = aws_sqs_queue.dlq.id
}
