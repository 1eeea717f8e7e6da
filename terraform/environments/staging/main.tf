# The staging environment on AWS: the data plane (storage, processor, settings, observability) and
# the web app's hosting (image repositories, network, database, load balancer and ECS service).
# The same modules as production, smaller and disposable: one task, one zone's database, no
# deletion protection, no final snapshot. Deployed by the pipeline's DeployStaging (terraform/delivery)
# or by hand: ENVIRONMENT=staging make deploy-aws.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  environment   = "staging"
  name_prefix   = "${var.name}-${local.environment}"
  account_id    = data.aws_caller_identity.current.account_id
  upload_prefix = "uploads/"
  # Long enough that a retry never overlaps a running try; short enough that a crash costs
  # minutes. Failures the handler sees come back after its own short backoff.
  lambda_timeout_s = 60
  retry_delay_s    = local.lambda_timeout_s * 3
  web_url          = "https://${var.domain_name}"
  app_port         = 8080
  edge             = jsondecode(file("${path.module}/../../edge.json"))
  # Every role here carries the boundary terraform/delivery made for this environment: its
  # deploy can make no role that does more (the name by terraform/state/naming.json's rule).
  naming               = jsondecode(file("${path.module}/../../state/naming.json"))
  permissions_boundary = "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:policy/${templatestring(local.naming.permissions_boundary, { prefix = local.name_prefix })}"
}

module "images" {
  source       = "../../modules/image_repositories"
  repositories = { processor = "${local.name_prefix}/photo-processor", web = "${local.name_prefix}/web" }
  force_delete = true # copies of the pipeline's candidates: a destroyed staging takes them along
}

module "storage" {
  source            = "../../modules/storage"
  name_prefix       = local.name_prefix
  account_id        = local.account_id
  region            = var.region
  partition         = data.aws_partition.current.partition
  web_origin        = local.web_url
  upload_prefix     = local.upload_prefix
  retry_delay_s     = local.retry_delay_s
  max_receive_count = 3
}

module "processor" {
  source               = "../../modules/processor"
  name_prefix          = local.name_prefix
  region               = var.region
  account_id           = local.account_id
  image_uri            = var.lambda_image_uri
  timeout_s            = local.lambda_timeout_s
  studio_name          = var.studio_name
  upload_prefix        = local.upload_prefix
  source_bucket_arn    = module.storage.source_bucket_arn
  processed_bucket     = module.storage.processed_bucket
  processed_bucket_arn = module.storage.processed_bucket_arn
  jobs_queue = {
    name                 = module.storage.jobs_queue_name, arn = module.storage.jobs_queue_arn
    visibility_timeout_s = module.storage.jobs_queue_visibility_timeout_s
  }
  dead_letters         = { arn = module.storage.dlq_arn, url = module.storage.dlq_url }
  permissions_boundary = local.permissions_boundary
}

module "settings" {
  source       = "../../modules/settings"
  name         = var.name
  environment  = local.environment
  name_prefix  = local.name_prefix
  studio_email = var.studio_email
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
    localstack_endpoint = ""
    web_url             = local.web_url
  }
}

module "network" {
  source      = "../../modules/network"
  name_prefix = local.name_prefix
  cidr        = "10.40.0.0/16"
  app_port    = local.app_port
}

module "database" {
  source              = "../../modules/database"
  name_prefix         = local.name_prefix
  subnet_ids          = module.network.private_subnet_ids
  security_group_id   = module.network.database_security_group_id
  multi_az            = false
  deletion_protection = false # staging may be destroyed and made again
  final_snapshot      = false
}

module "web_hosting" {
  source                = "../../modules/web_hosting"
  name_prefix           = local.name_prefix
  region                = var.region
  account_id            = local.account_id
  domain_name           = var.domain_name
  hosted_zone_id        = var.hosted_zone_id
  edge                  = local.edge
  image_uri             = var.web_image_uri
  image_repository_arn  = module.images.arns["web"]
  desired_count         = 1
  app_port              = local.app_port
  network               = module.network
  database              = module.database
  stack_parameter       = { name = module.settings.stack_parameter, arn = module.settings.stack_parameter_arn }
  secret_key_secret_arn = module.settings.web_secret_key_secret_arn
  permissions = {
    source_bucket_arn    = module.storage.source_bucket_arn
    processed_bucket_arn = module.storage.processed_bucket_arn
    upload_prefix        = local.upload_prefix
    jobs_queue_arn       = module.storage.jobs_queue_arn
    dlq_arn              = module.storage.dlq_arn
    function_arn         = module.processor.function_arn
    archiver_arn         = module.processor.archiver_arn
    email_identity_arn   = module.settings.studio_email_identity_arn
    studio_email         = var.studio_email
  }
  permissions_boundary = local.permissions_boundary
}

module "observability" {
  source          = "../../modules/observability"
  name_prefix     = local.name_prefix
  region          = var.region
  alarm_email     = var.alarm_email
  function_name   = module.processor.function_name
  jobs_queue_name = module.storage.jobs_queue_name
  dlq_name        = module.storage.dlq_name
  web_load_balancer = {
    arn_suffix              = module.web_hosting.alb_arn_suffix
    target_group_arn_suffix = module.web_hosting.target_group_arn_suffix
  }
}

# The web app hears of processed photos over HTTPS at its domain. It confirms the subscription
# itself (after checking the SNS signature), so it must serve first; a new DNS name may take
# minutes to resolve.
resource "aws_sns_topic_subscription" "web" {
  topic_arn                       = module.processor.topic_arn
  protocol                        = "https"
  endpoint                        = "${module.web_hosting.url}/sns"
  endpoint_auto_confirms          = true
  confirmation_timeout_in_minutes = 10
  depends_on                      = [module.web_hosting]
}
