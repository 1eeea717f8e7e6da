# The stack's settings and the web app's secrets, everywhere (LocalStack's core has SSM and
# Secrets Manager, so the code that reads them runs locally too). Processes are given only their
# names: VIVIDART_STACK_PARAMETER, VIVIDART_WEB_SECRET_KEY_SECRET.

locals {
  # Where browsers and SNS reach the web app: the domain behind the load balancer on AWS.
  web_url = var.on_aws ? "https://${var.domain_name}" : var.web_url

  # What photo_jobs.settings.Stack reads; the outputs of the same names are these values
  # (tests/unit/test_settings.py holds the names of all three together).
  stack_settings = {
    region              = var.region
    source_bucket       = aws_s3_bucket.source.id
    processed_bucket    = aws_s3_bucket.processed.id
    upload_prefix       = var.upload_prefix
    topic_arn           = aws_sns_topic.events.arn
    queue_url           = aws_sqs_queue.jobs.id
    dlq_url             = aws_sqs_queue.dlq.id
    function_name       = aws_lambda_function.processor.function_name
    studio_name         = var.studio_name
    studio_email        = var.studio_email
    localstack_endpoint = var.localstack_endpoint
    web_url             = local.web_url
  }
}

resource "aws_ssm_parameter" "stack" {
  # checkov:skip=CKV2_AWS_34:the stack's names and URLs, no secret: the secrets are in Secrets Manager
  name        = "/${var.name}/${var.environment}/stack"
  description = "The stack's settings (JSON) for its processes: photo_jobs.settings reads them."
  type        = "String" # names and ARNs only, nothing secret
  value       = jsonencode(local.stack_settings)
}

# --- the key that signs the web app's sessions ----------------------------------------------

resource "aws_secretsmanager_secret" "web_secret_key" {
  # checkov:skip=CKV2_AWS_57:not rotated automatically: share links are signed with it, a new key would withdraw every client's link
  # checkov:skip=CKV_AWS_149:the account's aws/secretsmanager key: only the task role reads it, by IAM
  name        = "${local.prefix}/web/secret-key"
  description = "Signs the web app's sessions, CSRF tokens and upload grants."
  # Locally a destroyed stack comes back under the same name at once.
  recovery_window_in_days = var.on_aws ? 7 : 0
}

# Made by Secrets Manager itself (no random provider here). A data source is read at every plan
# and gives a new value each time: the version keeps the first one (ignore_changes). Rotate the
# key by tainting the version. Not an ephemeral resource with secret_string_wo: OpenTofu 1.10,
# which the bootstrap builds where there is no Terraform, has neither.
data "aws_secretsmanager_random_password" "web_secret_key" {
  password_length     = 64
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret_version" "web_secret_key" {
  secret_id     = aws_secretsmanager_secret.web_secret_key.id
  secret_string = data.aws_secretsmanager_random_password.web_secret_key.random_password
  lifecycle {
    ignore_changes = [secret_string]
  }
}
