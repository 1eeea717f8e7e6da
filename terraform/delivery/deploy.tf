# What each environment's deploy may do: apply that environment's root (terraform/environments/<env>)
# and nothing else. Its resources are named <name>-<env>-* (or /<name>/<env>/...), so most rights
# are scoped by name; EC2's and ACM's resources have made-up IDs, so theirs are scoped by the
# Environment tag every root's provider puts on what it creates. No deploy may touch the other
# environment, the pipeline, or any of the delivery's roles (its own included): the state key,
# the names and the tag all differ, and modules/build_project denies IAM on <name>-delivery-*.
# The roles it makes for its environment carry that environment's permissions boundary
# (boundaries.tf) or are not made at all, so no role of its making can do more than the
# environment's own work: none can reach IAM, the pipeline or this deploy.
#
# The plan-level tests (terraform/tests/delivery.tftest.hcl) check the shape; only an apply on AWS
# shows the rights suffice (README, "What only an AWS account can show").

locals {
  arn = "arn:${local.partition}"
  # Per environment: the prefixes its names start with.
  deploys = { for environment in local.environments : environment => {
    prefix = "${var.name}-${environment}"
    tag    = environment
  } }
}

data "aws_iam_policy_document" "deploy" {
  # checkov:skip=CKV_AWS_111:writes on "*" are held by conditions (the Environment tag, the function's ARN, the service-linked role's service) or take no resource at all (ecs:RegisterTaskDefinition)
  # checkov:skip=CKV_AWS_356:resources AWS names with made-up IDs (VPCs, subnets, certificates, event source mappings) cannot be named beforehand: conditions hold them to the environment instead
  for_each = local.deploys

  statement {
    sid       = "ItsStateKey"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.arn}:s3:::${local.state_bucket}/${each.key}/*"]
  }
  statement {
    sid       = "FindItsState"
    actions   = ["s3:ListBucket"]
    resources = ["${local.arn}:s3:::${local.state_bucket}"]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${each.key}/*"]
    }
  }
  statement {
    sid       = "PullTestedImages"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability", "ecr:DescribeImages"]
    resources = values(module.candidates.arns)
  }
  statement {
    # Rights as broad as applying the root needs, on what the root names <prefix>-*.
    sid = "ApplyByName"
    actions = ["s3:*", "sqs:*", "sns:*", "ecr:*", "secretsmanager:*", "ssm:*", "lambda:*", "logs:*", "iam:*",
    "cloudwatch:*", "events:*", "ecs:*", "elasticloadbalancing:*", "rds:*"]
    resources = [
      "${local.arn}:s3:::${each.value.prefix}-*",
      "${local.arn}:sqs:${var.region}:${local.account_id}:${each.value.prefix}-*",
      "${local.arn}:sns:${var.region}:${local.account_id}:${each.value.prefix}-*",
      "${local.arn}:ecr:${var.region}:${local.account_id}:repository/${each.value.prefix}/*",
      "${local.arn}:secretsmanager:${var.region}:${local.account_id}:secret:${each.value.prefix}/*",
      "${local.arn}:ssm:${var.region}:${local.account_id}:parameter/${var.name}/${each.key}/*",
      "${local.arn}:lambda:${var.region}:${local.account_id}:function:${each.value.prefix}-*",
      "${local.arn}:logs:${var.region}:${local.account_id}:log-group:/aws/lambda/${each.value.prefix}-*",
      "${local.arn}:logs:${var.region}:${local.account_id}:log-group:/ecs/${each.value.prefix}/*",
      "${local.arn}:logs:${var.region}:${local.account_id}:log-group:/aws/rds/instance/${each.value.prefix}-*",
      "${local.arn}:iam::${local.account_id}:role/${each.value.prefix}-*",
      "${local.arn}:cloudwatch:${var.region}:${local.account_id}:alarm:${each.value.prefix}-*",
      "${local.arn}:cloudwatch::${local.account_id}:dashboard/${each.value.prefix}-*",
      "${local.arn}:events:${var.region}:${local.account_id}:rule/${each.value.prefix}-*", # the lifecycle emails' schedule
      "${local.arn}:ecs:${var.region}:${local.account_id}:cluster/${each.value.prefix}",
      "${local.arn}:ecs:${var.region}:${local.account_id}:service/${each.value.prefix}/*",
      "${local.arn}:ecs:${var.region}:${local.account_id}:task-definition/${each.value.prefix}-*",
      "${local.arn}:elasticloadbalancing:${var.region}:${local.account_id}:loadbalancer/app/${each.value.prefix}-*",
      "${local.arn}:elasticloadbalancing:${var.region}:${local.account_id}:targetgroup/${each.value.prefix}-*",
      "${local.arn}:elasticloadbalancing:${var.region}:${local.account_id}:listener/app/${each.value.prefix}-*",
      "${local.arn}:rds:${var.region}:${local.account_id}:db:${each.value.prefix}-*",
      "${local.arn}:rds:${var.region}:${local.account_id}:subgrp:${each.value.prefix}-*",
      "${local.arn}:rds:${var.region}:${local.account_id}:snapshot:${each.value.prefix}-*",
      # the engine's default parameter and option groups, which a new instance uses
      "${local.arn}:rds:${var.region}:${local.account_id}:pg:default.*",
      "${local.arn}:rds:${var.region}:${local.account_id}:og:default:*",
    ]
  }
  statement {
    # Made-up IDs: what it creates carries the Environment tag (the provider's default_tags),
    # and it may change or delete only what carries it.
    sid       = "CreateTagged"
    actions   = ["ec2:Create*", "ec2:AuthorizeSecurityGroup*", "acm:RequestCertificate", "acm:AddTagsToCertificate"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.value.tag]
    }
  }
  statement {
    sid       = "ChangeTagged"
    actions   = ["ec2:*", "acm:*"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.value.tag]
    }
  }
  statement {
    # The VPC's default security group comes untagged: the deploy may tag it as its own (then own
    # it), but never retag what another environment owns. (IAM cannot tell one VPC's default group
    # from another untagged group: the deploy could adopt any untagged group in the region, which
    # is why the account should hold no workloads but this studio's; README.)
    sid       = "AdoptUntagged"
    actions   = ["ec2:CreateTags"]
    resources = ["${local.arn}:ec2:${var.region}:${local.account_id}:security-group/*"]
    condition {
      test     = "Null"
      variable = "aws:ResourceTag/Environment"
      values   = ["true"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.value.tag]
    }
  }
  statement {
    # Reads with no resource of their own, and the calls that take none (task definitions are
    # registered by family, outside any ARN).
    sid = "ReadAndUnscoped"
    actions = ["ec2:Describe*", "elasticloadbalancing:Describe*", "ecs:Describe*", "ecs:List*", "ecs:RegisterTaskDefinition",
      "ecs:DeregisterTaskDefinition", "rds:Describe*", "rds:ListTagsForResource", "acm:DescribeCertificate", "acm:ListCertificates",
      "acm:ListTagsForCertificate", "logs:DescribeLogGroups", "logs:ListTagsForResource", "cloudwatch:Describe*", "cloudwatch:List*",
      "lambda:GetEventSourceMapping", "lambda:ListEventSourceMappings", "lambda:ListTags", "ses:GetIdentityVerificationAttributes",
      "route53:ListHostedZones", "ecr:GetAuthorizationToken", "secretsmanager:GetRandomPassword", "sts:GetCallerIdentity",
    "iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"]
    resources = ["*"]
  }
  statement {
    # The domain's records in the account's zone (its ID is in the environment's settings, not
    # here), and the studio's SES identity (an address).
    sid = "ItsDnsRecordsAndEmailIdentity"
    actions = ["route53:GetHostedZone", "route53:ListResourceRecordSets", "route53:ChangeResourceRecordSets", "route53:GetChange",
    "ses:VerifyEmailIdentity", "ses:DeleteIdentity"]
    resources = ["${local.arn}:route53:::hostedzone/*", "${local.arn}:route53:::change/*", "${local.arn}:ses:${var.region}:${local.account_id}:identity/*"]
  }
  statement {
    sid       = "MapItsFunctions"
    actions   = ["lambda:CreateEventSourceMapping", "lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping", "lambda:TagResource"]
    resources = ["*"]
    condition {
      test     = "ArnLike"
      variable = "lambda:FunctionArn"
      values   = ["${local.arn}:lambda:${var.region}:${local.account_id}:function:${each.value.prefix}-*"]
    }
  }
  statement {
    # RDS makes the database's master secret (rds!db-...) in the deploy's name; its ID is RDS's
    sid       = "TheDatabasesSecret"
    actions   = ["secretsmanager:CreateSecret", "secretsmanager:TagResource", "secretsmanager:DescribeSecret", "secretsmanager:RotateSecret"]
    resources = ["${local.arn}:secretsmanager:${var.region}:${local.account_id}:secret:rds!db-*"]
  }
  statement {
    sid       = "ServiceLinkedRoles" # ECS, load balancing and RDS make theirs on first use
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["*"]
    condition {
      test     = "StringLike"
      variable = "iam:AWSServiceName"
      values   = ["ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com", "rds.amazonaws.com"]
    }
  }
  statement {
    sid       = "ManagedKeysThroughTheirServices" # the AWS managed keys RDS and Secrets Manager encrypt with
    actions   = ["kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"]
    condition {
      test     = "StringLike"
      variable = "kms:ViaService"
      values   = ["rds.${var.region}.amazonaws.com", "secretsmanager.${var.region}.amazonaws.com"]
    }
  }
  statement {
    # A role it makes or changes carries the environment's boundary, and keeps it.
    sid       = "EveryRoleItMakesIsBounded"
    effect    = "Deny"
    actions   = ["iam:CreateRole", "iam:PutRolePermissionsBoundary"]
    resources = ["*"]
    condition {
      test     = "StringNotEquals"
      variable = "iam:PermissionsBoundary"
      values   = [local.boundaries[each.key].arn]
    }
  }
  statement {
    sid       = "NoRoleLosesItsBoundary"
    effect    = "Deny"
    actions   = ["iam:DeleteRolePermissionsBoundary"]
    resources = ["*"]
  }
  statement {
    # The state bucket belongs to terraform/state, applied by an administrator: the deploy reads
    # and writes its own key in it, and may not weaken it.
    sid    = "KeepTheStateBucket"
    effect = "Deny"
    actions = ["s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketPolicy", "s3:PutBucketVersioning",
    "s3:PutLifecycleConfiguration", "s3:PutEncryptionConfiguration", "s3:PutBucketPublicAccessBlock"]
    resources = ["${local.arn}:s3:::${local.state_bucket}"]
  }
}
