# One page for the studio's on-call: throughput and failures, where the time goes, the queues.

resource "aws_cloudwatch_dashboard" "operations" {
  dashboard_name = "${var.name_prefix}-operations"
  dashboard_body = jsonencode({
    widgets = [
      {
        type = "metric", x = 0, y = 0, width = 12, height = 6
        properties = {
          title  = "Photos processed and failed"
          region = var.region, view = "timeSeries", stat = "Sum", period = 300
          metrics = [
            [local.metrics_namespace, "processed", "FunctionName", var.function_name],
            # every failure reason, each its own line, without listing them here
            [{ expression = "SEARCH('{${local.metrics_namespace},FunctionName,Reason} MetricName=\"failed\" FunctionName=\"${var.function_name}\"', 'Sum', 300)", label = "failed", id = "failed" }],
          ]
        }
      },
      {
        type = "metric", x = 12, y = 0, width = 12, height = 6
        properties = {
          title  = "Time per job (ms)"
          region = var.region, view = "timeSeries", period = 300
          metrics = [
            [local.metrics_namespace, "total_ms", "FunctionName", var.function_name, { stat = "p50", label = "p50" }],
            ["...", { stat = "p90", label = "p90" }],
            ["...", { stat = "Maximum", label = "max" }],
          ]
        }
      },
      {
        type = "metric", x = 0, y = 6, width = 12, height = 6
        properties = {
          title  = "Where the time goes: average per stage (ms)"
          region = var.region, view = "timeSeries", stacked = true, stat = "Average", period = 300
          metrics = [for stage in local.job_stages :
          [local.metrics_namespace, "${stage}_ms", "FunctionName", var.function_name, { label = stage }]]
        }
      },
      {
        type = "metric", x = 12, y = 6, width = 12, height = 6
        properties = {
          title  = "Photo processor function"
          region = var.region, view = "timeSeries", period = 60
          metrics = [
            ["AWS/Lambda", "Invocations", "FunctionName", var.function_name, { stat = "Sum" }],
            [".", "Errors", ".", ".", { stat = "Sum" }],
            [".", "Throttles", ".", ".", { stat = "Sum" }],
            [".", "Duration", ".", ".", { stat = "p90", yAxis = "right" }],
          ]
        }
      },
      {
        type = "metric", x = 0, y = 12, width = 12, height = 6
        properties = {
          title  = "Jobs waiting"
          region = var.region, view = "timeSeries", stat = "Maximum", period = 60
          metrics = [
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.jobs_queue_name, { label = "queued" }],
            [".", "ApproximateAgeOfOldestMessage", ".", ".", { label = "oldest (s)", yAxis = "right" }],
            [".", "ApproximateNumberOfMessagesVisible", ".", var.dlq_name, { label = "dead-letter" }],
          ]
        }
      },
      {
        type = "alarm", x = 12, y = 12, width = 12, height = 6
        properties = {
          title = "Alarms"
          alarms = concat([for alarm in [aws_cloudwatch_metric_alarm.dlq_not_empty, aws_cloudwatch_metric_alarm.processor_errors,
            aws_cloudwatch_metric_alarm.processor_throttles, aws_cloudwatch_metric_alarm.job_duration_p90] : alarm.arn],
          [for alarm in aws_cloudwatch_metric_alarm.web : alarm.arn])
        }
      },
    ]
  })
}
