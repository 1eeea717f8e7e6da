# The delivery pipeline, in a root and a state of its own: it takes each commit through both
# environments, and no role it uses may change the pipeline or itself.
#
#   Source -> BuildAndTest -> DeployStaging -> SmokeStaging -> Approval -> DeployProduction
#
# BuildAndTest runs the README's test command and pushes the two images it tested, tagged as
# tested; both deploys run exactly those images, by digest (the images artifact, images.json;
# scripts/release.py refuses any other). Each stage's commands are the repository's own
# (.ci/buildspec-*.yml), and CI runs the test buildspec the same way. Each environment has a
# deploy project of its own, whose role reaches that environment's resources and state only.
# Applied by an administrator (README, "Deploying to AWS"), never by the pipeline.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id   = data.aws_caller_identity.current.account_id
  partition    = data.aws_partition.current.partition
  delivery     = "${var.name}-delivery"
  environments = ["staging", "production"]
  # The key under `reports:` in the test buildspec: CodeBuild files that report in the group
  # "<project>-<key>", made here, so the build needs no right to create report groups.
  test_report = "tests"
  # The images as tested, in repositories of the pipeline's own; each deploy copies them into
  # its environment's repositories, digest unchanged (scripts/release.py).
  candidate_images = { processor = "photo-processor", web = "web" }
  # Where every root keeps its state: the bucket terraform/state makes, by the same rule.
  naming       = jsondecode(file("${path.module}/../state/naming.json"))
  state_bucket = templatestring(local.naming.state_bucket, { name = var.name, account = local.account_id, region = var.state_region })
  # The connection: this root's own, or one made before (source_connection_arn).
  source_connection_arn = var.source_connection_arn != "" ? var.source_connection_arn : aws_codestarconnections_connection.source[0].arn
}

# --- source ------------------------------------------------------------------------------------

# Created PENDING: completed once in the console (README, "Deploying to AWS").
resource "aws_codestarconnections_connection" "source" {
  count         = var.source_connection_arn == "" ? 1 : 0
  name          = "${var.name}-source" # at most 32 characters
  provider_type = var.source_provider
}

# --- artifacts: the pipeline's hand-overs between stages ----------------------------------------

module "artifacts" {
  source                  = "../modules/hardened_bucket"
  name                    = "${local.delivery}-artifacts-${local.account_id}"
  force_destroy           = true # hand-overs of past runs: nothing here is kept for its own sake
  noncurrent_version_days = 7
  expire_after_days       = { "" = 30 }
}

# --- the images as tested ----------------------------------------------------------------------

module "candidates" {
  source       = "../modules/image_repositories"
  repositories = { for key, image in local.candidate_images : key => "${local.delivery}/${image}" }
  keep_images  = 30 # enough to roll back to; the environments keep their own copies
  force_delete = true
}

# --- the smoke test's API token ----------------------------------------------------------------

# The value is put by hand (README): a staff API token made on staging with vividart-admin.
# Terraform never holds it, so it is in no state file.
resource "aws_secretsmanager_secret" "smoke_token" {
  # checkov:skip=CKV2_AWS_57:an API token made by a person with vividart-admin; rotated by revoking it and storing a new one
  # checkov:skip=CKV_AWS_149:the account's aws/secretsmanager key: only the smoke test's role reads it, by IAM
  name                    = "${local.delivery}/staging-smoke-api-token"
  description             = "API token of the staff account the pipeline's smoke test signs in with on staging (vividart-admin create-token)."
  recovery_window_in_days = 7
}

# --- the pipeline ------------------------------------------------------------------------------

resource "aws_codepipeline" "delivery" {
  # checkov:skip=CKV_AWS_219:the artifact store's SSE-S3: artifacts are the commit's reference and image digests
  name          = local.delivery
  pipeline_type = "V2"
  # A newer commit overtakes a run still waiting for approval: production gets the newest
  # images that passed staging, never an older run approved late.
  execution_mode = "SUPERSEDED"
  role_arn       = aws_iam_role.pipeline.arn

  artifact_store {
    type     = "S3"
    location = module.artifacts.id
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
        ConnectionArn    = local.source_connection_arn
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
        ProjectName = module.build["build-and-test"].name
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
        ProjectName   = module.build["deploy-staging"].name
        PrimarySource = "source"
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
        ProjectName          = module.build["smoke-staging"].name
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
        ProjectName   = module.build["deploy-production"].name
        PrimarySource = "source"
      }
    }
  }
}

# --- failures and approvals, to the delivery's own topic ------------------------------------------

resource "aws_sns_topic" "notifications" {
  # checkov:skip=CKV_AWS_26:unencrypted: CodeStar Notifications cannot publish to a topic under the AWS-managed key; messages are run states
  name = "${local.delivery}-notifications"
}

resource "aws_sns_topic_subscription" "email" {
  count     = var.alarm_email == "" ? 0 : 1
  topic_arn = aws_sns_topic.notifications.arn
  protocol  = "email"
  endpoint  = var.alarm_email # confirmed by the recipient, from the email AWS sends
}

resource "aws_sns_topic_policy" "notifications" {
  arn    = aws_sns_topic.notifications.arn
  policy = data.aws_iam_policy_document.notifications_topic.json
}

# The account's own use (what a topic without a policy allows) and CodeStar Notifications
# publishing the pipeline's events.
data "aws_iam_policy_document" "notifications_topic" {
  statement {
    sid = "AccountOwner"
    actions = ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
    "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"]
    resources = [aws_sns_topic.notifications.arn]
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
    resources = [aws_sns_topic.notifications.arn]
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

resource "aws_codestarnotifications_notification_rule" "pipeline" {
  name        = "${local.delivery}-needs-attention"
  detail_type = "BASIC"
  resource    = aws_codepipeline.delivery.arn
  event_type_ids = [
    "codepipeline-pipeline-pipeline-execution-failed",
    "codepipeline-pipeline-manual-approval-needed",
  ]
  target {
    address = aws_sns_topic.notifications.arn
  }
  depends_on = [aws_sns_topic_policy.notifications]
}
