# The delivery pipeline (terraform/delivery), planned with the project's mock AWS provider: its
# stages, its builds, and what each build's role may do. Run from terraform/: terraform test.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  region            = "eu-west-1"
  state_region      = "eu-west-1"
  source_repository = "vividart/studio"
}

run "the_pipeline_takes_each_commit_through_staging_to_production" {
  command = plan
  module {
    source = "./delivery"
  }

  assert {
    condition     = aws_codepipeline.delivery.stage[*].name == tolist(["Source", "BuildAndTest", "DeployStaging", "SmokeStaging", "Approval", "DeployProduction"])
    error_message = "Stages in order: Source, BuildAndTest, DeployStaging, SmokeStaging, Approval, DeployProduction."
  }
  assert {
    condition = aws_codepipeline.delivery.pipeline_type == "V2" && alltrue([for stage in aws_codepipeline.delivery.stage : length(stage.action) == 1]) && alltrue([
      for stage in aws_codepipeline.delivery.stage : stage.action[0].name == stage.name
    ])
    error_message = "A V2 pipeline of one action per stage, each named as its stage."
  }
  assert {
    condition     = aws_codepipeline.delivery.stage[4].action[0].category == "Approval" && aws_codepipeline.delivery.stage[4].action[0].provider == "Manual"
    error_message = "A person approves, after staging's smoke test and before production."
  }
  assert {
    condition     = aws_codepipeline.delivery.stage[0].action[0].provider == "CodeStarSourceConnection" && aws_codepipeline.delivery.stage[0].action[0].configuration.ConnectionArn == aws_codestarconnections_connection.source[0].arn && aws_codepipeline.delivery.stage[0].action[0].configuration.FullRepositoryId == "vividart/studio" && aws_codepipeline.delivery.stage[0].action[0].configuration.OutputArtifactFormat == "CODEBUILD_CLONE_REF"
    error_message = "The source is the repository's branch through this root's connection; builds clone the commit."
  }
  assert {
    condition     = aws_codepipeline.delivery.stage[1].action[0].configuration.ProjectName == module.build["build-and-test"].name && aws_codepipeline.delivery.stage[1].action[0].output_artifacts == tolist(["images"])
    error_message = "BuildAndTest runs the build project and hands on the images it tested."
  }
  assert {
    condition = alltrue([for i, environment in { 2 = "staging", 5 = "production" } :
      aws_codepipeline.delivery.stage[i].action[0].configuration.ProjectName == module.build["deploy-${environment}"].name &&
      contains(aws_codepipeline.delivery.stage[i].action[0].input_artifacts, "images") &&
      aws_codepipeline.delivery.stage[i].action[0].configuration.PrimarySource == "source"
    ])
    error_message = "Each environment has a deploy project of its own, given the source and the same images."
  }
  assert {
    condition     = aws_codepipeline.delivery.stage[2].action[0].namespace == "DeployStaging" && jsondecode(aws_codepipeline.delivery.stage[3].action[0].configuration.EnvironmentVariables) == [{ name = "VIVIDART_WEB", value = "#{DeployStaging.APP_URL}", type = "PLAINTEXT" }]
    error_message = "The smoke test reaches the URL the staging deploy exported."
  }
  assert {
    condition     = aws_codebuild_report_group.tests.type == "TEST" && aws_codebuild_report_group.tests.name == "${module.build["build-and-test"].name}-${local.test_report}"
    error_message = "The test report group is the one CodeBuild files the buildspec's report in (<project>-<report name>)."
  }
  assert {
    condition     = one(module.artifacts[*].id) == "vividart-delivery-artifacts-123456789012" && one(aws_codepipeline.delivery.artifact_store).location == module.artifacts.id
    error_message = "The artifact store is the hardened artifacts bucket."
  }
  assert {
    condition     = aws_codestarnotifications_notification_rule.pipeline.resource == aws_codepipeline.delivery.arn && [for t in aws_codestarnotifications_notification_rule.pipeline.target : t.address] == [aws_sns_topic.notifications.arn]
    error_message = "Failed runs and approvals are announced on the delivery's own topic."
  }
  assert {
    condition     = output.state_bucket == "vividart-tfstate-123456789012-eu-west-1"
    error_message = "The deploys keep their state in the bucket terraform/state names by the same rule (naming.json)."
  }
}

run "each_deploy_reaches_its_environment_only_and_no_build_may_change_the_delivery" {
  command = plan
  module {
    source = "./delivery"
  }

  assert {
    condition = alltrue([for environment, other in { staging = "production", production = "staging" } : alltrue([
      for statement in data.aws_iam_policy_document.deploy[environment].statement : alltrue([
        for resource in statement.resources : !strcontains(resource, "vividart-${other}") && !strcontains(resource, "/${other}/") && !strcontains(resource, "vividart-delivery")
      ])
    ])])
    error_message = "A deploy's rights name its own environment's resources and state key, never the other's, never the delivery's."
  }
  assert {
    condition = alltrue([for environment in ["staging", "production"] :
      one([for s in data.aws_iam_policy_document.deploy[environment].statement : s if s.sid == "ItsStateKey"]).resources == toset(["arn:aws:s3:::vividart-tfstate-123456789012-eu-west-1/${environment}/*"])
    ])
    error_message = "Each deploy reads and writes its own state key only."
  }
  assert {
    condition = alltrue([for environment in ["staging", "production"] : alltrue([
      for statement in data.aws_iam_policy_document.deploy[environment].statement : statement.condition != null && length(statement.condition) > 0
      if statement.effect != "Deny" && anytrue([for action in statement.actions : action == "ec2:*" || action == "acm:*"])
    ])])
    error_message = "EC2 and ACM rights hold only for what carries the environment's tag."
  }
  assert {
    condition     = !anytrue([for statement in data.aws_iam_policy_document.deploy["staging"].statement : contains(statement.actions, "codepipeline:*") || contains(statement.actions, "codebuild:*")])
    error_message = "A deploy cannot change the pipeline or its builds."
  }
  assert {
    condition     = aws_iam_role_policy.pipeline.role == aws_iam_role.pipeline.id && !anytrue([for statement in data.aws_iam_policy_document.pipeline.statement : anytrue([for action in statement.actions : startswith(action, "iam:")])])
    error_message = "The pipeline's own role has no IAM rights."
  }
  assert {
    condition     = toset(one([for s in data.aws_iam_policy_document.pipeline.statement : s if s.sid == "RunTheBuilds"]).resources) == toset([for build in module.build : build.arn])
    error_message = "The pipeline may start its own four builds and no others."
  }
  assert {
    condition = alltrue([for environment in ["staging", "production"] : anytrue([
      for s in data.aws_iam_policy_document.deploy[environment].statement : s.effect == "Deny" && toset(s.actions) == toset(["iam:CreateRole", "iam:PutRolePermissionsBoundary"]) && anytrue([
        for c in s.condition : c.test == "StringNotEquals" && c.variable == "iam:PermissionsBoundary" && c.values == tolist(["arn:aws:iam::123456789012:policy/vividart-${environment}-boundary"])
      ])
    ]) && anytrue([for s in data.aws_iam_policy_document.deploy[environment].statement : s.effect == "Deny" && s.actions == toset(["iam:DeleteRolePermissionsBoundary"])])])
    error_message = "A deploy makes roles only with its environment's boundary on them, and never takes it off."
  }
  assert {
    condition     = aws_iam_policy.boundary["staging"].name == "vividart-staging-boundary" && aws_iam_policy.boundary["production"].name == "vividart-production-boundary"
    error_message = "Each environment's boundary is named by naming.json's rule, as the environments name it."
  }
}

run "an_existing_connection_is_used_as_given" {
  command = plan
  module {
    source = "./delivery"
  }
  variables {
    source_connection_arn = "arn:aws:codeconnections:eu-west-1:123456789012:connection/made-before"
  }
  assert {
    condition     = length(aws_codestarconnections_connection.source) == 0 && aws_codepipeline.delivery.stage[0].action[0].configuration.ConnectionArn == var.source_connection_arn && output.source_connection_arn == var.source_connection_arn
    error_message = "With source_connection_arn, no connection is made and the pipeline uses the one given."
  }
}

run "a_build_role_may_never_change_the_delivery" {
  command = plan
  module {
    source = "./modules/build_project"
  }
  variables {
    name                  = "vividart-delivery-deploy-staging"
    description           = "deploy"
    buildspec             = ".ci/buildspec-deploy.yml"
    image                 = "aws/codebuild/standard:7.0"
    timeout_minutes       = 60
    account_id            = "123456789012"
    artifact_bucket_arn   = "arn:aws:s3:::vividart-delivery-artifacts-123456789012"
    source_connection_arn = "arn:aws:codestar-connections:eu-west-1:123456789012:connection/0000-source"
    policy_json           = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    protected_role_prefix = "vividart-delivery-"
  }
  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.common.statement : s.effect == "Deny" && contains(s.actions, "iam:*") &&
    contains(s.resources, "arn:aws:iam::123456789012:role/vividart-delivery-*")]) && startswith(aws_iam_role.build.name, "vividart-delivery-")
    error_message = "Every build's role is denied IAM on the delivery's roles, its own among them."
  }
  assert {
    condition     = aws_codebuild_project.build.source[0].type == "CODEPIPELINE" && aws_codebuild_project.build.source[0].buildspec == ".ci/buildspec-deploy.yml" && aws_codebuild_project.build.logs_config[0].cloudwatch_logs[0].group_name == aws_cloudwatch_log_group.build.name
    error_message = "The build runs the repository's buildspec and logs to a group of its own."
  }
}
