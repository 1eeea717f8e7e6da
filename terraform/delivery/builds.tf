# The pipeline's builds, each a CodeBuild project with a role of its own (modules/build_project):
# the build and test, a deploy per environment, and staging's smoke test.

locals {
  builds = {
    build-and-test = {
      description = "The README's test command (make test), then the two images it tested pushed, tagged as tested, and named by digest."
      buildspec   = ".ci/buildspec-test.yml"
      image       = var.test_image, compute_type = var.test_compute_type
      privileged  = true # the suite runs its own Docker engine: the compose stack, the images, testcontainers
      timeout     = 150  # minutes: CI allows the suite 90
      variables = [
        { name = "PUBLISH_PROCESSOR_REPOSITORY", value = module.candidates.urls["processor"] },
        { name = "PUBLISH_WEB_REPOSITORY", value = module.candidates.urls["web"] },
      ]
      hands_on = true # images.json
      policy   = data.aws_iam_policy_document.test.json
    }
    deploy-staging = {
      description = "Terraform apply of staging with the images the build tested (scripts/release.py)."
      buildspec   = ".ci/buildspec-deploy.yml"
      image       = var.tools_image, compute_type = "BUILD_GENERAL1_SMALL"
      privileged  = true # Docker copies the tested images into staging's repositories
      timeout     = 60
      variables   = [{ name = "ENVIRONMENT", value = "staging" }, { name = "VIVIDART_TESTED_REPOSITORIES", value = join(",", values(module.candidates.urls)) }]
      hands_on    = false
      policy      = data.aws_iam_policy_document.deploy["staging"].json
    }
    deploy-production = {
      description = "Terraform apply of production with the images staging ran (scripts/release.py)."
      buildspec   = ".ci/buildspec-deploy.yml"
      image       = var.tools_image, compute_type = "BUILD_GENERAL1_SMALL"
      privileged  = true
      timeout     = 60
      variables   = [{ name = "ENVIRONMENT", value = "production" }, { name = "VIVIDART_TESTED_REPOSITORIES", value = join(",", values(module.candidates.urls)) }]
      hands_on    = false
      policy      = data.aws_iam_policy_document.deploy["production"].json
    }
    smoke-staging = {
      description = "Smoke test of staging through its API: health, sign-in page, a signed-in call, an upload processed."
      buildspec   = ".ci/buildspec-smoke.yml"
      image       = var.tools_image, compute_type = "BUILD_GENERAL1_SMALL"
      privileged  = false
      timeout     = 15
      variables   = [{ name = "VIVIDART_TOKEN", value = aws_secretsmanager_secret.smoke_token.arn, type = "SECRETS_MANAGER" }]
      hands_on    = false
      policy      = data.aws_iam_policy_document.smoke.json
    }
  }
}

module "build" {
  source                = "../modules/build_project"
  for_each              = local.builds
  name                  = "${local.delivery}-${each.key}"
  description           = each.value.description
  buildspec             = each.value.buildspec
  image                 = each.value.image
  compute_type          = each.value.compute_type
  privileged            = each.value.privileged
  timeout_minutes       = each.value.timeout
  environment_variables = each.value.variables
  account_id            = local.account_id
  partition             = local.partition
  artifact_bucket_arn   = module.artifacts.arn
  hands_on_artifacts    = each.value.hands_on
  source_connection_arn = local.source_connection_arn
  policy_json           = each.value.policy
  log_retention_days    = var.log_retention_days
  protected_role_prefix = "${local.delivery}-"
}

locals {
  # <project>-<report key>: where CodeBuild files the test buildspec's report
  report_group     = "${local.delivery}-build-and-test-${local.test_report}"
  report_group_arn = "arn:${local.partition}:codebuild:${var.region}:${local.account_id}:report-group/${local.report_group}"
}

resource "aws_codebuild_report_group" "tests" {
  name           = local.report_group
  type           = "TEST"
  delete_reports = true
  export_config {
    type = "NO_EXPORT"
  }
}

# --- the build: its test report, and pushing the images it tested --------------------------------

data "aws_iam_policy_document" "test" {
  statement {
    sid       = "FileTestReports"
    actions   = ["codebuild:CreateReport", "codebuild:UpdateReport", "codebuild:BatchPutTestCases", "codebuild:BatchPutCodeCoverages"]
    resources = [local.report_group_arn] # built: the report group need not exist first
  }
  statement {
    sid = "PushTestedImages"
    actions = ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage", "ecr:DescribeImages"]
    resources = values(module.candidates.arns)
  }
  statement {
    sid       = "SignInToEcr" # an account-wide call, no resource
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
}

# --- the smoke test: its API token ----------------------------------------------------------------

data "aws_iam_policy_document" "smoke" {
  statement {
    sid       = "ReadTheSmokeToken"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.smoke_token.arn]
  }
}

# --- the pipeline itself: hand-overs, the source, its builds ---------------------------------------

data "aws_iam_policy_document" "codepipeline_assume" {
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

resource "aws_iam_role" "pipeline" {
  name               = "${local.delivery}-pipeline"
  assume_role_policy = data.aws_iam_policy_document.codepipeline_assume.json
}

resource "aws_iam_role_policy" "pipeline" {
  name   = "pipeline"
  role   = aws_iam_role.pipeline.id
  policy = data.aws_iam_policy_document.pipeline.json
}

data "aws_iam_policy_document" "pipeline" {
  statement {
    sid       = "HandOverArtifacts"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]
    resources = ["${module.artifacts.arn}/*"]
  }
  statement {
    sid       = "FindArtifacts"
    actions   = ["s3:GetBucketVersioning", "s3:GetBucketLocation", "s3:ListBucket"]
    resources = [module.artifacts.arn]
  }
  statement {
    sid = "ReadTheRepository"
    # the service's old and new names, both still in use for these connections
    actions   = ["codestar-connections:UseConnection", "codeconnections:UseConnection"]
    resources = [local.source_connection_arn]
  }
  statement {
    sid       = "RunTheBuilds"
    actions   = ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:StopBuild"]
    resources = [for build in module.build : build.arn]
  }
}
