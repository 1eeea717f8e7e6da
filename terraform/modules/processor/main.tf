# The photo processor: the Lambda function (a container image), its role, its logs, the SQS event
# source mappings that feed it jobs and dead letters, and the topic it announces results on.

locals {
  function_name = "${var.name_prefix}-photo-processor"
  archiver_name = "${var.name_prefix}-photo-archiver"
  ticks_name    = "${var.name_prefix}-ticks"
  environment = {
    VIVIDART_PROCESSED_BUCKET = var.processed_bucket
    VIVIDART_UPLOAD_PREFIX    = var.upload_prefix
    VIVIDART_TOPIC_ARN        = aws_sns_topic.events.arn
    VIVIDART_QUEUE_URL        = local.jobs_queue_url
    VIVIDART_DLQ_URL          = var.dead_letters.url
    VIVIDART_STUDIO_NAME      = var.studio_name
  }
  # Built, not read from the queue: AWS's form of the URL, whatever the emulator answers.
  jobs_queue_url = "https://sqs.${var.region}.amazonaws.com/${var.account_id}/${var.jobs_queue.name}"
}

resource "aws_sns_topic" "events" {
  # checkov:skip=CKV_AWS_26:unencrypted: events carry photo keys and statuses, no content, and are delivered over HTTPS
  name = "${var.name_prefix}-photo-events"
  # SHA256 signatures; the web app refuses the older SHA1 ones
  signature_version = 2
}

resource "aws_cloudwatch_log_group" "archiver" {
  # checkov:skip=CKV_AWS_158:the account's CloudWatch encryption: archive logs hold keys and sizes, no photo content
  # checkov:skip=CKV_AWS_338:kept for log_retention_days, as the processor's
  name              = "/aws/lambda/${local.archiver_name}"
  retention_in_days = var.log_retention_days
}

resource "aws_cloudwatch_log_group" "processor" {
  # checkov:skip=CKV_AWS_158:the account's CloudWatch encryption: job logs hold keys and timings, no photo content
  # checkov:skip=CKV_AWS_338:kept for log_retention_days (14 by default): job records in S3 are the lasting history
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "processor" {
  statement {
    sid       = "ReadUploads"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${var.source_bucket_arn}/${var.upload_prefix}*"]
  }
  statement {
    sid       = "SeeMissingUploads" # a deleted photo answers NotFound, not AccessDenied (not retried)
    actions   = ["s3:ListBucket"]
    resources = [var.source_bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.upload_prefix}*"]
    }
  }
  statement {
    sid       = "WriteResults"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${var.processed_bucket_arn}/*"]
  }
  statement {
    sid       = "AbandonArchives" # an archive that failed half-way drops its unfinished part
    actions   = ["s3:AbortMultipartUpload"]
    resources = ["${var.processed_bucket_arn}/archives/*"]
  }
  statement {
    sid       = "SeeMissingResults" # lets GetObject answer NoSuchKey instead of AccessDenied
    actions   = ["s3:ListBucket"]
    resources = [var.processed_bucket_arn]
  }
  statement {
    sid       = "ConsumeJobs" # and the dead letters, recorded as jobs that gave up
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
    resources = [var.jobs_queue.arn, var.dead_letters.arn]
  }
  statement {
    sid       = "RequeueJobs" # photos that would not finish before the invocation's timeout
    actions   = ["sqs:SendMessage"]
    resources = [var.jobs_queue.arn]
  }
  statement {
    sid       = "PublishEvents"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.events.arn]
  }
  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.processor.arn}:*", "${aws_cloudwatch_log_group.archiver.arn}:*"]
  }
}

resource "aws_iam_role" "processor" {
  name                 = "${var.name_prefix}-photo-processor"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  permissions_boundary = var.permissions_boundary
}

resource "aws_iam_role_policy" "processor" {
  name   = "photo-processor"
  role   = aws_iam_role.processor.id
  policy = data.aws_iam_policy_document.processor.json
}

resource "aws_lambda_function" "processor" {
  # checkov:skip=CKV_AWS_116:driven by SQS: failed jobs go to the queue's dead-letter queue, which the function reads as gave_up
  # checkov:skip=CKV_AWS_117:outside a VPC: it calls only AWS APIs, which a VPC would reach through NAT or endpoints at a cost
  # checkov:skip=CKV_AWS_173:its environment holds names and URLs, no secret
  # checkov:skip=CKV_AWS_272:a container image, by digest from ECR: code signing applies to zip packages only
  # checkov:skip=CKV_AWS_50:no X-Ray: Powertools logs carry the job id end to end, and EMF metrics time every stage
  function_name = local.function_name
  role          = aws_iam_role.processor.arn
  package_type  = "Image"
  image_uri     = var.image_uri
  memory_size   = var.memory_mb
  timeout       = var.timeout_s
  architectures = ["x86_64"]
  # -1: no reservation (the account's pool); otherwise both a guarantee and a cap
  reserved_concurrent_executions = var.reserved_concurrency
  environment {
    variables = local.environment
  }
  depends_on = [aws_cloudwatch_log_group.processor, aws_iam_role_policy.processor]
  lifecycle {
    precondition {
      condition     = !var.image_by_digest || can(regex("@sha256:[0-9a-f]{64}$", var.image_uri))
      error_message = "image_uri: the processor image by digest, <repository>@sha256:<64 hex digits>."
    }
    precondition {
      # A retry must never start while the try before it may still run.
      condition     = var.jobs_queue.visibility_timeout_s >= var.timeout_s
      error_message = "The jobs queue's visibility timeout (the retry delay) must be at least the function's timeout."
    }
  }
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn                   = var.jobs_queue.arn
  function_name                      = aws_lambda_function.processor.arn
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = 0
  function_response_types            = ["ReportBatchItemFailures"]
  scaling_config {
    maximum_concurrency = var.max_concurrency
  }
}

# Jobs that failed every try: recorded as failed (gave_up) by the same function, so no page waits.
resource "aws_lambda_event_source_mapping" "dead_letters" {
  event_source_arn                   = var.dead_letters.arn
  function_name                      = aws_lambda_function.processor.arn
  batch_size                         = 10
  maximum_batching_window_in_seconds = 0
  function_response_types            = ["ReportBatchItemFailures"]
}

# "Download all": the same image and role, invoked asynchronously by the web app with an archive
# request ({"action": "archive"}); it streams the photos into ZIP parts in the processed bucket
# (photo_jobs.archives) and reports on the topic. A long timeout, little memory: it copies, it
# does not render.
resource "aws_lambda_function" "archiver" {
  # checkov:skip=CKV_AWS_116:invoked asynchronously, never retried (below): a failed build is reported on the topic and asked for again by the client
  # checkov:skip=CKV_AWS_117:outside a VPC: it calls only AWS APIs, which a VPC would reach through NAT or endpoints at a cost
  # checkov:skip=CKV_AWS_173:its environment holds names and URLs, no secret
  # checkov:skip=CKV_AWS_272:a container image, by digest from ECR: code signing applies to zip packages only
  # checkov:skip=CKV_AWS_50:no X-Ray: its logs carry the archive id, and its reports its progress
  # checkov:skip=CKV_AWS_115:no reservation: archives are few (per gallery, limited by the web app), and share the account's pool
  function_name = local.archiver_name
  role          = aws_iam_role.processor.arn
  package_type  = "Image"
  image_uri     = var.image_uri
  memory_size   = var.archiver_memory_mb
  timeout       = var.archiver_timeout_s
  architectures = ["x86_64"]
  environment {
    variables = local.environment
  }
  depends_on = [aws_cloudwatch_log_group.archiver, aws_iam_role_policy.processor]
  lifecycle {
    precondition {
      condition     = !var.image_by_digest || can(regex("@sha256:[0-9a-f]{64}$", var.image_uri))
      error_message = "image_uri: the processor image by digest, <repository>@sha256:<64 hex digits>."
    }
  }
}

# A retry would build the same archive again beside a build that may still run: the web app asks
# again itself when a build has said nothing for a while (webapp.services.deliveries.STALE).
resource "aws_lambda_function_event_invoke_config" "archiver" {
  function_name                = aws_lambda_function.archiver.function_name
  maximum_retry_attempts       = 0
  maximum_event_age_in_seconds = 900
}

# The schedule of the lifecycle emails (reminders, the studio's digest): an EventBridge rule invokes
# the tick function (the same image, its own handler), which only publishes a tick on the topic;
# the web app, which owns the database, hears it and sends what is due (photo_jobs.ticks). Its own
# role: it may publish to the topic and write its logs, nothing else.
resource "aws_cloudwatch_log_group" "ticks" {
  # checkov:skip=CKV_AWS_158:the account's CloudWatch encryption: a tick's log holds its time and nothing else
  # checkov:skip=CKV_AWS_338:kept for log_retention_days, as the processor's
  name              = "/aws/lambda/${local.ticks_name}"
  retention_in_days = var.log_retention_days
}

data "aws_iam_policy_document" "ticks" {
  statement {
    sid       = "PublishTicks"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.events.arn]
  }
  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.ticks.arn}:*"]
  }
}

resource "aws_iam_role" "ticks" {
  name                 = "${var.name_prefix}-ticks"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  permissions_boundary = var.permissions_boundary
}

resource "aws_iam_role_policy" "ticks" {
  name   = "ticks"
  role   = aws_iam_role.ticks.id
  policy = data.aws_iam_policy_document.ticks.json
}

resource "aws_lambda_function" "ticks" {
  # checkov:skip=CKV_AWS_116:invoked by the schedule: a lost tick is made up by the next, which sends whatever is still due
  # checkov:skip=CKV_AWS_117:outside a VPC: it calls only SNS, which a VPC would reach through NAT or an endpoint at a cost
  # checkov:skip=CKV_AWS_173:its environment holds the topic's ARN, no secret
  # checkov:skip=CKV_AWS_272:a container image, by digest from ECR: code signing applies to zip packages only
  # checkov:skip=CKV_AWS_50:no X-Ray: one SNS publish an hour
  # checkov:skip=CKV_AWS_115:no reservation: one short invocation an hour, from the account's pool
  function_name = local.ticks_name
  role          = aws_iam_role.ticks.arn
  package_type  = "Image"
  image_uri     = var.image_uri
  memory_size   = 256
  timeout       = 30
  architectures = ["x86_64"]
  image_config {
    command = ["photo_processor.ticks.lambda_handler"]
  }
  environment {
    variables = { VIVIDART_TOPIC_ARN = aws_sns_topic.events.arn }
  }
  depends_on = [aws_cloudwatch_log_group.ticks, aws_iam_role_policy.ticks]
  lifecycle {
    precondition {
      condition     = !var.image_by_digest || can(regex("@sha256:[0-9a-f]{64}$", var.image_uri))
      error_message = "image_uri: the processor image by digest, <repository>@sha256:<64 hex digits>."
    }
  }
}

resource "aws_cloudwatch_event_rule" "ticks" {
  name                = local.ticks_name
  description         = "The lifecycle emails' tick: the web app sends the reminders and the digest that are due."
  schedule_expression = var.tick_schedule
}

resource "aws_cloudwatch_event_target" "ticks" {
  rule = aws_cloudwatch_event_rule.ticks.name
  arn  = aws_lambda_function.ticks.arn
}

resource "aws_lambda_permission" "ticks" {
  statement_id  = "AllowTheSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.ticks.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.ticks.arn
}
