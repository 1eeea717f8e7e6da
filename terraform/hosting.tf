# The web app on AWS (on_aws): its image in ECR, ECS on Fargate behind an application load
# balancer with HTTPS for var.domain_name, the task's roles, logs and alarms. LocalStack's core
# has none of ECR, ECS or ELB: locally the web app runs as a process or a container instead.
#
# Not App Runner: it ends every request at 120 s, and the app's pages hold server-sent event
# streams open for hours. The load balancer's idle timeout is set well above the app's heartbeat
# on those streams (both below), so an idle stream is never cut.

locals {
  web_container = "web"
  web_port      = 8080 # gunicorn.conf.py binds WEB_HOST:WEB_PORT
  # What the task is told: names and ARNs only, never a secret's value.
  web_environment = var.on_aws ? {
    WEB_HOST                           = "0.0.0.0"
    WEB_PORT                           = tostring(local.web_port)
    WEB_KEEPALIVE_SECONDS              = tostring(var.web_idle_timeout_seconds + 5) # outlives the balancer's idle connections
    VIVIDART_REGION                    = var.region
    VIVIDART_STACK_PARAMETER           = aws_ssm_parameter.stack.name
    VIVIDART_WEB_PUBLIC_URL            = local.web_url
    VIVIDART_WEB_TRUST_PROXY           = "1" # X-Forwarded-For/-Proto from the load balancer
    VIVIDART_WEB_SSE_HEARTBEAT_SECONDS = tostring(var.web_sse_heartbeat_seconds)
    VIVIDART_WEB_SECRET_KEY_SECRET     = aws_secretsmanager_secret.web_secret_key.arn
    VIVIDART_WEB_DATABASE_URL          = "postgresql://${local.database_user}@${aws_db_instance.main[0].address}:${aws_db_instance.main[0].port}/${local.database_name}?sslmode=require"
    VIVIDART_WEB_DATABASE_SECRET       = aws_db_instance.main[0].master_user_secret[0].secret_arn
  } : {}
}

# --- images ----------------------------------------------------------------------------------

resource "aws_ecr_repository" "web" {
  count                = var.on_aws ? 1 : 0
  name                 = "${local.prefix}/web"
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
}

# Deployments name images by digest; a rollback reaches back 20 builds.
resource "aws_ecr_lifecycle_policy" "images" {
  for_each = var.on_aws ? {
    processor = aws_ecr_repository.processor[0].name
    web       = aws_ecr_repository.web[0].name
  } : {}
  repository = each.value
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Untagged images (pushes that never got a tag) after 7 days"
        selection    = { tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = 7 }
        action       = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "All but the last 20 tagged images"
        selection    = { tagStatus = "tagged", tagPatternList = ["*"], countType = "imageCountMoreThan", countNumber = 20 }
        action       = { type = "expire" }
      },
    ]
  })
}

# --- HTTPS: certificate, load balancer, DNS ------------------------------------------------------

resource "aws_acm_certificate" "web" {
  count             = var.on_aws ? 1 : 0
  domain_name       = var.domain_name
  validation_method = "DNS"
  lifecycle {
    create_before_destroy = true
    precondition {
      condition     = var.domain_name != ""
      error_message = "on_aws needs domain_name: the web app is served over HTTPS for it."
    }
  }
}

# Without hosted_zone_id, add the record of the certificate_validation_records output to the
# domain's DNS yourself: the apply waits for it.
resource "aws_route53_record" "certificate_validation" {
  count           = var.on_aws && var.hosted_zone_id != "" ? 1 : 0
  zone_id         = var.hosted_zone_id
  name            = one(aws_acm_certificate.web[0].domain_validation_options).resource_record_name
  type            = one(aws_acm_certificate.web[0].domain_validation_options).resource_record_type
  records         = [one(aws_acm_certificate.web[0].domain_validation_options).resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "web" {
  count                   = var.on_aws ? 1 : 0
  certificate_arn         = aws_acm_certificate.web[0].arn
  validation_record_fqdns = var.hosted_zone_id == "" ? null : aws_route53_record.certificate_validation[*].fqdn
}

resource "aws_lb" "web" {
  # checkov:skip=CKV2_AWS_28:no WAF (about $10 a month at idle): the app limits sign-in and PIN guesses itself
  count              = var.on_aws ? 1 : 0
  name               = substr("${local.prefix}-web", 0, 32)
  load_balancer_type = "application"
  internal           = false
  security_groups    = [aws_security_group.alb[0].id]
  subnets            = aws_subnet.public[*].id
  idle_timeout       = var.web_idle_timeout_seconds
  # Refuse requests with malformed headers rather than pass them to the app.
  drop_invalid_header_fields = true
  lifecycle {
    precondition {
      condition     = var.web_idle_timeout_seconds >= 2 * var.web_sse_heartbeat_seconds
      error_message = "web_idle_timeout_seconds must be at least twice web_sse_heartbeat_seconds, or idle event streams are cut."
    }
  }
}

resource "aws_lb_target_group" "web" {
  count       = var.on_aws ? 1 : 0
  name        = substr("${local.prefix}-web", 0, 32)
  vpc_id      = aws_vpc.main[0].id
  target_type = "ip" # Fargate tasks (awsvpc)
  protocol    = "HTTP"
  port        = local.web_port
  # An open event stream is an outstanding request: new pages go to the task holding fewest.
  load_balancing_algorithm_type = "least_outstanding_requests"
  # Short: a stream never ends on its own, and the browser reconnects to another task anyway.
  deregistration_delay = 15
  # No stickiness: any task serves any request; live events reach every task through
  # PostgreSQL's LISTEN/NOTIFY.
  health_check {
    path                = "/healthz"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "https" {
  count             = var.on_aws ? 1 : 0
  load_balancer_arn = aws_lb.web[0].arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06" # TLS 1.3 and 1.2, forward secrecy only
  certificate_arn   = aws_acm_certificate_validation.web[0].certificate_arn
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web[0].arn
  }
}

resource "aws_lb_listener" "http" {
  count             = var.on_aws ? 1 : 0
  load_balancer_arn = aws_lb.web[0].arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type = "redirect"
    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_route53_record" "web" {
  count   = var.on_aws && var.hosted_zone_id != "" ? 1 : 0
  zone_id = var.hosted_zone_id
  name    = var.domain_name
  type    = "A"
  alias {
    name                   = aws_lb.web[0].dns_name
    zone_id                = aws_lb.web[0].zone_id
    evaluate_target_health = true
  }
}

# --- the service ------------------------------------------------------------------------------

resource "aws_ecs_cluster" "main" {
  count = var.on_aws ? 1 : 0
  name  = local.prefix
}

resource "aws_cloudwatch_log_group" "web" {
  count             = var.on_aws ? 1 : 0
  name              = "/ecs/${local.prefix}/web"
  retention_in_days = var.web_log_retention_days
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  count = var.on_aws ? 1 : 0
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# ECS itself, starting a task: pulls the image, writes the container's logs.
resource "aws_iam_role" "web_execution" {
  count              = var.on_aws ? 1 : 0
  name               = "${local.prefix}-web-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume[0].json
}

data "aws_iam_policy_document" "web_execution" {
  count = var.on_aws ? 1 : 0
  statement {
    sid       = "LogInToEcr" # has no resource of its own
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid       = "PullTheWebImage"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [aws_ecr_repository.web[0].arn]
  }
  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.web[0].arn}:*"]
  }
}

resource "aws_iam_role_policy" "web_execution" {
  count  = var.on_aws ? 1 : 0
  name   = "web-execution"
  role   = aws_iam_role.web_execution[0].id
  policy = data.aws_iam_policy_document.web_execution[0].json
}

# The web app itself: what its code calls (services/webapp, services/photo_jobs), nothing more.
resource "aws_iam_role" "web_task" {
  count              = var.on_aws ? 1 : 0
  name               = "${local.prefix}-web-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume[0].json
}

data "aws_iam_policy_document" "web_task" {
  count = var.on_aws ? 1 : 0
  statement {
    sid       = "SignUploads" # presigned PUTs and multipart uploads, used by browsers and the CLI
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = ["${aws_s3_bucket.source.arn}/${var.upload_prefix}*"]
  }
  statement {
    sid       = "ReadPhotos" # heads, and copies of a photo onto itself with a new edit (+ PutObject)
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${aws_s3_bucket.source.arn}/${var.upload_prefix}*"]
  }
  statement {
    sid       = "ListPhotos" # shoots' listings; a missing photo answers 404, not 403
    actions   = ["s3:ListBucket", "s3:ListBucketVersions"]
    resources = [aws_s3_bucket.source.arn]
  }
  statement {
    sid       = "ReadResults" # job records, renditions and previews (presigned GETs, ZIPs)
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.processed.arn}/*"]
  }
  statement {
    sid       = "ListResults"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.processed.arn]
  }
  statement {
    sid       = "ForgetGaveUpJobs" # a retry deletes the job's record first
    actions   = ["s3:DeleteObject"]
    resources = ["${aws_s3_bucket.processed.arn}/jobs/${var.upload_prefix}*"]
  }
  statement {
    sid       = "SendJobs" # retries: the upload's S3 event, sent again
    actions   = ["sqs:SendMessage"]
    resources = [local.jobs_queue_arn]
  }
  statement {
    sid       = "SeeQueues" # the operations page
    actions   = ["sqs:GetQueueAttributes"]
    resources = [local.jobs_queue_arn, aws_sqs_queue.dlq.arn]
  }
  statement {
    sid       = "Preview" # the processor renders previews, synchronously
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.processor.arn]
  }
  statement {
    sid       = "EmailTheStudio" # clients' selections
    actions   = ["ses:SendEmail"]
    resources = [aws_ses_email_identity.studio.arn]
    condition {
      test     = "StringEquals"
      variable = "ses:FromAddress"
      values   = [var.studio_email]
    }
  }
  statement {
    sid       = "ReadSettings"
    actions   = ["ssm:GetParameter"]
    resources = [aws_ssm_parameter.stack.arn]
  }
  statement {
    sid       = "ReadSecrets" # the session key; the database's credentials (rotated by RDS)
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.web_secret_key.arn, aws_db_instance.main[0].master_user_secret[0].secret_arn]
  }
  statement {
    sid       = "ChartMetrics" # the operations page (webapp/ops.py); these have no resource of their own
    actions   = ["cloudwatch:GetMetricData"]
    resources = ["*"]
  }
  statement {
    sid = "EcsExec" # staff's shell into a task (below); these actions have no resource of their own
    actions = ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "web_task" {
  count  = var.on_aws ? 1 : 0
  name   = "web"
  role   = aws_iam_role.web_task[0].id
  policy = data.aws_iam_policy_document.web_task[0].json
}

resource "aws_ecs_task_definition" "web" {
  count                    = var.on_aws ? 1 : 0
  family                   = "${local.prefix}-web"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.web_cpu
  memory                   = var.web_memory_mb
  execution_role_arn       = aws_iam_role.web_execution[0].arn
  task_role_arn            = aws_iam_role.web_task[0].arn
  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }
  container_definitions = jsonencode([{
    name         = local.web_container
    image        = var.web_image_uri
    essential    = true
    portMappings = [{ containerPort = local.web_port, protocol = "tcp" }]
    environment  = [for name, value in local.web_environment : { name = name, value = value }]
    # ECS Exec's agent and the app's children are reaped properly
    linuxParameters = { initProcessEnabled = true }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.web[0].name
        awslogs-region        = var.region
        awslogs-stream-prefix = "web"
      }
    }
  }])
  lifecycle {
    precondition {
      condition     = can(regex(local.image_by_digest, var.web_image_uri))
      error_message = "web_image_uri: the web image by digest, <repository>@sha256:<64 hex digits>."
    }
  }
}

# Staff accounts and API tokens, from a shell in a running task (the AWS CLI and its Session
# Manager plugin on your machine; names from the outputs ecs_cluster_name, ecs_service_name):
#   aws ecs execute-command --cluster CLUSTER --container web --interactive \
#     --task "$(aws ecs list-tasks --cluster CLUSTER --service-name SERVICE --query 'taskArns[0]' --output text)" \
#     --command "/opt/venv/bin/vividart-admin create-staff you@example.com"
resource "aws_ecs_service" "web" {
  count                  = var.on_aws ? 1 : 0
  name                   = "${local.prefix}-web"
  cluster                = aws_ecs_cluster.main[0].id
  task_definition        = aws_ecs_task_definition.web[0].arn
  desired_count          = var.web_desired_count
  launch_type            = "FARGATE"
  platform_version       = "LATEST"
  enable_execute_command = true
  propagate_tags         = "SERVICE"
  # A new image replaces the tasks one by one with no gap; one that never turns healthy is
  # rolled back to the previous task definition.
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 60
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
  # The apply ends when the new tasks serve (the pipeline's smoke test comes next, and SNS's
  # subscription confirmation needs the app up).
  wait_for_steady_state = true
  network_configuration {
    subnets          = aws_subnet.public[*].id
    security_groups  = [aws_security_group.tasks[0].id]
    assign_public_ip = true # no NAT gateway (network.tf)
  }
  load_balancer {
    target_group_arn = aws_lb_target_group.web[0].arn
    container_name   = local.web_container
    container_port   = local.web_port
  }
  depends_on = [aws_lb_listener.https, aws_iam_role_policy.web_task, aws_iam_role_policy.web_execution]
}

# --- alarms (to the alarms topic in alarms.tf) -----------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "web_5xx" {
  count               = var.on_aws ? 1 : 0
  alarm_name          = "${local.prefix}-web-5xx"
  alarm_description   = "The web app answered with server errors (5xx)."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_Target_5XX_Count"
  dimensions          = { LoadBalancer = aws_lb.web[0].arn_suffix, TargetGroup = aws_lb_target_group.web[0].arn_suffix }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 5
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "web_unhealthy_hosts" {
  count               = var.on_aws ? 1 : 0
  alarm_name          = "${local.prefix}-web-unhealthy-hosts"
  alarm_description   = "A web app task fails the load balancer's health check (/healthz)."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = aws_lb.web[0].arn_suffix, TargetGroup = aws_lb_target_group.web[0].arn_suffix }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}
