# The delivery pipeline (AWS only; production.tfvars turns it on): one pipeline, kept in the
# production deployment's state, takes each commit through both environments:
#
#   Source -> BuildAndTest -> DeployStaging -> SmokeStaging -> Approval -> DeployProduction
#
# BuildAndTest runs the README's test command and pushes the two images it tested; both deploys
# run exactly those images, by digest (the images artifact, images.json). Each stage's commands
# are the repository's own (.ci/buildspec-*.yml), and CI runs the test buildspec the same way.
# The source connection is created PENDING: it is completed once in the console (README,
# "Deploying to AWS from zero").

locals {
  pipeline_count = var.delivery_pipeline && var.on_aws ? 1 : 0
  delivery       = "${var.name}-delivery"
  codebuild = {
    test   = "${local.delivery}-build-and-test"
    deploy = "${local.delivery}-deploy"
    smoke  = "${local.delivery}-smoke-staging"
  }
  buildspecs = {
    test   = ".ci/buildspec-test.yml"
    deploy = ".ci/buildspec-deploy.yml"
    smoke  = ".ci/buildspec-smoke.yml"
  }
  # The key under `reports:` in the test buildspec: CodeBuild files that report in the group
  # "<project>-<key>", made here, so the build needs no right to create report groups.
  test_report = "tests"
  # The images as tested, in repositories of the pipeline's own; each deployment copies them
  # into its own repositories, digest unchanged (scripts/deploy_aws.sh).
  candidate_images = { processor = "photo-processor", web = "web" }
  # terraform/state names the state bucket <name>-tfstate-<account>-<its region>, and
  # scripts/deploy_aws.sh finds it by that rule (the region: the backend config's).
  state_bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${var.name}-tfstate-${local.account_id}-*"
  # What Terraform creates when it applies this root (the deploy project's rights are scoped to it)
  owned_prefix = "${var.name}-"
}

# A plan that asks for the pipeline without what it needs fails here, not halfway through an apply.
resource "terraform_data" "delivery_pipeline_needs" {
  count = var.delivery_pipeline ? 1 : 0
  lifecycle {
    precondition {
      condition     = var.on_aws
      error_message = "delivery_pipeline needs on_aws = true: the pipeline deploys to AWS."
    }
    precondition {
      condition     = var.source_repository != ""
      error_message = "delivery_pipeline needs source_repository: the repository the pipeline builds (owner/name)."
    }
  }
}

# --- source ------------------------------------------------------------------------------------

resource "aws_codestarconnections_connection" "source" {
  count         = local.pipeline_count
  name          = "${var.name}-source" # at most 32 characters
  provider_type = var.source_provider
}

# --- artifacts: the pipeline's hand-overs between stages ----------------------------------------

resource "aws_s3_bucket" "pipeline_artifacts" {
  # checkov:skip=CKV2_AWS_62:nothing reacts to build artifacts
  # checkov:skip=CKV_AWS_144:build artifacts are made again by the next run: no second region
  # checkov:skip=CKV_AWS_145:SSE-S3: the pipeline's own artifacts, no customer key to manage
  # checkov:skip=CKV_AWS_18:no access logs: CodePipeline is the only reader, and CloudTrail records it
  count         = local.pipeline_count
  bucket        = "${local.delivery}-artifacts-${local.account_id}"
  force_destroy = true # hand-overs of past runs: nothing here is kept for its own sake
}

resource "aws_s3_bucket_public_access_block" "pipeline_artifacts" {
  count                   = local.pipeline_count
  bucket                  = aws_s3_bucket.pipeline_artifacts[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "pipeline_artifacts" {
  count  = local.pipeline_count
  bucket = aws_s3_bucket.pipeline_artifacts[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "pipeline_artifacts" {
  count  = local.pipeline_count
  bucket = aws_s3_bucket.pipeline_artifacts[0].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "pipeline_artifacts" {
  count  = local.pipeline_count
  bucket = aws_s3_bucket.pipeline_artifacts[0].id
  rule {
    id     = "expire-old-runs"
    status = "Enabled"
    filter {}
    expiration {
      days = 30
    }
    noncurrent_version_expiration {
      noncurrent_days = 7
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_s3_bucket_policy" "pipeline_artifacts" {
  count  = local.pipeline_count
  bucket = aws_s3_bucket.pipeline_artifacts[0].id
  policy = data.aws_iam_policy_document.pipeline_artifacts_tls_only[0].json
}

data "aws_iam_policy_document" "pipeline_artifacts_tls_only" {
  count = local.pipeline_count
  statement {
    sid       = "DenyPlainHttp"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.pipeline_artifacts[0].arn, "${aws_s3_bucket.pipeline_artifacts[0].arn}/*"]
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
}

# --- the images as tested ----------------------------------------------------------------------

resource "aws_ecr_repository" "candidate" {
  # checkov:skip=CKV_AWS_136:AES-256 by ECR: images hold no secrets
  for_each             = local.pipeline_count == 1 ? local.candidate_images : {}
  name                 = "${local.delivery}/${each.value}"
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_ecr_lifecycle_policy" "candidate" {
  for_each   = aws_ecr_repository.candidate
  repository = each.value.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "the last 30 builds: enough to roll back to, the deployments keep their own copies"
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 30 }
      action       = { type = "expire" }
    }]
  })
}

# --- the smoke test's API token ----------------------------------------------------------------

# The value is put by hand (README): a staff API token made on staging with vividart-admin.
# Terraform never holds it, so it is in no state file.
resource "aws_secretsmanager_secret" "smoke_token" {
  # checkov:skip=CKV2_AWS_57:an API token made by a person with vividart-admin; rotated by revoking it and storing a new one
  count                   = local.pipeline_count
  name                    = "${local.delivery}/staging-smoke-api-token"
  description             = "API token of the staff account the pipeline's smoke test signs in with on staging (vividart-admin create-token)."
  recovery_window_in_days = 7
}

# --- builds --------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "codebuild" {
  # checkov:skip=CKV_AWS_158:the account's CloudWatch encryption: build logs hold no secrets
  # checkov:skip=CKV_AWS_338:kept for log_retention_days (14 by default): the pipeline's history is in CodePipeline
  for_each          = local.pipeline_count == 1 ? local.codebuild : {}
  name              = "/aws/codebuild/${each.value}"
  retention_in_days = var.log_retention_days
}

resource "aws_codebuild_report_group" "tests" {
  count          = local.pipeline_count
  name           = "${local.codebuild.test}-${local.test_report}"
  type           = "TEST"
  delete_reports = true
  export_config {
    type = "NO_EXPORT"
  }
}

resource "aws_codebuild_project" "test" {
  count         = local.pipeline_count
  name          = local.codebuild.test
  description   = "The README's test command (make test), then the two images it tested pushed and named by digest."
  service_role  = aws_iam_role.codebuild["test"].arn
  build_timeout = 150 # minutes: CI allows the suite 90
  source {
    type      = "CODEPIPELINE"
    buildspec = local.buildspecs.test
  }
  artifacts {
    type = "CODEPIPELINE"
  }
  environment {
    type         = "LINUX_CONTAINER"
    compute_type = var.pipeline_test_compute_type
    image        = var.pipeline_test_image
    # the suite runs its own Docker engine: the compose stack, the images, testcontainers
    privileged_mode             = true
    image_pull_credentials_type = "CODEBUILD"
    environment_variable {
      name  = "PUBLISH_PROCESSOR_REPOSITORY"
      value = aws_ecr_repository.candidate["processor"].repository_url
    }
    environment_variable {
      name  = "PUBLISH_WEB_REPOSITORY"
      value = aws_ecr_repository.candidate["web"].repository_url
    }
  }
  logs_config {
    cloudwatch_logs {
      group_name = aws_cloudwatch_log_group.codebuild["test"].name
    }
  }
}

resource "aws_codebuild_project" "deploy" {
  count         = local.pipeline_count
  name          = local.codebuild.deploy
  description   = "Terraform apply of one environment (ENVIRONMENT from the pipeline) with the images the build tested."
  service_role  = aws_iam_role.codebuild["deploy"].arn
  build_timeout = 60
  source {
    type      = "CODEPIPELINE"
    buildspec = local.buildspecs.deploy
  }
  artifacts {
    type = "CODEPIPELINE"
  }
  environment {
    type         = "LINUX_CONTAINER"
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = var.pipeline_tools_image
    # Docker copies the tested images into the environment's repositories
    privileged_mode             = true
    image_pull_credentials_type = "CODEBUILD"
  }
  logs_config {
    cloudwatch_logs {
      group_name = aws_cloudwatch_log_group.codebuild["deploy"].name
    }
  }
}

resource "aws_codebuild_project" "smoke" {
  count         = local.pipeline_count
  name          = local.codebuild.smoke
  description   = "Smoke test of staging through its API: health, sign-in page, a signed-in call, an upload processed."
  service_role  = aws_iam_role.codebuild["smoke"].arn
  build_timeout = 15
  source {
    type      = "CODEPIPELINE"
    buildspec = local.buildspecs.smoke
  }
  artifacts {
    type = "CODEPIPELINE"
  }
  environment {
    type                        = "LINUX_CONTAINER"
    compute_type                = "BUILD_GENERAL1_SMALL"
    image                       = var.pipeline_tools_image
    image_pull_credentials_type = "CODEBUILD"
    environment_variable {
      name  = "VIVIDART_TOKEN"
      type  = "SECRETS_MANAGER"
      value = aws_secretsmanager_secret.smoke_token[0].arn
    }
  }
  logs_config {
    cloudwatch_logs {
      group_name = aws_cloudwatch_log_group.codebuild["smoke"].name
    }
  }
}

# --- the pipeline ------------------------------------------------------------------------------

resource "aws_codepipeline" "delivery" {
  count         = local.pipeline_count
  name          = local.delivery
  pipeline_type = "V2"
  # A newer commit overtakes a run still waiting for approval: production gets the newest
  # images that passed staging, never an older run approved late.
  execution_mode = "SUPERSEDED"
  role_arn       = aws_iam_role.pipeline[0].arn

  artifact_store {
    type     = "S3"
    location = aws_s3_bucket.pipeline_artifacts[0].bucket
  }

  trigger {
    provider_type = "CodeStarSourceConnection"
    git_configuration {
      source_action_name = "Source"
      push {
        branches {
          includes = [var.source_branch]
        }
      }
    }
  }

  stage {
    name = "Source"
    action {
      name             = "Source"
      category         = "Source"
      owner            = "AWS"
      provider         = "CodeStarSourceConnection"
      version          = "1"
      output_artifacts = ["source"]
      configuration = {
        ConnectionArn    = aws_codestarconnections_connection.source[0].arn
        FullRepositoryId = var.source_repository
        BranchName       = var.source_branch
        # each build clones the commit: scripts keep their executable bits, which a zip may drop
        OutputArtifactFormat = "CODEBUILD_CLONE_REF"
      }
    }
  }

  stage {
    name = "BuildAndTest"
    action {
      name             = "BuildAndTest"
      category         = "Build"
      owner            = "AWS"
      provider         = "CodeBuild"
      version          = "1"
      input_artifacts  = ["source"]
      output_artifacts = ["images"] # images.json: both images by digest
      configuration = {
        ProjectName = aws_codebuild_project.test[0].name
      }
    }
  }

  stage {
    name = "DeployStaging"
    action {
      name            = "DeployStaging"
      category        = "Build"
      owner           = "AWS"
      provider        = "CodeBuild"
      version         = "1"
      input_artifacts = ["source", "images"]
      namespace       = "DeployStaging" # exports APP_URL for the smoke test
      configuration = {
        ProjectName          = aws_codebuild_project.deploy[0].name
        PrimarySource        = "source"
        EnvironmentVariables = jsonencode([{ name = "ENVIRONMENT", value = "staging", type = "PLAINTEXT" }])
      }
    }
  }

  stage {
    name = "SmokeStaging"
    action {
      name            = "SmokeStaging"
      category        = "Test"
      owner           = "AWS"
      provider        = "CodeBuild"
      version         = "1"
      input_artifacts = ["source"]
      configuration = {
        ProjectName          = aws_codebuild_project.smoke[0].name
        EnvironmentVariables = jsonencode([{ name = "VIVIDART_WEB", value = "#{DeployStaging.APP_URL}", type = "PLAINTEXT" }])
      }
    }
  }

  stage {
    name = "Approval"
    action {
      name     = "Approval"
      category = "Approval"
      owner    = "AWS"
      provider = "Manual"
      version  = "1"
      configuration = {
        CustomData         = "Staging runs these images and passed its smoke test. Approve to deploy the same images to production."
        ExternalEntityLink = "#{DeployStaging.APP_URL}"
      }
    }
  }

  stage {
    name = "DeployProduction"
    action {
      name            = "DeployProduction"
      category        = "Build"
      owner           = "AWS"
      provider        = "CodeBuild"
      version         = "1"
      input_artifacts = ["source", "images"]
      namespace       = "DeployProduction"
      configuration = {
        ProjectName          = aws_codebuild_project.deploy[0].name
        PrimarySource        = "source"
        EnvironmentVariables = jsonencode([{ name = "ENVIRONMENT", value = "production", type = "PLAINTEXT" }])
      }
    }
  }

  depends_on = [terraform_data.delivery_pipeline_needs]
}

# --- failures and approvals, to the alarms topic ---------------------------------------------------

resource "aws_codestarnotifications_notification_rule" "pipeline" {
  count       = local.pipeline_count
  name        = "${local.delivery}-needs-attention"
  detail_type = "BASIC"
  resource    = aws_codepipeline.delivery[0].arn
  event_type_ids = [
    "codepipeline-pipeline-pipeline-execution-failed",
    "codepipeline-pipeline-manual-approval-needed",
  ]
  target {
    address = aws_sns_topic.alarms.arn
  }
  depends_on = [aws_sns_topic_policy.alarms]
}

# The alarms topic's policy: the account's own use (what a topic without a policy allows) and
# CodeStar Notifications publishing the pipeline's events.
resource "aws_sns_topic_policy" "alarms" {
  count  = local.pipeline_count
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarms_topic[0].json
}

data "aws_iam_policy_document" "alarms_topic" {
  count = local.pipeline_count
  statement {
    sid = "AccountOwner"
    actions = ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
    "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"]
    resources = [aws_sns_topic.alarms.arn]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceOwner"
      values   = [local.account_id]
    }
  }
  statement {
    sid       = "PipelineNotifications"
    actions   = ["SNS:Publish"]
    resources = [aws_sns_topic.alarms.arn]
    principals {
      type        = "Service"
      identifiers = ["codestar-notifications.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# --- who may do what -----------------------------------------------------------------------------

data "aws_iam_policy_document" "codepipeline_assume" {
  count = local.pipeline_count
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codepipeline.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "codebuild_assume" {
  count = local.pipeline_count
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codebuild.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "pipeline" {
  count              = local.pipeline_count
  name               = "${local.delivery}-pipeline"
  assume_role_policy = data.aws_iam_policy_document.codepipeline_assume[0].json
}

resource "aws_iam_role_policy" "pipeline" {
  count  = local.pipeline_count
  name   = "pipeline"
  role   = aws_iam_role.pipeline[0].id
  policy = data.aws_iam_policy_document.pipeline[0].json
}

data "aws_iam_policy_document" "pipeline" {
  count = local.pipeline_count
  statement {
    sid       = "HandOverArtifacts"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]
    resources = ["${aws_s3_bucket.pipeline_artifacts[0].arn}/*"]
  }
  statement {
    sid       = "FindArtifacts"
    actions   = ["s3:GetBucketVersioning", "s3:GetBucketLocation", "s3:ListBucket"]
    resources = [aws_s3_bucket.pipeline_artifacts[0].arn]
  }
  statement {
    sid = "ReadTheRepository"
    # the service's old and new names, both still in use for these connections
    actions   = ["codestar-connections:UseConnection", "codeconnections:UseConnection"]
    resources = [aws_codestarconnections_connection.source[0].arn]
  }
  statement {
    sid       = "RunTheBuilds"
    actions   = ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:StopBuild"]
    resources = [aws_codebuild_project.test[0].arn, aws_codebuild_project.deploy[0].arn, aws_codebuild_project.smoke[0].arn]
  }
}

resource "aws_iam_role" "codebuild" {
  for_each           = local.pipeline_count == 1 ? local.codebuild : {}
  name               = "${each.value}-build"
  assume_role_policy = data.aws_iam_policy_document.codebuild_assume[0].json
}

resource "aws_iam_role_policy" "codebuild" {
  for_each = aws_iam_role.codebuild
  name     = "codebuild"
  role     = each.value.id
  policy   = data.aws_iam_policy_document.codebuild[each.key].json
}

data "aws_iam_policy_document" "codebuild" {
  for_each = local.pipeline_count == 1 ? local.codebuild : {}

  statement { # every build: its own log group, the pipeline's artifacts
    sid       = "WriteItsLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.codebuild[each.key].arn}:*"]
  }
  statement {
    sid = "HandOverArtifacts"
    # only the build stage hands something on (images.json)
    actions   = concat(["s3:GetObject", "s3:GetObjectVersion"], each.key == "test" ? ["s3:PutObject"] : [])
    resources = ["${aws_s3_bucket.pipeline_artifacts[0].arn}/*"]
  }
  statement {
    sid       = "FindArtifacts"
    actions   = ["s3:GetBucketAcl", "s3:GetBucketLocation"]
    resources = [aws_s3_bucket.pipeline_artifacts[0].arn]
  }
  statement {
    sid       = "CloneTheCommit" # the source artifact is a reference (CODEBUILD_CLONE_REF)
    actions   = ["codestar-connections:UseConnection", "codeconnections:UseConnection"]
    resources = [aws_codestarconnections_connection.source[0].arn]
  }
  dynamic "statement" { # the build: its test report, and pushing the images it tested
    for_each = each.key == "test" ? [1] : []
    content {
      sid       = "FileTestReports"
      actions   = ["codebuild:CreateReport", "codebuild:UpdateReport", "codebuild:BatchPutTestCases", "codebuild:BatchPutCodeCoverages"]
      resources = [aws_codebuild_report_group.tests[0].arn]
    }
  }
  dynamic "statement" {
    for_each = each.key == "test" ? [1] : []
    content {
      sid = "PushTestedImages"
      actions = ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
      "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage", "ecr:DescribeImages"]
      resources = [for repository in aws_ecr_repository.candidate : repository.arn]
    }
  }
  dynamic "statement" { # build and deploy sign in to ECR (an account-wide call, no resource)
    for_each = contains(["test", "deploy"], each.key) ? [1] : []
    content {
      sid       = "SignInToEcr"
      actions   = ["ecr:GetAuthorizationToken"]
      resources = ["*"]
    }
  }
  dynamic "statement" { # the smoke test: its API token
    for_each = each.key == "smoke" ? [1] : []
    content {
      sid       = "ReadTheSmokeToken"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [aws_secretsmanager_secret.smoke_token[0].arn]
    }
  }
  dynamic "statement" { # the deploy: Terraform's state, the tested images, and applying the root
    for_each = each.key == "deploy" ? [1] : []
    content {
      sid       = "TerraformState"
      actions   = ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
      resources = [local.state_bucket_arn, "${local.state_bucket_arn}/*"]
    }
  }
  dynamic "statement" {
    for_each = each.key == "deploy" ? [1] : []
    content {
      sid       = "PullTestedImages"
      actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability", "ecr:DescribeImages"]
      resources = [for repository in aws_ecr_repository.candidate : repository.arn]
    }
  }
  dynamic "statement" {
    # Applying the root creates, changes and deletes everything it declares, this pipeline
    # included: rights that broad are the deploy's nature. Scoped by name where the service's
    # resource names are ours (buckets, queues, topics, repositories, secrets, parameters, roles),
    # service-wide where they are not (VPCs, load balancers, databases, certificates, ...).
    for_each = each.key == "deploy" ? [1] : []
    content {
      sid = "ApplyOwnedByName"
      actions = ["s3:*", "sqs:*", "sns:*", "ecr:*", "secretsmanager:*", "ssm:*", "lambda:*", "logs:*",
      "codebuild:*", "codepipeline:*", "iam:*"]
      resources = [
        "arn:${data.aws_partition.current.partition}:s3:::${local.owned_prefix}*",
        "arn:${data.aws_partition.current.partition}:sqs:${var.region}:${local.account_id}:${local.owned_prefix}*",
        "arn:${data.aws_partition.current.partition}:sns:${var.region}:${local.account_id}:${local.owned_prefix}*",
        "arn:${data.aws_partition.current.partition}:ecr:${var.region}:${local.account_id}:repository/${local.owned_prefix}*",
        "arn:${data.aws_partition.current.partition}:secretsmanager:${var.region}:${local.account_id}:secret:${local.owned_prefix}*",
        # RDS makes and rotates the database's master secret in the deploy's name
        "arn:${data.aws_partition.current.partition}:secretsmanager:${var.region}:${local.account_id}:secret:rds!*",
        "arn:${data.aws_partition.current.partition}:ssm:${var.region}:${local.account_id}:parameter/${var.name}/*",
        "arn:${data.aws_partition.current.partition}:lambda:${var.region}:${local.account_id}:function:${local.owned_prefix}*",
        "arn:${data.aws_partition.current.partition}:logs:${var.region}:${local.account_id}:log-group:*${local.owned_prefix}*",
        "arn:${data.aws_partition.current.partition}:codebuild:${var.region}:${local.account_id}:project/${local.owned_prefix}*",
        "arn:${data.aws_partition.current.partition}:codebuild:${var.region}:${local.account_id}:report-group/${local.owned_prefix}*",
        "arn:${data.aws_partition.current.partition}:codepipeline:${var.region}:${local.account_id}:${local.owned_prefix}*",
        "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:role/${local.owned_prefix}*",
        "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:policy/${local.owned_prefix}*",
      ]
    }
  }
  dynamic "statement" {
    for_each = each.key == "deploy" ? [1] : []
    content {
      sid = "ApplyServiceWide"
      actions = ["ec2:*", "elasticloadbalancing:*", "ecs:*", "rds:*", "acm:*", "route53:*", "cloudwatch:*", "ses:*",
        "lambda:*EventSourceMapping*", "codestar-connections:*", "codeconnections:*", "codestar-notifications:*",
        "logs:Describe*", "logs:ListTagsForResource", "ecr:GetAuthorizationToken", "sts:GetCallerIdentity", "iam:Get*", "iam:List*",
        # the AWS managed keys RDS and Secrets Manager encrypt with; this root makes no keys
      "kms:DescribeKey", "kms:CreateGrant", "kms:ListAliases", "kms:Decrypt", "kms:GenerateDataKey"]
      resources = ["*"]
    }
  }
  dynamic "statement" {
    for_each = each.key == "deploy" ? [1] : []
    content {
      sid       = "ServiceLinkedRoles" # ECS, load balancing and RDS make theirs on first use
      actions   = ["iam:CreateServiceLinkedRole"]
      resources = ["*"]
      condition {
        test     = "StringLike"
        variable = "iam:AWSServiceName"
        values   = ["ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com", "rds.amazonaws.com"]
      }
    }
  }
  dynamic "statement" {
    # The state bucket belongs to terraform/state, applied by an administrator: the deploy reads
    # and writes state in it, and may not weaken it.
    for_each = each.key == "deploy" ? [1] : []
    content {
      sid    = "KeepTheStateBucket"
      effect = "Deny"
      actions = ["s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketPolicy", "s3:PutBucketVersioning",
      "s3:PutLifecycleConfiguration", "s3:PutEncryptionConfiguration", "s3:PutBucketPublicAccessBlock"]
      resources = [local.state_bucket_arn]
    }
  }
}
