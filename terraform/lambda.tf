# --- the photo processor -------------------------------------------------------------------

resource "aws_ecr_repository" "processor" {
  count                = var.on_aws ? 1 : 0
  name                 = "${local.prefix}/photo-processor"
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_cloudwatch_log_group" "processor" {
  # checkov:skip=CKV_AWS_158:the account's CloudWatch encryption: job logs hold keys and timings, no photo content
  # checkov:skip=CKV_AWS_338:kept for log_retention_days (14 by default): job records in S3 are the lasting history
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
}

data "aws_iam_policy_document" "lambda_assume" {
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
    resources = ["${aws_s3_bucket.source.arn}/${var.upload_prefix}*"]
  }
  statement {
    sid       = "SeeMissingUploads" # a deleted photo answers NotFound, not AccessDenied (not retried)
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.source.arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.upload_prefix}*"]
    }
  }
  statement {
    sid       = "WriteResults"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.processed.arn}/*"]
  }
  statement {
    sid       = "SeeMissingResults" # lets GetObject answer NoSuchKey instead of AccessDenied
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.processed.arn]
  }
  statement {
    sid       = "ConsumeJobs" # and the dead letters, recorded as jobs that gave up
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
    resources = [local.jobs_queue_arn, aws_sqs_queue.dlq.arn] # not the jobs queue's resource: no wait for it
  }
  statement {
    sid       = "RequeueJobs" # photos that would not finish before the invocation's timeout
    actions   = ["sqs:SendMessage"]
    resources = [local.jobs_queue_arn]
  }
  statement {
    sid       = "PublishEvents"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.events.arn]
  }
  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.processor.arn}:*"]
  }
}

resource "aws_iam_role" "processor" {
  name               = "${local.prefix}-photo-processor"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
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
  image_uri     = var.lambda_image_uri
  memory_size   = var.lambda_memory_mb
  timeout       = var.lambda_timeout_s
  architectures = ["x86_64"]
  # -1: no reservation (the account's pool); otherwise both a guarantee and a cap
  reserved_concurrent_executions = var.reserved_concurrency
  environment {
    variables = {
      VIVIDART_PROCESSED_BUCKET = aws_s3_bucket.processed.id
      VIVIDART_UPLOAD_PREFIX    = var.upload_prefix
      VIVIDART_TOPIC_ARN        = aws_sns_topic.events.arn
      VIVIDART_QUEUE_URL        = "https://sqs.${var.region}.amazonaws.com/${local.account_id}/${local.jobs_queue_name}"
      VIVIDART_DLQ_URL          = aws_sqs_queue.dlq.url
      VIVIDART_STUDIO_NAME      = var.studio_name
    }
  }
  depends_on = [aws_cloudwatch_log_group.processor, aws_iam_role_policy.processor]
  lifecycle {
    precondition {
      condition     = !var.on_aws || can(regex(local.image_by_digest, var.lambda_image_uri))
      error_message = "lambda_image_uri: on AWS, the processor image by digest, <repository>@sha256:<64 hex digits>."
    }
  }
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn                   = aws_sqs_queue.jobs.arn
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
  event_source_arn                   = aws_sqs_queue.dlq.arn
  function_name                      = aws_lambda_function.processor.arn
  batch_size                         = 10
  maximum_batching_window_in_seconds = 0
  function_response_types            = ["ReportBatchItemFailures"]
}
