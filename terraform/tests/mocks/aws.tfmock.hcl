# The one mock AWS provider of every plan-level test (terraform/tests/*.tftest.hcl,
# terraform/state/tests): computed values made up at plan time (override_during = plan in each
# test file's mock_provider block), as AWS would shape them, so the wiring can be compared
# offline. ARNs only where the provider checks them or a test compares them.

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
  defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/1" }
}

mock_resource "aws_lb_target_group" {
  defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/1" }
}

mock_resource "aws_ecs_cluster" {
  defaults = { arn = "arn:aws:ecs:eu-west-1:123456789012:cluster/cluster" }
}

mock_resource "aws_ecs_task_definition" {
  defaults = { arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1" }
}

mock_resource "aws_codestarconnections_connection" {
  defaults = { arn = "arn:aws:codestar-connections:eu-west-1:123456789012:connection/0000-source" }
}

mock_resource "aws_codebuild_project" {
  defaults = { arn = "arn:aws:codebuild:eu-west-1:123456789012:project/project" }
}

mock_resource "aws_codepipeline" {
  defaults = { arn = "arn:aws:codepipeline:eu-west-1:123456789012:vividart-delivery" }
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

# Computed values made up, whatever they are (IDs, names, FQDNs).
mock_resource "aws_route53_record" {}
mock_resource "aws_subnet" {}
mock_resource "aws_vpc" {}
mock_resource "aws_security_group" {}
mock_resource "aws_ecs_service" {}
mock_resource "aws_secretsmanager_secret_version" {}
mock_resource "aws_ecr_lifecycle_policy" {}
mock_resource "aws_sns_topic_subscription" {}
