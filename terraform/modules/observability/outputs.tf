output "alarm_topic_arn" {
  description = "The topic every alarm notifies."
  value       = aws_sns_topic.alarms.arn
}

output "dashboard_name" {
  description = "The operations dashboard."
  value       = aws_cloudwatch_dashboard.operations.dashboard_name
}

output "alarm_names" {
  description = "Every alarm's name."
  value = concat([for alarm in [aws_cloudwatch_metric_alarm.dlq_not_empty, aws_cloudwatch_metric_alarm.processor_errors,
  aws_cloudwatch_metric_alarm.processor_throttles, aws_cloudwatch_metric_alarm.job_duration_p90] : alarm.alarm_name], [for alarm in aws_cloudwatch_metric_alarm.web : alarm.alarm_name])
}
