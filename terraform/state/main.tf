# The S3 bucket that holds the Terraform state of every environment and of the delivery pipeline
# (keys per root: terraform/environments/<environment>/s3.tfbackend, terraform/delivery/s3.tfbackend).
# Applied once per account and region, by an administrator, before the first deploy to AWS
# (README, "Deploying to AWS").

data "aws_caller_identity" "current" {}

locals {
  # One bucket per account and region, named by the rule the pipeline's deploy roles and the
  # release read too (naming.json).
  naming = jsondecode(file("${path.module}/naming.json"))
  bucket = templatestring(local.naming.state_bucket, { name = var.name, account = data.aws_caller_identity.current.account_id, region = var.region })
}

module "bucket" {
  source = "../modules/hardened_bucket"
  name   = local.bucket
  # a bad apply's state can be rolled back to the version before it; every apply (and every lock
  # file) leaves a noncurrent version behind
  versioned               = true
  noncurrent_version_days = var.noncurrent_version_days
}

# Every environment's state: a destroy of this root is refused as a whole, before it would strip
# the bucket's policy, encryption and versioning (S3 alone would refuse only the non-empty bucket).
resource "terraform_data" "keep_the_state" {
  input = module.bucket.id
  lifecycle {
    prevent_destroy = true
  }
}

# The bucket was made by this root's own resources before the hardened_bucket module existed.
moved {
  from = aws_s3_bucket.state
  to   = module.bucket.aws_s3_bucket.this
}
moved {
  from = aws_s3_bucket_ownership_controls.state
  to   = module.bucket.aws_s3_bucket_ownership_controls.this
}
moved {
  from = aws_s3_bucket_public_access_block.state
  to   = module.bucket.aws_s3_bucket_public_access_block.this
}
moved {
  from = aws_s3_bucket_versioning.state
  to   = module.bucket.aws_s3_bucket_versioning.this[0]
}
moved {
  from = aws_s3_bucket_server_side_encryption_configuration.state
  to   = module.bucket.aws_s3_bucket_server_side_encryption_configuration.this
}
moved {
  from = aws_s3_bucket_lifecycle_configuration.state
  to   = module.bucket.aws_s3_bucket_lifecycle_configuration.this
}
moved {
  from = aws_s3_bucket_policy.state
  to   = module.bucket.aws_s3_bucket_policy.this
}
