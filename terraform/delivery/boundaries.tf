# Each environment's permissions boundary: the most any role of that environment may ever do,
# whatever policy is put on it. A deploy may make and change its environment's roles (they are
# part of the root it applies), but only with this boundary on them (deploy.tf), so no role it
# makes can reach IAM, the pipeline, the other environment or the state: a deploy cannot grant
# itself more through a role of its own.
#
# What the roles of the environments use (modules/processor, modules/web_hosting), by name
# prefix where the resource has one. A new call in a role's policy needs its action here too:
# the plan-level tests hold every role policy's actions inside the boundary.

locals {
  boundaries = { for environment, deploy in local.deploys : environment => {
    name   = templatestring(local.naming.permissions_boundary, { prefix = deploy.prefix })
    arn    = "${local.arn}:iam::${local.account_id}:policy/${templatestring(local.naming.permissions_boundary, { prefix = deploy.prefix })}"
    prefix = deploy.prefix
  } }
}

data "aws_iam_policy_document" "boundary" {
  # checkov:skip=CKV_AWS_356:a boundary caps, it grants nothing: the calls with no resource of their own (logging in to ECR, charting metrics, ECS Exec's channels) are capped on "*"
  for_each = local.boundaries

  statement {
    sid = "ItsBucketsAndQueues"
    actions = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
      "s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads", "s3:ListMultipartUploadParts",
      "s3:GetBucketLocation", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes", "sqs:SendMessage"]
    resources = ["${local.arn}:s3:::${each.value.prefix}-*", "${local.arn}:sqs:${var.region}:${local.account_id}:${each.value.prefix}-*"]
  }
  statement {
    sid     = "ItsTopicFunctionsAndLogs"
    actions = ["sns:Publish", "lambda:InvokeFunction", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [
      "${local.arn}:sns:${var.region}:${local.account_id}:${each.value.prefix}-*",
      "${local.arn}:lambda:${var.region}:${local.account_id}:function:${each.value.prefix}-*",
      "${local.arn}:logs:${var.region}:${local.account_id}:log-group:/aws/lambda/${each.value.prefix}-*",
      "${local.arn}:logs:${var.region}:${local.account_id}:log-group:/ecs/${each.value.prefix}/*",
    ]
  }
  statement {
    sid = "ItsSettingsSecretsAndImages"
    actions = ["ssm:GetParameter", "secretsmanager:GetSecretValue", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
    "ecr:BatchCheckLayerAvailability"]
    resources = [
      "${local.arn}:ssm:${var.region}:${local.account_id}:parameter/${var.name}/${each.key}/*",
      "${local.arn}:secretsmanager:${var.region}:${local.account_id}:secret:${each.value.prefix}/*",
      "${local.arn}:secretsmanager:${var.region}:${local.account_id}:secret:rds!db-*", # RDS names the database's own
      "${local.arn}:ecr:${var.region}:${local.account_id}:repository/${each.value.prefix}/*",
    ]
  }
  statement {
    sid       = "Email" # the studio's identity (an address: no prefix of ours)
    actions   = ["ses:SendRawEmail"]
    resources = ["${local.arn}:ses:${var.region}:${local.account_id}:identity/*"]
  }
  statement {
    sid = "CallsWithNoResourceOfTheirOwn"
    actions = ["ecr:GetAuthorizationToken", "cloudwatch:GetMetricData", "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "boundary" {
  for_each    = local.boundaries
  name        = each.value.name
  description = "The most any role of ${each.key} may do (a permissions boundary its deploy must put on every role it makes)."
  policy      = data.aws_iam_policy_document.boundary[each.key].json
}
