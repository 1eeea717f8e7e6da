# One S3 bucket, hardened the same way everywhere: no ACLs, no public access by ACL or policy,
# encrypted at rest, TLS only, incomplete uploads cleaned up; versioned unless the caller says
# its contents are derived. Used for the photos, the pipeline's artifacts and Terraform's state.

resource "aws_s3_bucket" "this" {
  # checkov:skip=CKV_AWS_144:one region: cross-region replication doubles storage; the callers say why they need none
  # checkov:skip=CKV_AWS_145:SSE-S3: presigned URLs (photos) and CodePipeline (artifacts) work without key grants, and no customer key can be lost with the data
  # checkov:skip=CKV_AWS_18:no access logs (cost per request); CloudTrail data events can be turned on per account
  # checkov:skip=CKV2_AWS_62:event notifications are the caller's (the source bucket notifies the jobs queue)
  # checkov:skip=CKV_AWS_21:versioning is the caller's choice (var.versioned): off only where every object is derived and made again
  bucket        = var.name
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    object_ownership = "BucketOwnerEnforced" # no ACLs: access is IAM's and the bucket policy's
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "this" {
  count  = var.versioned ? 1 : 0
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    id     = "housekeeping"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = var.incomplete_upload_days
    }
    dynamic "noncurrent_version_expiration" {
      for_each = var.versioned && var.noncurrent_version_days != null ? [var.noncurrent_version_days] : []
      content {
        noncurrent_days = noncurrent_version_expiration.value
      }
    }
    dynamic "expiration" {
      # once their noncurrent versions have expired, delete markers stand alone: drop them
      for_each = var.versioned && var.noncurrent_version_days != null ? [1] : []
      content {
        expired_object_delete_marker = true
      }
    }
  }
  dynamic "rule" {
    for_each = var.expire_after_days
    content {
      id     = rule.key == "" ? "expire-objects" : "expire-${trimsuffix(rule.key, "/")}"
      status = "Enabled"
      filter {
        prefix = rule.key
      }
      expiration {
        days = rule.value
      }
    }
  }
  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_policy" "this" {
  bucket     = aws_s3_bucket.this.id
  policy     = data.aws_iam_policy_document.tls_only.json
  depends_on = [aws_s3_bucket_public_access_block.this]
}

data "aws_iam_policy_document" "tls_only" {
  statement {
    sid       = "TlsOnly"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
  statement {
    sid       = "Tls12OrLater"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }
}
