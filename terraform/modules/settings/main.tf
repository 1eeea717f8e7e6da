# The stack's settings and the web app's secrets, everywhere (LocalStack's core has SSM, Secrets
# Manager and SES, so the code that reads them runs locally too). Processes are given only their
# names: VIVIDART_STACK_PARAMETER, VIVIDART_WEB_SECRET_KEY_SECRET.

locals {
  stack_settings = merge(var.stack, { studio_email = var.studio_email })
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
  name                    = "${var.name_prefix}/web/secret-key"
  description             = "Signs the web app's sessions, CSRF tokens and upload grants."
  recovery_window_in_days = var.secret_recovery_days
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

# --- email -----------------------------------------------------------------------------------

# The studio's own address, verified with SES: clients' selections are emailed to it.
resource "aws_ses_email_identity" "studio" {
  email = var.studio_email
}
