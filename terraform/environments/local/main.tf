# The local stack (LocalStack's open-source core): the data plane only. Its web app runs as a
# process or a container outside Terraform (scripts/stack.sh), so no network, load balancer,
# database or image repositories are composed here; staging and production add those modules.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  name_prefix   = "${var.name}-${var.environment}"
  upload_prefix = "uploads/"
  # Long enough that a retry never overlaps a running try; short enough that a crash costs
  # minutes. Failures the handler sees come back after its own short backoff.
  lambda_timeout_s = 60
  retry_delay_s    = local.lambda_timeout_s * 3
}

module "storage" {
  source            = "../../modules/storage"
  name_prefix       = local.name_prefix
  account_id        = data.aws_caller_identity.current.account_id
  region            = var.region
  partition         = data.aws_partition.current.partition
  web_origin        = var.web_url
  upload_prefix     = local.upload_prefix
  retry_delay_s     = local.retry_delay_s
  max_receive_count = 3
}

module "processor" {
  source               = "../../modules/processor"
  name_prefix          = local.name_prefix
  region               = var.region
  account_id           = data.aws_caller_identity.current.account_id
  image_uri            = var.lambda_image_uri
  image_by_digest      = false # a local image, tagged by the hash of its code
  timeout_s            = local.lambda_timeout_s
  max_concurrency      = var.max_concurrency
  studio_name          = var.studio_name
  upload_prefix        = local.upload_prefix
  source_bucket_arn    = module.storage.source_bucket_arn
  processed_bucket     = module.storage.processed_bucket
  processed_bucket_arn = module.storage.processed_bucket_arn
  jobs_queue = {
    name                 = module.storage.jobs_queue_name, arn = module.storage.jobs_queue_arn
    visibility_timeout_s = module.storage.jobs_queue_visibility_timeout_s
  }
  dead_letters = { arn = module.storage.dlq_arn, url = module.storage.dlq_url }
}

module "settings" {
  source               = "../../modules/settings"
  name                 = var.name
  environment          = var.environment
  name_prefix          = local.name_prefix
  secret_recovery_days = 0 # a destroyed stack comes back under the same name at once
  studio_email         = var.studio_email
  stack = {
    region              = var.region
    source_bucket       = module.storage.source_bucket
    processed_bucket    = module.storage.processed_bucket
    upload_prefix       = local.upload_prefix
    topic_arn           = module.processor.topic_arn
    queue_url           = module.storage.jobs_queue_url
    dlq_url             = module.storage.dlq_url
    function_name       = module.processor.function_name
    archiver_name       = module.processor.archiver_name
    studio_name         = var.studio_name
    localstack_endpoint = var.localstack_endpoint
    web_url             = var.web_url
  }
}

module "observability" {
  source          = "../../modules/observability"
  name_prefix     = local.name_prefix
  region          = var.region
  alarm_email     = var.alarm_email
  function_name   = module.processor.function_name
  jobs_queue_name = module.storage.jobs_queue_name
  dlq_name        = module.storage.dlq_name
}

# The web app hears of processed photos over HTTP on loopback; it confirms the subscription itself
# (after checking the SNS signature).
resource "aws_sns_topic_subscription" "web" {
  topic_arn                       = module.processor.topic_arn
  protocol                        = startswith(var.web_url, "https://") ? "https" : "http"
  endpoint                        = "${var.web_url}/sns"
  endpoint_auto_confirms          = true
  confirmation_timeout_in_minutes = 1
}
