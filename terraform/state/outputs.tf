output "bucket" {
  description = "The state bucket: terraform/environments/<environment>.s3.tfbackend store their state in it (scripts/deploy_aws.sh passes it to terraform init)."
  value       = aws_s3_bucket.state.bucket
}

output "region" {
  description = "The state bucket's region: the region every backend config names."
  value       = var.region
}

output "init_command" {
  description = "How a work copy of terraform/ (with terraform/environments/backend.tf) reaches an environment's state; scripts/deploy_aws.sh runs the same."
  value       = "terraform init -backend-config=environments/<environment>.s3.tfbackend -backend-config=bucket=${aws_s3_bucket.state.bucket}"
}
