# The data plane's modules (hardened_bucket, storage, processor, observability), planned with the
# project's mock AWS provider. Run from terraform/: terraform test.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

run "a_hardened_bucket_is_private_encrypted_versioned_and_tls_only" {
  command = plan
  module {
    source = "./modules/hardened_bucket"
  }
  variables {
    name                    = "vividart-tfstate-123456789012-eu-west-1"
    noncurrent_version_days = 90
  }

  assert {
    condition     = aws_s3_bucket.this.bucket == var.name && !aws_s3_bucket.this.force_destroy && output.id == var.name
    error_message = "The bucket is named as asked and refuses to be deleted with objects in it."
  }
  assert {
    condition     = aws_s3_bucket_versioning.this[0].versioning_configuration[0].status == "Enabled"
    error_message = "Every version is kept (until the lifecycle rule expires old ones)."
  }
  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256"
    error_message = "Encrypted at rest."
  }
  assert {
    condition = alltrue([aws_s3_bucket_public_access_block.this.block_public_acls, aws_s3_bucket_public_access_block.this.block_public_policy,
    aws_s3_bucket_public_access_block.this.ignore_public_acls, aws_s3_bucket_public_access_block.this.restrict_public_buckets])
    error_message = "No public access, by ACL or by policy."
  }
  assert {
    condition     = aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "No ACLs at all."
  }
  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.tls_only.statement : s.effect == "Deny" && contains(s.actions, "s3:*") && anytrue([
      for c in s.condition : c.variable == "aws:SecureTransport" && c.values == tolist(["false"])
    ])]) && aws_s3_bucket_policy.this.bucket == aws_s3_bucket.this.id
    error_message = "The bucket policy refuses every request not made over TLS."
  }
  assert {
    condition     = anytrue([for r in aws_s3_bucket_lifecycle_configuration.this.rule : r.status == "Enabled" && r.noncurrent_version_expiration[0].noncurrent_days == 90 if length(r.noncurrent_version_expiration) > 0])
    error_message = "Overwritten versions expire after noncurrent_version_days."
  }
  assert {
    condition     = anytrue([for r in aws_s3_bucket_lifecycle_configuration.this.rule : r.abort_incomplete_multipart_upload[0].days_after_initiation == 7 if length(r.abort_incomplete_multipart_upload) > 0])
    error_message = "Incomplete uploads are cleaned up after a week (as long as an upload grant lasts)."
  }
}

run "a_bucket_of_derived_objects_is_not_versioned" {
  command = plan
  module {
    source = "./modules/hardened_bucket"
  }
  variables {
    name              = "vividart-staging-processed-123456789012"
    versioned         = false
    expire_after_days = { "previews/" = 1 }
  }
  assert {
    condition     = length(aws_s3_bucket_versioning.this) == 0 && anytrue([for r in aws_s3_bucket_lifecycle_configuration.this.rule : r.filter[0].prefix == "previews/" && r.expiration[0].days == 1 if length(r.expiration) > 0])
    error_message = "Unversioned; objects under previews/ expire after a day."
  }
}

run "uploads_notify_the_jobs_queue_which_dead_letters_after_its_tries" {
  command = plan
  module {
    source = "./modules/storage"
  }
  variables {
    name_prefix       = "vividart-staging"
    account_id        = "123456789012"
    region            = "eu-west-1"
    web_origin        = "https://photos.example.com"
    upload_prefix     = "uploads/"
    retry_delay_s     = 180
    max_receive_count = 3
  }
  assert {
    condition     = one(aws_s3_bucket_notification.uploads.queue).queue_arn == aws_sqs_queue.jobs.arn && one(aws_s3_bucket_notification.uploads.queue).filter_prefix == "uploads/" && one(aws_s3_bucket_notification.uploads.queue).events == toset(["s3:ObjectCreated:*"])
    error_message = "Every upload under the prefix is a job on the queue."
  }
  assert {
    condition     = jsondecode(aws_sqs_queue.jobs.redrive_policy).maxReceiveCount == 3 && jsondecode(aws_sqs_queue.jobs.redrive_policy).deadLetterTargetArn == aws_sqs_queue.dlq.arn && aws_sqs_queue.jobs.visibility_timeout_seconds == 180
    error_message = "After max_receive_count tries a job goes to the dead-letter queue; a retry waits retry_delay_s."
  }
  assert {
    condition     = one(aws_s3_bucket_cors_configuration.source.cors_rule).allowed_origins == toset(["https://photos.example.com"]) && one(aws_s3_bucket_cors_configuration.processed.cors_rule).allowed_methods == toset(["GET"])
    error_message = "Browsers upload and download from the web app's origin only."
  }
  assert {
    condition     = output.source_bucket == "vividart-staging-source-123456789012" && output.processed_bucket == "vividart-staging-processed-123456789012"
    error_message = "Buckets are named <prefix>-<role>-<account>."
  }
}

run "the_processor_runs_its_image_by_digest" {
  command = plan
  module {
    source = "./modules/processor"
  }
  variables {
    name_prefix          = "vividart-staging"
    region               = "eu-west-1"
    account_id           = "123456789012"
    image_uri            = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/vividart-staging/photo-processor@sha256:2222222222222222222222222222222222222222222222222222222222222222"
    studio_name          = "VividArt Studio"
    upload_prefix        = "uploads/"
    source_bucket_arn    = "arn:aws:s3:::vividart-staging-source-123456789012"
    processed_bucket     = "vividart-staging-processed-123456789012"
    processed_bucket_arn = "arn:aws:s3:::vividart-staging-processed-123456789012"
    jobs_queue           = { name = "vividart-staging-jobs", arn = "arn:aws:sqs:eu-west-1:123456789012:vividart-staging-jobs", visibility_timeout_s = 180 }
    dead_letters         = { arn = "arn:aws:sqs:eu-west-1:123456789012:vividart-staging-jobs-dlq", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/vividart-staging-jobs-dlq" }
  }
  assert {
    condition     = aws_lambda_function.processor.package_type == "Image" && aws_lambda_function.processor.image_uri == var.image_uri
    error_message = "The function runs the image it is given."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.jobs.event_source_arn == var.jobs_queue.arn && aws_lambda_event_source_mapping.dead_letters.event_source_arn == var.dead_letters.arn && aws_lambda_event_source_mapping.jobs.function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "The function takes jobs and dead letters, and reports failures per photo."
  }
  assert {
    condition     = aws_sns_topic.events.signature_version == 2
    error_message = "Events are signed with SHA256 (the web app refuses SHA1)."
  }
  assert {
    condition     = aws_lambda_function.archiver.image_uri == var.image_uri && aws_lambda_function.archiver.timeout == 900 && aws_lambda_function.archiver.role == aws_lambda_function.processor.role
    error_message = "Download all is built by the same image, with Lambda's longest timeout."
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.archiver.maximum_retry_attempts == 0
    error_message = "A failed archive is not retried beside a build that may still run (the web app asks again)."
  }
  assert {
    condition     = aws_lambda_function.ticks.image_uri == var.image_uri && one(aws_lambda_function.ticks.image_config).command[0] == "photo_processor.ticks.lambda_handler" && aws_iam_role.ticks.name == "vividart-staging-ticks"
    error_message = "The tick function is the same image with its own handler, under a role of its own."
  }
  assert {
    condition     = toset(flatten([for s in data.aws_iam_policy_document.ticks.statement : tolist(s.actions)])) == toset(["sns:Publish", "logs:CreateLogStream", "logs:PutLogEvents"]) && one([for s in data.aws_iam_policy_document.ticks.statement : s.resources if s.sid == "PublishTicks"]) == toset([aws_sns_topic.events.arn])
    error_message = "The tick function may publish to the events topic and write its logs, nothing else."
  }
  assert {
    condition     = aws_cloudwatch_event_rule.ticks.schedule_expression == "rate(5 minutes)" && aws_cloudwatch_event_target.ticks.rule == aws_cloudwatch_event_rule.ticks.name && aws_lambda_permission.ticks.principal == "events.amazonaws.com" && aws_lambda_permission.ticks.function_name == aws_lambda_function.ticks.function_name
    error_message = "An EventBridge rule invokes the tick function every 5 minutes, and only the schedule may."
  }
}

run "a_processor_image_by_tag_is_refused" {
  command = plan
  module {
    source = "./modules/processor"
  }
  variables {
    name_prefix          = "vividart-staging"
    region               = "eu-west-1"
    account_id           = "123456789012"
    image_uri            = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/vividart-staging/photo-processor:latest"
    studio_name          = "VividArt Studio"
    upload_prefix        = "uploads/"
    source_bucket_arn    = "arn:aws:s3:::source"
    processed_bucket     = "processed"
    processed_bucket_arn = "arn:aws:s3:::processed"
    jobs_queue           = { name = "jobs", arn = "arn:aws:sqs:eu-west-1:123456789012:jobs", visibility_timeout_s = 180 }
    dead_letters         = { arn = "arn:aws:sqs:eu-west-1:123456789012:dlq", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/dlq" }
  }
  expect_failures = [aws_lambda_function.processor, aws_lambda_function.archiver, aws_lambda_function.ticks]
}

run "a_retry_may_not_start_while_the_try_before_it_runs" {
  command = plan
  module {
    source = "./modules/processor"
  }
  variables {
    name_prefix          = "vividart-staging"
    region               = "eu-west-1"
    account_id           = "123456789012"
    image_uri            = "vividart/photo-processor:local"
    image_by_digest      = false
    timeout_s            = 120
    studio_name          = "VividArt Studio"
    upload_prefix        = "uploads/"
    source_bucket_arn    = "arn:aws:s3:::source"
    processed_bucket     = "processed"
    processed_bucket_arn = "arn:aws:s3:::processed"
    jobs_queue           = { name = "jobs", arn = "arn:aws:sqs:eu-west-1:123456789012:jobs", visibility_timeout_s = 60 }
    dead_letters         = { arn = "arn:aws:sqs:eu-west-1:123456789012:dlq", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/dlq" }
  }
  expect_failures = [aws_lambda_function.processor]
}

run "every_alarm_notifies_the_topic_and_the_web_ones_need_a_load_balancer" {
  command = plan
  module {
    source = "./modules/observability"
  }
  variables {
    name_prefix       = "vividart-staging"
    region            = "eu-west-1"
    alarm_email       = "oncall@example.com"
    function_name     = "vividart-staging-photo-processor"
    jobs_queue_name   = "vividart-staging-jobs"
    dlq_name          = "vividart-staging-jobs-dlq"
    web_load_balancer = { arn_suffix = "app/web/1", target_group_arn_suffix = "targetgroup/web/1" }
  }
  assert {
    condition = alltrue([for alarm in concat([aws_cloudwatch_metric_alarm.dlq_not_empty, aws_cloudwatch_metric_alarm.processor_errors,
      aws_cloudwatch_metric_alarm.processor_throttles, aws_cloudwatch_metric_alarm.job_duration_p90], values(aws_cloudwatch_metric_alarm.web)) :
    alarm.alarm_actions == toset([aws_sns_topic.alarms.arn]) && alarm.ok_actions == toset([aws_sns_topic.alarms.arn])])
    error_message = "Every alarm notifies the alarms topic, both ways."
  }
  assert {
    condition     = toset(keys(aws_cloudwatch_metric_alarm.web)) == toset(["5xx", "unhealthy-hosts"]) && aws_cloudwatch_metric_alarm.web["5xx"].metric_name == "HTTPCode_Target_5XX_Count" && aws_cloudwatch_metric_alarm.web["unhealthy-hosts"].dimensions.LoadBalancer == "app/web/1"
    error_message = "The web app's 5xx answers and unhealthy tasks raise alarms."
  }
  assert {
    condition     = aws_sns_topic_subscription.alarm_email[0].endpoint == "oncall@example.com" && aws_sns_topic_subscription.alarm_email[0].protocol == "email"
    error_message = "Someone is emailed."
  }
}
