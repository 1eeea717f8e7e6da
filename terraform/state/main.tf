# The S3 bucket that holds the Terraform state of every environment (keys per environment:
# terraform/environments/<environment>.s3.tfbackend). Applied once per account and region, by
# an administrator, before the first deploy to AWS (README, "Deploying to AWS from zero").

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  # One bucket per account and region. scripts/deploy_aws.sh finds it by the same rule, and the
  # pipeline's deploy role (terraform/pipeline.tf) is granted it by the same rule.
  bucket = "${var.name}-tfstate-${data.aws_caller_identity.current.account_id}-${var.region}"
}

resource "aws_s3_bucket" "state" {
  # checkov:skip=CKV2_AWS_62:nothing reacts to state changes
  # checkov:skip=CKV_AWS_144:versioned state, noncurrent versions kept 90 days; replication is a choice per account
  # checkov:skip=CKV_AWS_145:SSE-S3 and a TLS-only policy: no customer key to lose with the state
  # checkov:skip=CKV_AWS_18:no access logs; CloudTrail records who changed the state
  bucket = local.bucket
  lifecycle {
    prevent_destroy = true # every environment's state: never deleted by an apply
  }
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    object_ownership = "BucketOwnerEnforced" # no ACLs: access is the bucket policy's and IAM's
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id
  versioning_configuration {
    status = "Enabled" # a bad apply's state can be rolled back to the version before it
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    # every apply (and every lock file) leaves a noncurrent version behind
    id     = "expire-old-state-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
  rule {
    id     = "drop-expired-delete-markers"
    status = "Enabled"
    filter {}
    expiration {
      expired_object_delete_marker = true
    }
  }
  depends_on = [aws_s3_bucket_versioning.state]
}

resource "aws_s3_bucket_policy" "state" {
  bucket     = aws_s3_bucket.state.id
  policy     = data.aws_iam_policy_document.state.json
  depends_on = [aws_s3_bucket_public_access_block.state]
}

data "aws_iam_policy_document" "state" {
  statement {
    sid       = "TlsOnly" # state holds resource IDs and, for some resources, secrets
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
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
    resources = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
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
