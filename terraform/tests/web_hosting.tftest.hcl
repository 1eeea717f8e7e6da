# The web app on AWS (modules/web_hosting), planned with the project's mock AWS provider: no
# credentials, no network. Run from terraform/: terraform test (tests/unit/test_terraform_plans.py
# does, from a copy). Needs Terraform 1.11 (override_during).

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  name_prefix          = "vividart-staging"
  region               = "eu-west-1"
  account_id           = "123456789012"
  domain_name          = "photos.example.com"
  hosted_zone_id       = "Z0123456789EXAMPLE"
  edge                 = jsondecode(file("edge.json"))
  image_uri            = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/vividart-staging/web@sha256:1111111111111111111111111111111111111111111111111111111111111111"
  image_repository_arn = "arn:aws:ecr:eu-west-1:123456789012:repository/vividart-staging/web"
  network = {
    vpc_id                  = "vpc-1"
    public_subnet_ids       = ["subnet-public-a", "subnet-public-b"]
    alb_security_group_id   = "sg-alb"
    tasks_security_group_id = "sg-tasks"
  }
  database = {
    address                = "vividart-staging-database.abc123.eu-west-1.rds.amazonaws.com"
    port                   = 5432
    database_name          = "vividart"
    username               = "vividart"
    master_user_secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1234-AbCdEf"
  }
  stack_parameter       = { name = "/vividart/staging/stack", arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/vividart/staging/stack" }
  secret_key_secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vividart-staging/web/secret-key-AbCdEf"
  permissions = {
    source_bucket_arn    = "arn:aws:s3:::vividart-staging-source-123456789012"
    processed_bucket_arn = "arn:aws:s3:::vividart-staging-processed-123456789012"
    upload_prefix        = "uploads/"
    jobs_queue_arn       = "arn:aws:sqs:eu-west-1:123456789012:vividart-staging-jobs"
    dlq_arn              = "arn:aws:sqs:eu-west-1:123456789012:vividart-staging-jobs-dlq"
    function_arn         = "arn:aws:lambda:eu-west-1:123456789012:function:vividart-staging-photo-processor"
    archiver_arn         = "arn:aws:lambda:eu-west-1:123456789012:function:vividart-staging-photo-archiver"
    email_identity_arn   = "arn:aws:ses:eu-west-1:123456789012:identity/studio@example.com"
    studio_email         = "studio@example.com"
  }
}

run "the_web_app_is_served_by_fargate_behind_https" {
  command = plan
  module {
    source = "./modules/web_hosting"
  }
  override_resource {
    target          = aws_iam_role.web_task
    values          = { arn = "arn:aws:iam::123456789012:role/web-task" }
    override_during = plan
  }

  assert {
    condition     = aws_ecs_service.web.launch_type == "FARGATE" && aws_ecs_task_definition.web.requires_compatibilities == toset(["FARGATE"])
    error_message = "The web app runs on Fargate."
  }
  assert {
    condition     = one(aws_ecs_service.web.load_balancer).target_group_arn == aws_lb_target_group.web.arn && one(aws_ecs_service.web.load_balancer).container_port == aws_lb_target_group.web.port
    error_message = "The service's tasks are registered in the web target group, on its port."
  }
  assert {
    condition     = aws_ecs_service.web.task_definition == aws_ecs_task_definition.web.arn && aws_ecs_service.web.cluster == aws_ecs_cluster.main.id
    error_message = "The service runs the web task definition in the cluster."
  }
  assert {
    condition     = toset(aws_lb.web.security_groups) == toset(["sg-alb"]) && toset(aws_lb.web.subnets) == toset(["subnet-public-a", "subnet-public-b"])
    error_message = "The load balancer sits in the public subnets, behind its own security group."
  }
  assert {
    condition     = toset(aws_ecs_service.web.network_configuration[0].security_groups) == toset(["sg-tasks"]) && aws_ecs_service.web.network_configuration[0].assign_public_ip && toset(aws_ecs_service.web.network_configuration[0].subnets) == toset(["subnet-public-a", "subnet-public-b"])
    error_message = "Tasks run in the public subnets with public IPs (no NAT gateway), behind the tasks' security group."
  }
  assert {
    condition     = aws_ecs_service.web.deployment_circuit_breaker[0].enable && aws_ecs_service.web.deployment_circuit_breaker[0].rollback
    error_message = "A deploy that never turns healthy rolls back."
  }
  assert {
    condition     = aws_ecs_service.web.enable_execute_command && aws_ecs_service.web.desired_count == 2 && aws_ecs_service.web.wait_for_steady_state
    error_message = "ECS Exec on (vividart-admin), two tasks by default, the apply ends when they serve."
  }
  assert {
    condition     = tonumber({ for variable in jsondecode(aws_ecs_task_definition.web.container_definitions)[0].environment : variable.name => variable.value }["WEB_KEEPALIVE_SECONDS"]) > aws_lb.web.idle_timeout
    error_message = "The app keeps idle connections open longer than the load balancer does (no 502s on reuse)."
  }
  assert {
    condition     = { for variable in jsondecode(aws_ecs_task_definition.web.container_definitions)[0].environment : variable.name => variable.value }["WEB_PORT"] == tostring(aws_lb_target_group.web.port) && jsondecode(aws_ecs_task_definition.web.container_definitions)[0].portMappings[0].containerPort == aws_lb_target_group.web.port
    error_message = "The app listens on the port the target group sends to."
  }
  assert {
    condition     = aws_lb_target_group.web.health_check[0].path == "/healthz" && aws_lb_target_group.web.target_type == "ip"
    error_message = "Tasks are health-checked on /healthz, by IP (awsvpc)."
  }
  assert {
    condition     = aws_lb_listener.https.protocol == "HTTPS" && aws_lb_listener.https.port == 443 && aws_lb_listener.https.certificate_arn == aws_acm_certificate_validation.web.certificate_arn && aws_acm_certificate_validation.web.certificate_arn == aws_acm_certificate.web.arn
    error_message = "The HTTPS listener serves the domain's validated certificate."
  }
  assert {
    condition     = aws_lb_listener.https.default_action[0].target_group_arn == aws_lb_target_group.web.arn && startswith(aws_lb_listener.https.ssl_policy, "ELBSecurityPolicy-TLS13-")
    error_message = "HTTPS forwards to the web app, with a TLS 1.3 policy."
  }
  assert {
    condition     = aws_lb_listener.http.port == 80 && aws_lb_listener.http.default_action[0].type == "redirect" && aws_lb_listener.http.default_action[0].redirect[0].protocol == "HTTPS" && aws_lb_listener.http.default_action[0].redirect[0].port == "443"
    error_message = "HTTP redirects to HTTPS."
  }
  assert {
    condition     = aws_acm_certificate.web.domain_name == "photos.example.com" && aws_route53_record.web[0].name == "photos.example.com" && aws_route53_record.web[0].alias[0].name == aws_lb.web.dns_name
    error_message = "The certificate and an alias record name the domain, pointing at the load balancer."
  }
  assert {
    condition     = aws_route53_record.certificate_validation[0].zone_id == "Z0123456789EXAMPLE" && aws_route53_record.certificate_validation[0].type == "CNAME" && aws_acm_certificate_validation.web.validation_record_fqdns == toset([aws_route53_record.certificate_validation[0].fqdn])
    error_message = "The certificate is validated by a DNS record in the hosted zone."
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.web.container_definitions)[0].image == var.image_uri
    error_message = "The task runs the web image by digest."
  }
  assert {
    condition     = alltrue([for statement in data.aws_iam_policy_document.web_task.statement : alltrue([for action in statement.actions : !strcontains(action, "*")])])
    error_message = "The task role names every action it may take (no wildcards)."
  }
  assert {
    condition     = contains(flatten([for statement in data.aws_iam_policy_document.web_task.statement : statement.resources if contains(statement.actions, "secretsmanager:GetSecretValue")]), var.database.master_user_secret_arn) && contains(flatten([for statement in data.aws_iam_policy_document.web_task.statement : statement.resources if contains(statement.actions, "ssm:GetParameter")]), var.stack_parameter.arn)
    error_message = "The task may read the database's secret and the stack's settings."
  }
  assert {
    condition     = aws_ecs_task_definition.web.task_role_arn == aws_iam_role.web_task.arn && aws_ecs_task_definition.web.execution_role_arn == aws_iam_role.web_execution.arn && aws_iam_role.web_task.arn != aws_iam_role.web_execution.arn
    error_message = "The task's own role and ECS's execution role are separate."
  }
  assert {
    condition = alltrue([for name, value in {
      VIVIDART_WEB_PUBLIC_URL        = "https://photos.example.com"
      VIVIDART_WEB_TRUST_PROXY       = "1"
      VIVIDART_STACK_PARAMETER       = "/vividart/staging/stack"
      VIVIDART_REGION                = "eu-west-1"
      VIVIDART_WEB_DATABASE_SECRET   = var.database.master_user_secret_arn
      VIVIDART_WEB_SECRET_KEY_SECRET = var.secret_key_secret_arn
    } : { for variable in jsondecode(aws_ecs_task_definition.web.container_definitions)[0].environment : variable.name => variable.value }[name] == value])
    error_message = "The task is told its public URL, to trust the load balancer, and where its settings and secrets are."
  }
  assert {
    condition     = alltrue([for variable in jsondecode(aws_ecs_task_definition.web.container_definitions)[0].environment : !can(regex("(?i)password|:[^@/]+@", variable.value))])
    error_message = "The task is given the names of its secrets, never their values."
  }
  assert {
    condition     = output.url == "https://photos.example.com" && output.service_name == aws_ecs_service.web.name && output.alb_dns_name == aws_lb.web.dns_name
    error_message = "The outputs tell the pipeline where the app is."
  }
}

run "images_must_be_named_by_digest" {
  command = plan
  module {
    source = "./modules/web_hosting"
  }
  variables {
    image_uri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/vividart-staging/web:latest"
  }
  expect_failures = [var.image_uri]
}

run "the_idle_timeout_must_outlast_the_heartbeat" {
  command = plan
  module {
    source = "./modules/web_hosting"
  }
  variables {
    edge = merge(jsondecode(file("edge.json")), { sse_heartbeat_seconds = 60, idle_timeout_seconds = 90 })
  }
  expect_failures = [var.edge]
}

run "without_a_hosted_zone_the_records_are_left_to_a_person" {
  command = plan
  module {
    source = "./modules/web_hosting"
  }
  variables {
    hosted_zone_id = ""
  }
  assert {
    condition     = length(aws_route53_record.web) == 0 && length(aws_route53_record.certificate_validation) == 0 && aws_acm_certificate_validation.web.validation_record_fqdns == null && length(output.certificate_validation_records) == 1
    error_message = "No DNS records are made; the outputs name the certificate's validation record."
  }
}
