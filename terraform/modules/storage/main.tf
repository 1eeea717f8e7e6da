# Where photos and jobs live: the source bucket (uploads, versioned: the upload is the job), the
# processed bucket (renditions, job records, previews: all derived), and the jobs queue the source
# bucket notifies, with its dead-letter queue.

locals {
  jobs_queue_name = "${var.name_prefix}-jobs"
  # Built, not read from the queue: the queue's own policy and the bucket's notification need it
  # before the queue exists.
  jobs_queue_arn = "arn:${var.partition}:sqs:${var.region}:${var.account_id}:${local.jobs_queue_name}"
}

# --- buckets -------------------------------------------------------------------------------------

module "source" {
  source = "../hardened_bucket"
  name   = "${var.name_prefix}-source-${var.account_id}"
  # A new edit is a new version of the photo (same bytes, new edit spec): the earlier ones only
  # name earlier jobs, whose results stay in the processed bucket.
  versioned               = true
  noncurrent_version_days = 30
}

module "processed" {
  source = "../hardened_bucket"
  name   = "${var.name_prefix}-processed-${var.account_id}"
  # Renditions and job records are made again from the source photos, and a job's outputs are
  # named by the source's version: nothing here needs versions of its own.
  versioned = false
  # previews of edits being tried out: made again in a second if wanted; archives (Download all):
  # built again when asked for after photo_jobs.archives.KEEP_DAYS
  expire_after_days = { "previews/" = 1, "archives/" = 7 }
}

resource "aws_s3_bucket_cors_configuration" "source" {
  bucket = module.source.id
  cors_rule {
    # uploads: PUT (a file, a part), POST (create); a resumed one lists its parts (GET), a
    # cancelled one is aborted (DELETE)
    allowed_methods = ["GET", "POST", "PUT", "DELETE"]
    allowed_origins = [var.web_origin]
    allowed_headers = ["*"]
    expose_headers  = ["ETag"]
    max_age_seconds = 3000
  }
}

resource "aws_s3_bucket_cors_configuration" "processed" {
  bucket = module.processed.id
  cors_rule {
    allowed_methods = ["GET"]
    allowed_origins = [var.web_origin]
    allowed_headers = ["*"]
    max_age_seconds = 3000
  }
}

# --- jobs queue ------------------------------------------------------------------------------------

resource "aws_sqs_queue" "dlq" {
  name                      = "${var.name_prefix}-jobs-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "jobs" {
  name                       = local.jobs_queue_name
  visibility_timeout_seconds = var.retry_delay_s
  message_retention_seconds  = 345600
  sqs_managed_sse_enabled    = true # S3 notifications can write to SSE-SQS queues (not to KMS-keyed ones without a key policy)
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })
  # Inline, not a separate aws_sqs_queue_policy: that resource adds a 25 s propagation wait.
  policy = data.aws_iam_policy_document.jobs_queue.json
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
      values   = [module.source.arn]
    }
  }
}

resource "aws_s3_bucket_notification" "uploads" {
  bucket = module.source.id
  queue {
    queue_arn     = aws_sqs_queue.jobs.arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = var.upload_prefix
  }
  depends_on = [aws_sqs_queue.jobs]
}
