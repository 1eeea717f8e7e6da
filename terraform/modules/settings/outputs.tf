output "stack_settings" {
  description = "The settings written to the parameter, by name (the local stack's outputs carry the same names and values)."
  value       = local.stack_settings
}

output "stack_parameter" {
  description = "SSM parameter holding the stack's settings as JSON (VIVIDART_STACK_PARAMETER for photo_jobs.settings)."
  value       = aws_ssm_parameter.stack.name
}

output "stack_parameter_arn" {
  description = "ARN of the settings parameter."
  value       = aws_ssm_parameter.stack.arn
}

output "web_secret_key_secret_arn" {
  description = "Secrets Manager secret holding the web app's session key (VIVIDART_WEB_SECRET_KEY_SECRET)."
  value       = aws_secretsmanager_secret.web_secret_key.arn
}

output "studio_email_identity_arn" {
  description = "ARN of the studio's SES identity (the web app may send from it only)."
  value       = aws_ses_email_identity.studio.arn
}
