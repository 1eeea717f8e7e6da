# Alarms, and the topic they notify (an email subscription from a variable). Every alarm in this
# configuration sends its state changes to aws_sns_topic.alarms.

resource "aws_sns_topic" "alarms" {
  # checkov:skip=CKV_AWS_26:unencrypted: CloudWatch alarms cannot publish to a topic under the AWS-managed key; messages are alarm names and states
  name = "${local.prefix}-alarms"
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count     = var.alarm_email == "" ? 0 : 1
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email # confirmed by the recipient, from the email AWS sends
}

resource "aws_cloudwatch_metric_alarm" "dlq_not_empty" {
  alarm_name          = "${local.prefix}-jobs-dlq-not-empty"
  alarm_description   = "Photo jobs failed every retry and wait in the dead-letter queue."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dlq.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "processor_errors" {
  alarm_name          = "${local.prefix}-photo-processor-errors"
  alarm_description   = "The photo processor raised errors (crashes, timeouts, transient failures)."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.processor.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "processor_throttles" {
  alarm_name          = "${local.prefix}-photo-processor-throttles"
  alarm_description   = "Invocations of the photo processor were throttled (reserved or account concurrency reached): jobs wait longer."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = aws_lambda_function.processor.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

# The whole job (download to upload, photo_jobs.metrics TOTAL_STAGE), from the processor's EMF;
# p90 for ten minutes, so one huge photo does not page anyone. Locally the project's LocalStack
# plugin computes the percentile from the raw values.
resource "aws_cloudwatch_metric_alarm" "job_duration_p90" {
  alarm_name          = "${local.prefix}-photo-job-duration-p90"
  alarm_description   = "More than one photo in ten took over ${var.job_duration_p90_alarm_ms} ms to process (p90 of the whole job), for ten minutes."
  namespace           = local.metrics_namespace
  metric_name         = "total_ms"
  dimensions          = { FunctionName = aws_lambda_function.processor.function_name }
  extended_statistic  = "p90"
  period              = 300
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  threshold           = var.job_duration_p90_alarm_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching" # no photos, nothing slow
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}
