output "bucket" {
  description = "The state bucket: every root's s3.tfbackend stores its state in it (scripts/release.py passes it to terraform init)."
  value       = module.bucket.id
}

output "region" {
  description = "The state bucket's region: the region every backend config names."
  value       = var.region
}

output "init_command" {
  description = "How a root with an S3 backend reaches its state; scripts/release.py runs the same."
  value       = "terraform init -backend-config=s3.tfbackend -backend-config=bucket=${module.bucket.id}"
}
