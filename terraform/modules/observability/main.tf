# Alarms, the topic they notify (an email subscription from a variable), and the operations
# dashboard. Every alarm sends its state changes to aws_sns_topic.alarms.

locals {
  metrics_namespace = "VividArt/PhotoProcessor" # photo_jobs/metrics.py names it; the processor writes here (EMF)
  # Stages the processor times (jobs.py and pipeline STAGES), emitted as <stage>_ms.
  job_stages = ["download", "wait", "decode", "geometry", "adjust", "effects", "resize", "sharpen", "encode", "upload"]
  web_alarms = var.web_load_balancer == null ? {} : {
    "5xx" = {
      description = "The web app answered with server errors (5xx).", metric = "HTTPCode_Target_5XX_Count"
      statistic   = "Sum", period = 300, evaluation_periods = 1, threshold = 5
    }
    unhealthy-hosts = {
      description = "A web app task fails the load balancer's health check (/healthz).", metric = "UnHealthyHostCount"
      statistic   = "Maximum", period = 60, evaluation_periods = 3, threshold = 0
    }
  }
}

resource "aws_sns_topic" "alarms" {
  # checkov:skip=CKV_AWS_26:unencrypted: CloudWatch alarms cannot publish to a topic under the AWS-managed key; messages are alarm names and states
  name = "${var.name_prefix}-alarms"
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count     = var.alarm_email == "" ? 0 : 1
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email # confirmed by the recipient, from the email AWS sends
}

resource "aws_cloudwatch_metric_alarm" "dlq_not_empty" {
  alarm_name          = "${var.name_prefix}-jobs-dlq-not-empty"
  alarm_description   = "Photo jobs failed every retry and wait in the dead-letter queue."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = var.dlq_name }
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
  alarm_name          = "${var.name_prefix}-photo-processor-errors"
  alarm_description   = "The photo processor raised errors (crashes, timeouts, transient failures)."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = var.function_name }
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
  alarm_name          = "${var.name_prefix}-photo-processor-throttles"
  alarm_description   = "Invocations of the photo processor were throttled (reserved or account concurrency reached): jobs wait longer."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = var.function_name }
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
  alarm_name          = "${var.name_prefix}-photo-job-duration-p90"
  alarm_description   = "More than one photo in ten took over ${var.job_duration_p90_alarm_ms} ms to process (p90 of the whole job), for ten minutes."
  namespace           = local.metrics_namespace
  metric_name         = "total_ms"
  dimensions          = { FunctionName = var.function_name }
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

# The web app's, where it runs behind a load balancer (AWS).
resource "aws_cloudwatch_metric_alarm" "web" {
  for_each            = local.web_alarms
  alarm_name          = "${var.name_prefix}-web-${each.key}"
  alarm_description   = each.value.description
  namespace           = "AWS/ApplicationELB"
  metric_name         = each.value.metric
  dimensions          = { LoadBalancer = var.web_load_balancer.arn_suffix, TargetGroup = var.web_load_balancer.target_group_arn_suffix }
  statistic           = each.value.statistic
  period              = each.value.period
  evaluation_periods  = each.value.evaluation_periods
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}
