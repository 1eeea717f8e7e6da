# One CodeBuild project of the pipeline: the build, its log group, and a role of its own that
# holds its logs, its artifacts, the clone of the commit and what policy_json adds, and that may
# never change any of the delivery's roles (itself included).

resource "aws_cloudwatch_log_group" "build" {
  # checkov:skip=CKV_AWS_158:the account's CloudWatch encryption: build logs hold no secrets
  # checkov:skip=CKV_AWS_338:kept for log_retention_days (14 by default): the pipeline's history is in CodePipeline
  name              = "/aws/codebuild/${var.name}"
  retention_in_days = var.log_retention_days
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codebuild.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_iam_role" "build" {
  name               = "${var.name}-build"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "common" {
  statement {
    sid       = "WriteItsLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.build.arn}:*"]
  }
  statement {
    sid       = "HandOverArtifacts"
    actions   = concat(["s3:GetObject", "s3:GetObjectVersion"], var.hands_on_artifacts ? ["s3:PutObject"] : [])
    resources = ["${var.artifact_bucket_arn}/*"]
  }
  statement {
    sid       = "FindArtifacts"
    actions   = ["s3:GetBucketAcl", "s3:GetBucketLocation"]
    resources = [var.artifact_bucket_arn]
  }
  statement {
    sid       = "CloneTheCommit" # the source artifact is a reference (CODEBUILD_CLONE_REF)
    actions   = ["codestar-connections:UseConnection", "codeconnections:UseConnection"]
    resources = [var.source_connection_arn]
  }
  statement {
    sid       = "NeverChangeTheDelivery"
    effect    = "Deny"
    actions   = ["iam:*"]
    resources = ["arn:${var.partition}:iam::${var.account_id}:role/${var.protected_role_prefix}*", "arn:${var.partition}:iam::${var.account_id}:policy/${var.protected_role_prefix}*"]
  }
}

resource "aws_iam_role_policy" "common" {
  name   = "build"
  role   = aws_iam_role.build.id
  policy = data.aws_iam_policy_document.common.json
}

resource "aws_iam_role_policy" "own" {
  name   = "own"
  role   = aws_iam_role.build.id
  policy = var.policy_json
}

resource "aws_codebuild_project" "build" {
  # checkov:skip=CKV_AWS_147:the account's AWS managed key for CodeBuild: the artifacts are the commit and image digests
  # checkov:skip=CKV_AWS_316:privileged only where the build runs Docker (var.privileged): the tests' stack, the images' copies
  name          = var.name
  description   = var.description
  service_role  = aws_iam_role.build.arn
  build_timeout = var.timeout_minutes
  source {
    type      = "CODEPIPELINE"
    buildspec = var.buildspec
  }
  artifacts {
    type = "CODEPIPELINE"
  }
  environment {
    type                        = "LINUX_CONTAINER"
    compute_type                = var.compute_type
    image                       = var.image
    privileged_mode             = var.privileged
    image_pull_credentials_type = "CODEBUILD"
    dynamic "environment_variable" {
      for_each = var.environment_variables
      content {
        name  = environment_variable.value.name
        value = environment_variable.value.value
        type  = environment_variable.value.type
      }
    }
  }
  logs_config {
    cloudwatch_logs {
      group_name = aws_cloudwatch_log_group.build.name
    }
  }
  depends_on = [aws_iam_role_policy.common, aws_iam_role_policy.own]
}
