output "function_name" {
  description = "Name of the processor function."
  value       = aws_lambda_function.processor.function_name
}

output "function_arn" {
  description = "ARN of the processor function (the web app invokes it for previews)."
  value       = aws_lambda_function.processor.arn
}

output "log_group" {
  description = "The function's log group."
  value       = aws_cloudwatch_log_group.processor.name
}

output "topic_arn" {
  description = "The topic the processor announces processed and failed photos on."
  value       = aws_sns_topic.events.arn
}

output "role_arn" {
  description = "The function's role."
  value       = aws_iam_role.processor.arn
}

output "archiver_name" {
  description = "Name of the archiver function (Download all)."
  value       = aws_lambda_function.archiver.function_name
}

output "archiver_arn" {
  description = "ARN of the archiver function (the web app invokes it, asynchronously)."
  value       = aws_lambda_function.archiver.arn
}

output "ticks_name" {
  description = "Name of the tick function (the lifecycle emails' schedule invokes it)."
  value       = aws_lambda_function.ticks.function_name
}

output "tick_rule_name" {
  description = "Name of the EventBridge rule that invokes the tick function."
  value       = aws_cloudwatch_event_rule.ticks.name
}
