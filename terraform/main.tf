data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  prefix           = "${var.name}-${var.environment}"
  account_id       = data.aws_caller_identity.current.account_id
  source_bucket    = "${local.prefix}-source-${local.account_id}"
  processed_bucket = "${local.prefix}-processed-${local.account_id}"
  function_name    = "${local.prefix}-photo-processor"
  jobs_queue_name  = "${local.prefix}-jobs"
  jobs_queue_arn   = "arn:${data.aws_partition.current.partition}:sqs:${var.region}:${local.account_id}:${local.jobs_queue_name}"
  # Long enough that a retry never overlaps a running try; short enough that a crash costs
  # minutes. Failures the handler sees come back after its own short backoff.
  retry_delay_s = coalesce(var.retry_delay_s, var.lambda_timeout_s * 3)
  # On AWS both images are deployed by digest: exactly the images the pipeline tested.
  image_by_digest = "@sha256:[0-9a-f]{64}$"
}

# --- storage -------------------------------------------------------------------------------

resource "aws_s3_bucket" "source" {
  # checkov:skip=CKV_AWS_144:one region: versioned, with noncurrent versions kept 30 days; replication doubles storage
  # checkov:skip=CKV_AWS_145:SSE-S3: browsers upload by presigned URLs, which a KMS key would make cost per request
  # checkov:skip=CKV_AWS_18:no access logs (cost per request); CloudTrail data events can be turned on per account
  bucket = local.source_bucket
}

resource "aws_s3_bucket" "processed" {
  # checkov:skip=CKV2_AWS_62:nothing reacts to renditions: the processor announces them on SNS
  # checkov:skip=CKV_AWS_144:renditions are made again from the source photos: no second region
  # checkov:skip=CKV_AWS_145:SSE-S3: browsers download by presigned URLs, which a KMS key would make cost per request
  # checkov:skip=CKV_AWS_18:no access logs (cost per request); CloudTrail data events can be turned on per account
  # checkov:skip=CKV_AWS_21:not versioned: renditions and job records are derived, and a job's outputs are named by its version
  bucket = local.processed_bucket
}

resource "aws_s3_bucket_public_access_block" "all" {
  for_each                = { source = aws_s3_bucket.source.id, processed = aws_s3_bucket.processed.id }
  bucket                  = each.value
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "all" {
  for_each = { source = aws_s3_bucket.source.id, processed = aws_s3_bucket.processed.id }
  bucket   = each.value
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "source" {
  bucket = aws_s3_bucket.source.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_cors_configuration" "source" {
  bucket = aws_s3_bucket.source.id
  cors_rule {
    allowed_methods = ["POST", "PUT"]
    allowed_origins = [local.web_url]
    allowed_headers = ["*"]
    expose_headers  = ["ETag"]
    max_age_seconds = 3000
  }
}

resource "aws_s3_bucket_cors_configuration" "processed" {
  bucket = aws_s3_bucket.processed.id
  cors_rule {
    allowed_methods = ["GET"]
    allowed_origins = [local.web_url]
    allowed_headers = ["*"]
    max_age_seconds = 3000
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "source" {
  bucket = aws_s3_bucket.source.id
  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
  rule {
    # A new edit is a new version of the photo (same bytes, new edit spec): the earlier ones
    # only name earlier jobs, whose results stay in the processed bucket.
    id     = "expire-earlier-edits"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "processed" {
  bucket = aws_s3_bucket.processed.id
  rule {
    # previews of edits being tried out: made again in a second if wanted
    id     = "expire-previews"
    status = "Enabled"
    filter {
      prefix = "previews/"
    }
    expiration {
      days = 1
    }
  }
  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

# --- jobs queue ----------------------------------------------------------------------------

resource "aws_sqs_queue" "dlq" {
  name                      = "${local.prefix}-jobs-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "jobs" {
  name                       = local.jobs_queue_name
  visibility_timeout_seconds = local.retry_delay_s
  message_retention_seconds  = 345600
  sqs_managed_sse_enabled    = true # S3 notifications can write to SSE-SQS queues (not to KMS-keyed ones without a key policy)
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })
  # Inline, not a separate aws_sqs_queue_policy: that resource adds a 25 s propagation wait.
  policy = data.aws_iam_policy_document.jobs_queue.json
  lifecycle {
    precondition {
      # A retry must never start while the try before it may still run.
      condition     = local.retry_delay_s >= var.lambda_timeout_s
      error_message = "retry_delay_s must be at least lambda_timeout_s."
    }
  }
}

data "aws_iam_policy_document" "jobs_queue" {
  statement {
    sid       = "S3SendsUploadEvents"
    actions   = ["sqs:SendMessage"]
    resources = [local.jobs_queue_arn]
    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.source.arn]
    }
  }
}

resource "aws_s3_bucket_notification" "uploads" {
  bucket = aws_s3_bucket.source.id
  queue {
    queue_arn     = aws_sqs_queue.jobs.arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = var.upload_prefix
  }
  depends_on = [aws_sqs_queue.jobs]
}

# --- events topic --------------------------------------------------------------------------

resource "aws_sns_topic" "events" {
  # checkov:skip=CKV_AWS_26:unencrypted: events carry photo keys and statuses, no content, and are delivered over HTTPS
  name = "${local.prefix}-photo-events"
  # SHA256 signatures; the web app refuses the older SHA1 ones
  signature_version = 2
}

resource "aws_sns_topic_subscription" "web" {
  topic_arn = aws_sns_topic.events.arn
  protocol  = startswith(local.web_url, "https://") ? "https" : "http" # https on AWS: its domain
  endpoint  = "${local.web_url}/sns"
  # The web app confirms its own subscription (after checking the SNS signature); on AWS it must
  # serve at its domain first, and a new DNS name may take minutes to resolve.
  endpoint_auto_confirms          = true
  confirmation_timeout_in_minutes = var.on_aws ? 10 : 1
  depends_on                      = [aws_ecs_service.web, aws_route53_record.web]
}

# --- email -----------------------------------------------------------------------------------

# The studio's own address, verified with SES: clients' selections are emailed to it.
resource "aws_ses_email_identity" "studio" {
  email = var.studio_email
}
