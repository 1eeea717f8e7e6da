# The delivery pipeline (pipeline.tf), planned with a mock AWS provider: no credentials, no
# network. Run from terraform/: terraform test (tests/unit/test_terraform_plans.py runs every
# file here, from a copy). Needs Terraform 1.11 (override_during).

mock_provider "aws" {
  # As in hosting.tftest.hcl (the whole root is planned): computed values made up at plan time,
  # ARNs where the provider checks them.
  # Computed values (ARNs, names) are made up at plan time, so the wiring can be compared.
  override_during = plan

  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_availability_zones" {
    defaults = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_acm_certificate" {
    defaults = {
      arn = "arn:aws:acm:eu-west-1:123456789012:certificate/0000-web"
      domain_validation_options = [{
        domain_name           = "photos.example.com"
        resource_record_name  = "_x1.photos.example.com."
        resource_record_type  = "CNAME"
        resource_record_value = "_x2.acm-validations.aws."
      }]
    }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::bucket" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:eu-west-1:123456789012:queue" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:topic" }
  }
  mock_resource "aws_lambda_function" {
    defaults = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:processor" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/role" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:group" }
  }
  mock_resource "aws_ses_email_identity" {
    defaults = { arn = "arn:aws:ses:eu-west-1:123456789012:identity/studio@example.com" }
  }
  mock_resource "aws_ssm_parameter" {
    defaults = { arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/vividart/staging/stack" }
  }
  mock_resource "aws_secretsmanager_secret" {
    defaults = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vividart-staging/web/secret-key-AbCdEf" }
  }
  mock_resource "aws_ecr_repository" {
    defaults = { arn = "arn:aws:ecr:eu-west-1:123456789012:repository/repo" }
  }
  mock_resource "aws_lb" {
    defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/lb/1" }
  }
  mock_resource "aws_lb_target_group" {
    defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg/1" }
  }
  mock_resource "aws_ecs_cluster" {
    defaults = { arn = "arn:aws:ecs:eu-west-1:123456789012:cluster/cluster" }
  }
  mock_resource "aws_ecs_task_definition" {
    defaults = { arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1" }
  }
  mock_resource "aws_subnet" {}
  mock_resource "aws_vpc" {}
  mock_resource "aws_security_group" {}
  mock_resource "aws_route53_record" {}
  mock_resource "aws_ecs_service" {}
  mock_resource "aws_secretsmanager_secret_version" {}
  override_resource {
    target = aws_lb.web
    values = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/1" }
  }
  override_resource {
    target = aws_lb_target_group.web
    values = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/1" }
  }
  override_resource {
    target = aws_iam_role.web_task
    values = { arn = "arn:aws:iam::123456789012:role/web-task" }
  }
  override_resource {
    target = aws_iam_role.web_execution
    values = { arn = "arn:aws:iam::123456789012:role/web-execution" }
  }
  override_resource {
    target = aws_iam_role.processor
    values = { arn = "arn:aws:iam::123456789012:role/processor" }
  }
  override_resource {
    target = aws_sns_topic.events
    values = { arn = "arn:aws:sns:eu-west-1:123456789012:events" }
  }
  override_resource {
    target = aws_sns_topic.alarms
    values = { arn = "arn:aws:sns:eu-west-1:123456789012:alarms" }
  }
  mock_resource "aws_db_instance" {
    defaults = {
      address = "vividart-staging-database.abc123.eu-west-1.rds.amazonaws.com"
      port    = 5432
      master_user_secret = [{
        secret_arn    = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1234-AbCdEf"
        kms_key_id    = ""
        secret_status = "active"
      }]
    }
  }

  # the pipeline's own
  mock_resource "aws_codebuild_project" {
    defaults = { arn = "arn:aws:codebuild:eu-west-1:123456789012:project/project" }
  }
  mock_resource "aws_codebuild_report_group" {
    defaults = { arn = "arn:aws:codebuild:eu-west-1:123456789012:report-group/group" }
  }
  mock_resource "aws_codepipeline" {
    defaults = { arn = "arn:aws:codepipeline:eu-west-1:123456789012:pipeline" }
  }
  mock_resource "aws_codestarconnections_connection" {
    defaults = { arn = "arn:aws:codeconnections:eu-west-1:123456789012:connection/0000" }
  }
  override_resource {
    target = aws_secretsmanager_secret.smoke_token
    values = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vividart-delivery/staging-smoke-api-token-AbCdEf" }
  }
  override_resource {
    target = aws_codebuild_project.test
    values = { arn = "arn:aws:codebuild:eu-west-1:123456789012:project/vividart-delivery-build-and-test" }
  }
  override_resource {
    target = aws_codebuild_project.deploy
    values = { arn = "arn:aws:codebuild:eu-west-1:123456789012:project/vividart-delivery-deploy" }
  }
  override_resource {
    target = aws_codebuild_project.smoke
    values = { arn = "arn:aws:codebuild:eu-west-1:123456789012:project/vividart-delivery-smoke-staging" }
  }
}

variables {
  environment       = "production"
  region            = "eu-west-1"
  on_aws            = true
  domain_name       = "photos.example.com"
  hosted_zone_id    = "Z0123456789EXAMPLE"
  web_image_uri     = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/vividart-production/web@sha256:1111111111111111111111111111111111111111111111111111111111111111"
  lambda_image_uri  = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/vividart-production/photo-processor@sha256:2222222222222222222222222222222222222222222222222222222222222222"
  delivery_pipeline = true
  source_repository = "vividart/studio"
}

run "the_pipeline_takes_each_commit_through_staging_to_production" {
  command = plan

  assert {
    condition     = aws_codepipeline.delivery[0].stage[*].name == tolist(["Source", "BuildAndTest", "DeployStaging", "SmokeStaging", "Approval", "DeployProduction"])
    error_message = "Stages in order: Source, BuildAndTest, DeployStaging, SmokeStaging, Approval, DeployProduction."
  }
  assert {
    condition = aws_codepipeline.delivery[0].pipeline_type == "V2" && alltrue([for stage in aws_codepipeline.delivery[0].stage : length(stage.action) == 1]) && alltrue([
      for stage in aws_codepipeline.delivery[0].stage : stage.action[0].name == stage.name
    ])
    error_message = "A V2 pipeline of one action per stage, each named as its stage."
  }
  assert {
    condition     = aws_codepipeline.delivery[0].stage[4].action[0].category == "Approval" && aws_codepipeline.delivery[0].stage[4].action[0].provider == "Manual" && index(aws_codepipeline.delivery[0].stage[*].name, "Approval") < index(aws_codepipeline.delivery[0].stage[*].name, "DeployProduction") && index(aws_codepipeline.delivery[0].stage[*].name, "SmokeStaging") < index(aws_codepipeline.delivery[0].stage[*].name, "Approval")
    error_message = "A person approves, after staging's smoke test and before production."
  }
  assert {
    condition     = aws_codepipeline.delivery[0].stage[0].action[0].provider == "CodeStarSourceConnection" && aws_codepipeline.delivery[0].stage[0].action[0].configuration.ConnectionArn == aws_codestarconnections_connection.source[0].arn && aws_codepipeline.delivery[0].stage[0].action[0].configuration.FullRepositoryId == "vividart/studio" && aws_codepipeline.delivery[0].stage[0].action[0].configuration.BranchName == "main"
    error_message = "The source is the repository's branch, through the CodeConnections connection."
  }
  assert {
    condition = aws_codepipeline.delivery[0].stage[0].action[0].configuration.OutputArtifactFormat == "CODEBUILD_CLONE_REF" && alltrue([
      for key in keys(local.codebuild) : contains(one([for s in data.aws_iam_policy_document.codebuild[key].statement : s if s.sid == "CloneTheCommit"]).resources, aws_codestarconnections_connection.source[0].arn)
    ])
    error_message = "Every build clones the commit through the connection (a git checkout keeps the scripts' executable bits)."
  }
  assert {
    condition     = aws_codestarconnections_connection.source[0].provider_type == "GitHub"
    error_message = "The connection's provider comes from source_provider (GitHub by default)."
  }
  assert {
    condition     = aws_codebuild_project.test[0].environment[0].privileged_mode && aws_codepipeline.delivery[0].stage[1].action[0].configuration.ProjectName == aws_codebuild_project.test[0].name
    error_message = "BuildAndTest runs the build project, privileged (it runs Docker)."
  }
  assert {
    condition     = aws_codebuild_project.test[0].source[0].type == "CODEPIPELINE" && aws_codebuild_project.test[0].source[0].buildspec == ".ci/buildspec-test.yml"
    error_message = "The build runs the repository's test buildspec, the one CI runs."
  }
  assert {
    condition     = aws_codebuild_report_group.tests[0].type == "TEST" && aws_codebuild_report_group.tests[0].name == "${aws_codebuild_project.test[0].name}-${local.test_report}"
    error_message = "The test report group is the one CodeBuild files the buildspec's report in (<project>-<report name>)."
  }
  assert {
    condition     = one([for s in data.aws_iam_policy_document.codebuild["test"].statement : s if s.sid == "FileTestReports"]).resources == toset([aws_codebuild_report_group.tests[0].arn])
    error_message = "The build may file reports in that group only."
  }
  assert {
    condition     = aws_codepipeline.delivery[0].stage[1].action[0].output_artifacts == tolist(["images"]) && contains(aws_codepipeline.delivery[0].stage[2].action[0].input_artifacts, "images") && contains(aws_codepipeline.delivery[0].stage[5].action[0].input_artifacts, "images")
    error_message = "Both deploys get the build's images artifact (the digests it tested)."
  }
  assert {
    condition = alltrue([for i, environment in { 2 = "staging", 5 = "production" } :
      aws_codepipeline.delivery[0].stage[i].action[0].configuration.ProjectName == aws_codebuild_project.deploy[0].name &&
      aws_codepipeline.delivery[0].stage[i].action[0].configuration.PrimarySource == "source" &&
      jsondecode(aws_codepipeline.delivery[0].stage[i].action[0].configuration.EnvironmentVariables) == [{ name = "ENVIRONMENT", value = environment, type = "PLAINTEXT" }]
    ])
    error_message = "One deploy project applies staging, then production, with the source and the same images."
  }
  assert {
    condition     = aws_codebuild_project.deploy[0].source[0].buildspec == ".ci/buildspec-deploy.yml" && aws_codebuild_project.smoke[0].source[0].buildspec == ".ci/buildspec-smoke.yml"
    error_message = "Deploy and smoke test run the repository's buildspecs."
  }
  assert {
    condition     = aws_codepipeline.delivery[0].stage[2].action[0].namespace == "DeployStaging" && jsondecode(aws_codepipeline.delivery[0].stage[3].action[0].configuration.EnvironmentVariables) == [{ name = "VIVIDART_WEB", value = "#{DeployStaging.APP_URL}", type = "PLAINTEXT" }]
    error_message = "The smoke test reaches the URL the staging deploy exported."
  }
  assert {
    condition     = one(aws_codebuild_project.smoke[0].environment[0].environment_variable).name == "VIVIDART_TOKEN" && one(aws_codebuild_project.smoke[0].environment[0].environment_variable).type == "SECRETS_MANAGER" && one(aws_codebuild_project.smoke[0].environment[0].environment_variable).value == aws_secretsmanager_secret.smoke_token[0].arn
    error_message = "The smoke test's API token comes from Secrets Manager, not from Terraform."
  }
  assert {
    condition     = length([for s in data.aws_iam_policy_document.codebuild["smoke"].statement : s if contains(s.actions, "secretsmanager:GetSecretValue") && s.resources == toset([aws_secretsmanager_secret.smoke_token[0].arn])]) == 1 && length([for s in data.aws_iam_policy_document.codebuild["test"].statement : s if contains(s.actions, "secretsmanager:GetSecretValue")]) == 0
    error_message = "Only the smoke test may read its token."
  }
  assert {
    condition     = toset([for s in data.aws_iam_policy_document.pipeline[0].statement : s if s.sid == "RunTheBuilds"][0].resources) == toset([aws_codebuild_project.test[0].arn, aws_codebuild_project.deploy[0].arn, aws_codebuild_project.smoke[0].arn])
    error_message = "The pipeline may start its own three builds and no others."
  }
  assert {
    condition     = contains([for s in data.aws_iam_policy_document.codebuild["deploy"].statement : s if s.sid == "TerraformState"][0].resources, "arn:aws:s3:::vividart-tfstate-123456789012-*")
    error_message = "The deploy reaches the state bucket terraform/state makes (vividart-tfstate-<account>-<region>: state.tftest.hcl)."
  }
  assert {
    condition     = length([for s in data.aws_iam_policy_document.codebuild["test"].statement : s if anytrue([for a in s.actions : a == "*" || startswith(a, "iam:") || endswith(a, ":*")])]) == 0 && length([for s in data.aws_iam_policy_document.codebuild["smoke"].statement : s if anytrue([for a in s.actions : a == "*" || endswith(a, ":*")])]) == 0
    error_message = "Build and smoke test name every action they may take; only the deploy applies Terraform's broad rights."
  }
  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.pipeline_artifacts[0].rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256" && aws_s3_bucket_versioning.pipeline_artifacts[0].versioning_configuration[0].status == "Enabled" && aws_s3_bucket_public_access_block.pipeline_artifacts[0].block_public_acls && aws_s3_bucket_public_access_block.pipeline_artifacts[0].restrict_public_buckets && one(aws_codepipeline.delivery[0].artifact_store).location == aws_s3_bucket.pipeline_artifacts[0].bucket
    error_message = "The artifact store is encrypted, versioned and closed to the public."
  }
  assert {
    condition     = alltrue([for name in values(local.codebuild) : aws_cloudwatch_log_group.codebuild[[for k, v in local.codebuild : k if v == name][0]].name == "/aws/codebuild/${name}"]) && aws_codebuild_project.test[0].logs_config[0].cloudwatch_logs[0].group_name == aws_cloudwatch_log_group.codebuild["test"].name
    error_message = "Every build logs to a log group of its own, with a retention."
  }
  assert {
    condition     = aws_codestarnotifications_notification_rule.pipeline[0].resource == aws_codepipeline.delivery[0].arn && contains(aws_codestarnotifications_notification_rule.pipeline[0].event_type_ids, "codepipeline-pipeline-pipeline-execution-failed") && [for t in aws_codestarnotifications_notification_rule.pipeline[0].target : t.address] == [aws_sns_topic.alarms.arn]
    error_message = "A failed run is announced on the alarms topic."
  }
  assert {
    condition     = output.pipeline_name == aws_codepipeline.delivery[0].name && output.source_connection_arn == aws_codestarconnections_connection.source[0].arn && output.smoke_token_secret_arn == aws_secretsmanager_secret.smoke_token[0].arn
    error_message = "The outputs name what a person completes by hand: the connection and the smoke token."
  }
}

run "without_the_switch_nothing_of_the_pipeline_exists" {
  command = plan
  variables {
    delivery_pipeline = false
  }

  assert {
    condition = alltrue([for things in [aws_codepipeline.delivery, aws_codestarconnections_connection.source, aws_s3_bucket.pipeline_artifacts,
      aws_codebuild_project.test, aws_codebuild_project.deploy, aws_codebuild_project.smoke, aws_codebuild_report_group.tests,
      aws_iam_role.pipeline, aws_secretsmanager_secret.smoke_token, aws_codestarnotifications_notification_rule.pipeline, aws_sns_topic_policy.alarms,
    data.aws_iam_policy_document.pipeline, data.aws_iam_policy_document.alarms_topic, terraform_data.delivery_pipeline_needs] : length(things) == 0])
    error_message = "delivery_pipeline = false: no pipeline, builds, connection, bucket, secret or notification."
  }
  assert {
    condition     = length(aws_iam_role.codebuild) == 0 && length(aws_cloudwatch_log_group.codebuild) == 0 && length(aws_ecr_repository.candidate) == 0 && length(data.aws_iam_policy_document.codebuild) == 0
    error_message = "delivery_pipeline = false: no build roles, log groups or image repositories."
  }
  assert {
    condition     = output.pipeline_name == "" && output.source_connection_arn == "" && output.pipeline_image_repositories == {}
    error_message = "delivery_pipeline = false: the pipeline's outputs are empty."
  }
}

run "the_pipeline_deploys_to_aws_only" {
  command = plan
  variables {
    on_aws           = false
    domain_name      = ""
    hosted_zone_id   = ""
    web_url          = "http://127.0.0.1:8080"
    web_image_uri    = ""
    lambda_image_uri = "vividart/photo-processor:local"
  }
  expect_failures = [terraform_data.delivery_pipeline_needs]
}

run "the_pipeline_needs_its_repository" {
  command = plan
  variables {
    source_repository = ""
  }
  expect_failures = [terraform_data.delivery_pipeline_needs]
}
