# The web app on AWS: ECS on Fargate behind an application load balancer with HTTPS for
# var.domain_name (ACM, Route 53), the task's roles and logs. LocalStack's core has none of ECS,
# ELB or ACM's validation: locally the web app runs as a process or a container instead, behind a
# local HTTPS proxy that reads the same edge settings (terraform/edge.json).
#
# Not App Runner: it ends every request at 120 s, and the app's pages hold server-sent event
# streams open for hours. The load balancer's idle timeout stays well above the app's heartbeat
# on those streams (edge.json; checked in var.edge), so an idle stream is never cut.

locals {
  container = "web"
  url       = "https://${var.domain_name}"
  # edge.json's minimum TLS version, as the load balancer's policy (forward secrecy only)
  ssl_policies = {
    "TLSv1.2" = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    "TLSv1.3" = "ELBSecurityPolicy-TLS13-1-3-2021-06"
  }
  # What the task is told: names and ARNs only, never a secret's value.
  environment = {
    WEB_HOST                           = "0.0.0.0"
    WEB_PORT                           = tostring(var.app_port)
    WEB_KEEPALIVE_SECONDS              = tostring(var.edge.idle_timeout_seconds + 5) # outlives the balancer's idle connections
    VIVIDART_REGION                    = var.region
    VIVIDART_STACK_PARAMETER           = var.stack_parameter.name
    VIVIDART_WEB_PUBLIC_URL            = local.url
    VIVIDART_WEB_TRUST_PROXY           = "1" # X-Forwarded-For/-Proto from the load balancer
    VIVIDART_WEB_SSE_HEARTBEAT_SECONDS = tostring(var.edge.sse_heartbeat_seconds)
    VIVIDART_WEB_SECRET_KEY_SECRET     = var.secret_key_secret_arn
    VIVIDART_WEB_DATABASE_URL          = "postgresql://${var.database.username}@${var.database.address}:${var.database.port}/${var.database.database_name}?sslmode=require"
    VIVIDART_WEB_DATABASE_SECRET       = var.database.master_user_secret_arn
  }
}

# --- HTTPS: certificate, load balancer, DNS ------------------------------------------------------

resource "aws_acm_certificate" "web" {
  domain_name       = var.domain_name
  validation_method = "DNS"
  lifecycle {
    create_before_destroy = true
  }
}

# Without hosted_zone_id, add the record of the certificate_validation_records output to the
# domain's DNS yourself: the apply waits for it.
resource "aws_route53_record" "certificate_validation" {
  count           = var.hosted_zone_id != "" ? 1 : 0
  zone_id         = var.hosted_zone_id
  name            = one(aws_acm_certificate.web.domain_validation_options).resource_record_name
  type            = one(aws_acm_certificate.web.domain_validation_options).resource_record_type
  records         = [one(aws_acm_certificate.web.domain_validation_options).resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "web" {
  certificate_arn         = aws_acm_certificate.web.arn
  validation_record_fqdns = var.hosted_zone_id == "" ? null : aws_route53_record.certificate_validation[*].fqdn
}

resource "aws_lb" "web" {
  # checkov:skip=CKV2_AWS_28:no WAF (about $10 a month at idle): the app limits sign-in and PIN guesses itself
  # checkov:skip=CKV_AWS_91:no access logs (a bucket and cost per request): the app logs every request with its caller
  # checkov:skip=CKV_AWS_150:deletion protection off: the load balancer holds no data, and the environment's destroy must reach it
  name               = substr("${var.name_prefix}-web", 0, 32)
  load_balancer_type = "application"
  internal           = false
  security_groups    = [var.network.alb_security_group_id]
  subnets            = var.network.public_subnet_ids
  idle_timeout       = var.edge.idle_timeout_seconds
  # Refuse requests with malformed headers rather than pass them to the app.
  drop_invalid_header_fields = true
  # X-Forwarded-For gets the client's address appended (edge.json's forwarded_headers)
  xff_header_processing_mode = "append"
}

resource "aws_lb_target_group" "web" {
  name        = substr("${var.name_prefix}-web", 0, 32)
  vpc_id      = var.network.vpc_id
  target_type = "ip" # Fargate tasks (awsvpc)
  protocol    = "HTTP"
  port        = var.app_port
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
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = local.ssl_policies[var.edge.tls_min_version]
  certificate_arn   = aws_acm_certificate_validation.web.certificate_arn
  # the app sends the same header; the edge keeps it on every answer, errors included
  routing_http_response_strict_transport_security_header_value = "max-age=${var.edge.hsts_max_age_seconds}; includeSubDomains"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

resource "aws_lb_listener" "http" {
  # checkov:skip=CKV_AWS_2:plain HTTP only answers with a redirect to HTTPS
  # checkov:skip=CKV_AWS_103:plain HTTP only answers with a redirect to HTTPS
  load_balancer_arn = aws_lb.web.arn
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
  count   = var.hosted_zone_id != "" ? 1 : 0
  zone_id = var.hosted_zone_id
  name    = var.domain_name
  type    = "A"
  alias {
    name                   = aws_lb.web.dns_name
    zone_id                = aws_lb.web.zone_id
    evaluate_target_health = true
  }
}

# --- the service ------------------------------------------------------------------------------

resource "aws_ecs_cluster" "main" {
  # checkov:skip=CKV_AWS_65:no Container Insights (cost per metric): the load balancer's and the app's own metrics cover it
  name = var.name_prefix
}

resource "aws_cloudwatch_log_group" "web" {
  # checkov:skip=CKV_AWS_158:the account's CloudWatch encryption: request logs hold paths and timings, no photo content or secrets
  # checkov:skip=CKV_AWS_338:kept for log_retention_days (30 by default): the app's state is in the database, its logs are for days
  name              = "/ecs/${var.name_prefix}/web"
  retention_in_days = var.log_retention_days
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

# ECS itself, starting a task: pulls the image, writes the container's logs.
resource "aws_iam_role" "web_execution" {
  name                 = "${var.name_prefix}-web-execution"
  assume_role_policy   = data.aws_iam_policy_document.ecs_tasks_assume.json
  permissions_boundary = var.permissions_boundary
}

data "aws_iam_policy_document" "web_execution" {
  statement {
    sid       = "LogInToEcr" # has no resource of its own
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid       = "PullTheWebImage"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [var.image_repository_arn]
  }
  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.web.arn}:*"]
  }
}

resource "aws_iam_role_policy" "web_execution" {
  name   = "web-execution"
  role   = aws_iam_role.web_execution.id
  policy = data.aws_iam_policy_document.web_execution.json
}

# The web app itself: what its code calls (services/webapp, services/photo_jobs), nothing more.
resource "aws_iam_role" "web_task" {
  name                 = "${var.name_prefix}-web-task"
  assume_role_policy   = data.aws_iam_policy_document.ecs_tasks_assume.json
  permissions_boundary = var.permissions_boundary
}

data "aws_iam_policy_document" "web_task" {
  statement {
    sid       = "SignUploads" # presigned PUTs and multipart uploads, used by browsers and the CLI
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = ["${var.permissions.source_bucket_arn}/${var.permissions.upload_prefix}*"]
  }
  statement {
    sid       = "ReadPhotos" # heads, and copies of a photo onto itself with a new edit (+ PutObject)
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${var.permissions.source_bucket_arn}/${var.permissions.upload_prefix}*"]
  }
  statement {
    sid = "ListPhotos" # shoots' listings; a missing photo answers 404, not 403
    # the versions (rebuilding the photos' rows), and unfinished multipart uploads (resuming one)
    actions   = ["s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"]
    resources = [var.permissions.source_bucket_arn]
  }
  statement {
    sid       = "ReadResults" # job records, renditions and previews (presigned GETs, ZIPs)
    actions   = ["s3:GetObject"]
    resources = ["${var.permissions.processed_bucket_arn}/*"]
  }
  statement {
    sid       = "ListResults"
    actions   = ["s3:ListBucket"]
    resources = [var.permissions.processed_bucket_arn]
  }
  statement {
    sid       = "ForgetGaveUpJobs" # a retry deletes the job's record first
    actions   = ["s3:DeleteObject"]
    resources = ["${var.permissions.processed_bucket_arn}/jobs/${var.permissions.upload_prefix}*"]
  }
  statement {
    sid       = "SendJobs" # retries: the upload's S3 event, sent again
    actions   = ["sqs:SendMessage"]
    resources = [var.permissions.jobs_queue_arn]
  }
  statement {
    sid       = "SeeQueues" # the operations page
    actions   = ["sqs:GetQueueAttributes"]
    resources = [var.permissions.jobs_queue_arn, var.permissions.dlq_arn]
  }
  statement {
    sid       = "Preview" # the processor renders previews, synchronously; the archiver builds archives
    actions   = ["lambda:InvokeFunction"]
    resources = [var.permissions.function_arn, var.permissions.archiver_arn]
  }
  statement {
    sid       = "AskForArchives" # an archive's request, which the archiver reads
    actions   = ["s3:PutObject"]
    resources = ["${var.permissions.processed_bucket_arn}/archives/*"]
  }
  statement {
    sid       = "Email" # to the studio and its clients, every email raw (its text, its HTML, List-Unsubscribe), from the studio's address only
    actions   = ["ses:SendRawEmail"]
    resources = [var.permissions.email_identity_arn]
    condition {
      test     = "StringEquals"
      variable = "ses:FromAddress"
      values   = [var.permissions.studio_email]
    }
  }
  statement {
    sid       = "ReadSettings"
    actions   = ["ssm:GetParameter"]
    resources = [var.stack_parameter.arn]
  }
  statement {
    sid       = "ReadSecrets" # the session key; the database's credentials (rotated by RDS)
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.secret_key_secret_arn, var.database.master_user_secret_arn]
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
  name   = "web"
  role   = aws_iam_role.web_task.id
  policy = data.aws_iam_policy_document.web_task.json
}

resource "aws_ecs_task_definition" "web" {
  # checkov:skip=CKV_AWS_336:a writable root filesystem: gunicorn's worker heartbeats and spooled request bodies go to /tmp, and Fargate has no tmpfs; the container runs as a non-root user
  family                   = "${var.name_prefix}-web"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory_mb
  execution_role_arn       = aws_iam_role.web_execution.arn
  task_role_arn            = aws_iam_role.web_task.arn
  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }
  container_definitions = jsonencode([{
    name         = local.container
    image        = var.image_uri
    essential    = true
    portMappings = [{ containerPort = var.app_port, protocol = "tcp" }]
    environment  = [for name, value in local.environment : { name = name, value = value }]
    # ECS Exec's agent and the app's children are reaped properly
    linuxParameters = { initProcessEnabled = true }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.web.name
        awslogs-region        = var.region
        awslogs-stream-prefix = "web"
      }
    }
  }])
}

# Staff accounts and API tokens, from a shell in a running task (the AWS CLI and its Session
# Manager plugin on your machine; names from the outputs ecs_cluster_name, ecs_service_name):
#   aws ecs execute-command --cluster CLUSTER --container web --interactive \
#     --task "$(aws ecs list-tasks --cluster CLUSTER --service-name SERVICE --query 'taskArns[0]' --output text)" \
#     --command "/opt/venv/bin/vividart-admin create-staff you@example.com"
resource "aws_ecs_service" "web" {
  # checkov:skip=CKV_AWS_333:public IPs instead of a NAT gateway (modules/network): the tasks' security group admits the load balancer only
  name                   = "${var.name_prefix}-web"
  cluster                = aws_ecs_cluster.main.id
  task_definition        = aws_ecs_task_definition.web.arn
  desired_count          = var.desired_count
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
    subnets          = var.network.public_subnet_ids
    security_groups  = [var.network.tasks_security_group_id]
    assign_public_ip = true # no NAT gateway (modules/network)
  }
  load_balancer {
    target_group_arn = aws_lb_target_group.web.arn
    container_name   = local.container
    container_port   = var.app_port
  }
  depends_on = [aws_lb_listener.https, aws_iam_role_policy.web_task, aws_iam_role_policy.web_execution]
}
