# The web app on AWS (hosting.tf, network.tf, database.tf, settings.tf), planned with a mock AWS
# provider: no credentials, no network. Run from terraform/: terraform test
# (tests/unit/test_terraform_plans.py does, from a copy). Needs Terraform 1.11 (override_during).

mock_provider "aws" {
  # Computed values (ARNs, names) are made up at plan time, so the wiring can be compared.
  override_during = plan

  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_availability_zones" {
    defaults = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_acm_certificate" {
    defaults = {
      arn = "arn:aws:acm:eu-west-1:123456789012:certificate/0000-web"
      domain_validation_options = [{
        domain_name           = "photos.example.com"
        resource_record_name  = "_x1.photos.example.com."
        resource_record_type  = "CNAME"
        resource_record_value = "_x2.acm-validations.aws."
      }]
    }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::bucket" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:eu-west-1:123456789012:queue" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:topic" }
  }
  mock_resource "aws_lambda_function" {
    defaults = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:processor" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/role" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:group" }
  }
  mock_resource "aws_ses_email_identity" {
    defaults = { arn = "arn:aws:ses:eu-west-1:123456789012:identity/studio@example.com" }
  }
  mock_resource "aws_ssm_parameter" {
    defaults = { arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/vividart/staging/stack" }
  }
  mock_resource "aws_secretsmanager_secret" {
    defaults = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vividart-staging/web/secret-key-AbCdEf" }
  }
  mock_resource "aws_ecr_repository" {
    defaults = { arn = "arn:aws:ecr:eu-west-1:123456789012:repository/repo" }
  }
  mock_resource "aws_lb" {
    defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/lb/1" }
  }
  mock_resource "aws_lb_target_group" {
    defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg/1" }
  }
  mock_resource "aws_ecs_cluster" {
    defaults = { arn = "arn:aws:ecs:eu-west-1:123456789012:cluster/cluster" }
  }
  mock_resource "aws_ecs_task_definition" {
    defaults = { arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1" }
  }
  mock_resource "aws_subnet" {}
  mock_resource "aws_vpc" {}
  mock_resource "aws_security_group" {}
  mock_resource "aws_route53_record" {}
  mock_resource "aws_ecs_service" {}
  mock_resource "aws_secretsmanager_secret_version" {}
  override_resource {
    target = aws_lb.web
    values = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/1" }
  }
  override_resource {
    target = aws_lb_target_group.web
    values = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/1" }
  }
  override_resource {
    target = aws_iam_role.web_task
    values = { arn = "arn:aws:iam::123456789012:role/web-task" }
  }
  override_resource {
    target = aws_iam_role.web_execution
    values = { arn = "arn:aws:iam::123456789012:role/web-execution" }
  }
  override_resource {
    target = aws_iam_role.processor
    values = { arn = "arn:aws:iam::123456789012:role/processor" }
  }
  override_resource {
    target = aws_sns_topic.events
    values = { arn = "arn:aws:sns:eu-west-1:123456789012:events" }
  }
  override_resource {
    target = aws_sns_topic.alarms
    values = { arn = "arn:aws:sns:eu-west-1:123456789012:alarms" }
  }
  mock_resource "aws_db_instance" {
    defaults = {
      address = "vividart-staging-database.abc123.eu-west-1.rds.amazonaws.com"
      port    = 5432
      master_user_secret = [{
        secret_arn    = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1234-AbCdEf"
        kms_key_id    = ""
        secret_status = "active"
      }]
    }
  }
}

variables {
  environment      = "staging"
  region           = "eu-west-1"
  domain_name      = "photos.example.com"
  hosted_zone_id   = "Z0123456789EXAMPLE"
  web_image_uri    = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/vividart-staging/web@sha256:1111111111111111111111111111111111111111111111111111111111111111"
  lambda_image_uri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/vividart-staging/photo-processor@sha256:2222222222222222222222222222222222222222222222222222222222222222"
}

run "on_aws_the_web_app_is_served_by_fargate_behind_https" {
  command = plan
  variables {
    on_aws = true
  }

  assert {
    condition     = aws_ecs_service.web[0].launch_type == "FARGATE" && aws_ecs_task_definition.web[0].requires_compatibilities == toset(["FARGATE"])
    error_message = "The web app runs on Fargate."
  }
  assert {
    condition     = one(aws_ecs_service.web[0].load_balancer).target_group_arn == aws_lb_target_group.web[0].arn && one(aws_ecs_service.web[0].load_balancer).container_port == aws_lb_target_group.web[0].port
    error_message = "The service's tasks are registered in the web target group, on its port."
  }
  assert {
    condition     = aws_ecs_service.web[0].task_definition == aws_ecs_task_definition.web[0].arn && aws_ecs_service.web[0].cluster == aws_ecs_cluster.main[0].id
    error_message = "The service runs the web task definition in the cluster."
  }
  assert {
    condition     = toset(aws_lb.web[0].security_groups) == toset([aws_security_group.alb[0].id]) && toset(aws_lb.web[0].subnets) == toset(aws_subnet.public[*].id) && { for name, rule in aws_vpc_security_group_ingress_rule.alb : name => [rule.cidr_ipv4, rule.from_port, rule.to_port] } == { https = ["0.0.0.0/0", 443, 443], http = ["0.0.0.0/0", 80, 80] }
    error_message = "The load balancer takes HTTPS and HTTP from the internet, in the public subnets."
  }
  assert {
    condition     = toset(aws_ecs_service.web[0].network_configuration[0].security_groups) == toset([aws_security_group.tasks[0].id]) && aws_vpc_security_group_ingress_rule.tasks_from_alb[0].security_group_id == aws_security_group.tasks[0].id && aws_vpc_security_group_ingress_rule.tasks_from_alb[0].referenced_security_group_id == aws_security_group.alb[0].id && aws_vpc_security_group_ingress_rule.tasks_from_alb[0].from_port == aws_lb_target_group.web[0].port && aws_vpc_security_group_ingress_rule.tasks_from_alb[0].to_port == aws_lb_target_group.web[0].port
    error_message = "Tasks take the app port from the load balancer only."
  }
  assert {
    condition     = toset(aws_db_instance.main[0].vpc_security_group_ids) == toset([aws_security_group.database[0].id]) && aws_vpc_security_group_ingress_rule.database_from_tasks[0].security_group_id == aws_security_group.database[0].id && aws_vpc_security_group_ingress_rule.database_from_tasks[0].referenced_security_group_id == aws_security_group.tasks[0].id && aws_vpc_security_group_ingress_rule.database_from_tasks[0].from_port == 5432
    error_message = "The database takes PostgreSQL from the tasks only."
  }
  assert {
    condition     = aws_ecs_service.web[0].deployment_circuit_breaker[0].enable && aws_ecs_service.web[0].deployment_circuit_breaker[0].rollback
    error_message = "A deploy that never turns healthy rolls back."
  }
  assert {
    condition     = aws_ecs_service.web[0].enable_execute_command && aws_ecs_service.web[0].desired_count == 2
    error_message = "ECS Exec on (vividart-admin), two tasks by default."
  }
  assert {
    condition     = aws_ecs_service.web[0].network_configuration[0].assign_public_ip && toset(aws_ecs_service.web[0].network_configuration[0].subnets) == toset(aws_subnet.public[*].id)
    error_message = "Tasks run in the public subnets with public IPs (no NAT gateway)."
  }
  assert {
    condition     = aws_lb.web[0].idle_timeout >= 2 * tonumber({ for variable in jsondecode(aws_ecs_task_definition.web[0].container_definitions)[0].environment : variable.name => variable.value }["VIVIDART_WEB_SSE_HEARTBEAT_SECONDS"])
    error_message = "The load balancer's idle timeout is well above the heartbeat the app is told to send."
  }
  assert {
    condition     = tonumber({ for variable in jsondecode(aws_ecs_task_definition.web[0].container_definitions)[0].environment : variable.name => variable.value }["WEB_KEEPALIVE_SECONDS"]) > aws_lb.web[0].idle_timeout
    error_message = "The app keeps idle connections open longer than the load balancer does (no 502s on reuse)."
  }
  assert {
    condition     = { for variable in jsondecode(aws_ecs_task_definition.web[0].container_definitions)[0].environment : variable.name => variable.value }["WEB_PORT"] == tostring(aws_lb_target_group.web[0].port) && jsondecode(aws_ecs_task_definition.web[0].container_definitions)[0].portMappings[0].containerPort == aws_lb_target_group.web[0].port
    error_message = "The app listens on the port the target group sends to."
  }
  assert {
    condition     = aws_lb_target_group.web[0].health_check[0].path == "/healthz" && aws_lb_target_group.web[0].target_type == "ip"
    error_message = "Tasks are health-checked on /healthz, by IP (awsvpc)."
  }
  assert {
    condition     = aws_lb_listener.https[0].protocol == "HTTPS" && aws_lb_listener.https[0].port == 443 && aws_lb_listener.https[0].certificate_arn == aws_acm_certificate_validation.web[0].certificate_arn && aws_acm_certificate_validation.web[0].certificate_arn == aws_acm_certificate.web[0].arn
    error_message = "The HTTPS listener serves the domain's validated certificate."
  }
  assert {
    condition     = aws_lb_listener.https[0].default_action[0].target_group_arn == aws_lb_target_group.web[0].arn && startswith(aws_lb_listener.https[0].ssl_policy, "ELBSecurityPolicy-TLS13-")
    error_message = "HTTPS forwards to the web app, with a TLS 1.3 policy."
  }
  assert {
    condition     = aws_lb_listener.http[0].port == 80 && aws_lb_listener.http[0].default_action[0].type == "redirect" && aws_lb_listener.http[0].default_action[0].redirect[0].protocol == "HTTPS" && aws_lb_listener.http[0].default_action[0].redirect[0].port == "443"
    error_message = "HTTP redirects to HTTPS."
  }
  assert {
    condition     = aws_acm_certificate.web[0].domain_name == "photos.example.com" && aws_route53_record.web[0].name == "photos.example.com" && aws_route53_record.web[0].alias[0].name == aws_lb.web[0].dns_name
    error_message = "The certificate and an alias record name the domain, pointing at the load balancer."
  }
  assert {
    condition     = aws_route53_record.certificate_validation[0].zone_id == var.hosted_zone_id && aws_route53_record.certificate_validation[0].type == "CNAME" && aws_acm_certificate_validation.web[0].validation_record_fqdns == toset([aws_route53_record.certificate_validation[0].fqdn])
    error_message = "The certificate is validated by a DNS record in the hosted zone."
  }
  assert {
    condition     = strcontains(jsondecode(aws_ecs_task_definition.web[0].container_definitions)[0].image, "@sha256:") && jsondecode(aws_ecs_task_definition.web[0].container_definitions)[0].image == var.web_image_uri
    error_message = "The task runs the web image by digest."
  }
  assert {
    condition     = strcontains(aws_lambda_function.processor.image_uri, "@sha256:")
    error_message = "The processor runs its image by digest."
  }
  assert {
    condition     = aws_sns_topic_subscription.web.protocol == "https" && aws_sns_topic_subscription.web.endpoint == "https://photos.example.com/sns"
    error_message = "SNS posts events over HTTPS to the domain."
  }
  assert {
    condition     = aws_db_instance.main[0].storage_encrypted && !aws_db_instance.main[0].publicly_accessible && aws_db_instance.main[0].manage_master_user_password && aws_db_instance.main[0].engine == "postgres" && startswith(aws_db_instance.main[0].engine_version, "16")
    error_message = "PostgreSQL 16, encrypted, private, with a password RDS keeps (and rotates) in Secrets Manager."
  }
  assert {
    condition     = aws_db_instance.main[0].deletion_protection && !aws_db_instance.main[0].skip_final_snapshot && aws_db_instance.main[0].backup_retention_period == 7 && aws_db_instance.main[0].password == null
    error_message = "The database is protected, backed up, snapshotted at the end, and no password is in Terraform."
  }
  assert {
    condition     = toset(aws_db_subnet_group.main[0].subnet_ids) == toset(aws_subnet.private[*].id) && length(aws_subnet.private) == 2 && aws_subnet.private[0].availability_zone != aws_subnet.private[1].availability_zone
    error_message = "The database sits in the two private subnets, in two zones."
  }
  assert {
    condition     = alltrue([for statement in data.aws_iam_policy_document.web_task[0].statement : alltrue([for action in statement.actions : !strcontains(action, "*")])])
    error_message = "The task role names every action it may take (no wildcards)."
  }
  assert {
    condition     = contains(flatten([for statement in data.aws_iam_policy_document.web_task[0].statement : statement.resources if contains(statement.actions, "secretsmanager:GetSecretValue")]), aws_db_instance.main[0].master_user_secret[0].secret_arn) && contains(flatten([for statement in data.aws_iam_policy_document.web_task[0].statement : statement.resources if contains(statement.actions, "ssm:GetParameter")]), aws_ssm_parameter.stack.arn)
    error_message = "The task may read the database's secret and the stack's settings."
  }
  assert {
    condition     = aws_ecs_task_definition.web[0].task_role_arn == aws_iam_role.web_task[0].arn && aws_ecs_task_definition.web[0].execution_role_arn == aws_iam_role.web_execution[0].arn && aws_iam_role.web_task[0].arn != aws_iam_role.web_execution[0].arn
    error_message = "The task's own role and ECS's execution role are separate."
  }
  assert {
    condition = alltrue([for name, value in {
      VIVIDART_WEB_PUBLIC_URL        = "https://photos.example.com"
      VIVIDART_WEB_TRUST_PROXY       = "1"
      VIVIDART_STACK_PARAMETER       = aws_ssm_parameter.stack.name
      VIVIDART_REGION                = "eu-west-1"
      VIVIDART_WEB_DATABASE_SECRET   = aws_db_instance.main[0].master_user_secret[0].secret_arn
      VIVIDART_WEB_SECRET_KEY_SECRET = aws_secretsmanager_secret.web_secret_key.arn
    } : { for variable in jsondecode(aws_ecs_task_definition.web[0].container_definitions)[0].environment : variable.name => variable.value }[name] == value])
    error_message = "The task is told its public URL, to trust the load balancer, and where its settings and secrets are."
  }
  assert {
    condition = alltrue([for variable in jsondecode(aws_ecs_task_definition.web[0].container_definitions)[0].environment : !can(regex("(?i)password|:[^@/]+@", variable.value))]) && contains(jsondecode(aws_ecs_task_definition.web[0].container_definitions)[0].environment, {
      name = "VIVIDART_WEB_SECRET_KEY_SECRET", value = aws_secretsmanager_secret.web_secret_key.arn
    })
    error_message = "The task is given the names of its secrets, never their values."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.web_5xx[0].alarm_actions == toset([aws_sns_topic.alarms.arn]) && aws_cloudwatch_metric_alarm.web_5xx[0].metric_name == "HTTPCode_Target_5XX_Count"
    error_message = "Server errors of the web app notify the alarms topic."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.web_unhealthy_hosts[0].alarm_actions == toset([aws_sns_topic.alarms.arn]) && aws_cloudwatch_metric_alarm.web_unhealthy_hosts[0].metric_name == "UnHealthyHostCount"
    error_message = "Unhealthy web app tasks notify the alarms topic."
  }
  assert {
    condition     = alltrue([for repository in [aws_ecr_repository.processor[0], aws_ecr_repository.web[0]] : repository.image_tag_mutability == "IMMUTABLE" && repository.image_scanning_configuration[0].scan_on_push]) && length(aws_ecr_lifecycle_policy.images) == 2
    error_message = "Both images' repositories scan on push, keep tags immutable and expire old images."
  }
  assert {
    condition     = output.web_url == "https://photos.example.com" && output.ecs_service_name == aws_ecs_service.web[0].name && output.alb_dns_name == aws_lb.web[0].dns_name
    error_message = "The outputs tell the pipeline where the app is."
  }
}

run "images_must_be_named_by_digest" {
  command = plan
  variables {
    on_aws        = true
    web_image_uri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/vividart-staging/web:latest"
  }
  expect_failures = [aws_ecs_task_definition.web]
}

run "the_processor_image_must_be_named_by_digest_on_aws" {
  command = plan
  variables {
    on_aws           = true
    lambda_image_uri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/vividart-staging/photo-processor:latest"
  }
  expect_failures = [aws_lambda_function.processor]
}

run "the_idle_timeout_must_outlast_the_heartbeat" {
  command = plan
  variables {
    on_aws                    = true
    web_sse_heartbeat_seconds = 60
    web_idle_timeout_seconds  = 90
  }
  expect_failures = [aws_lb.web]
}

run "locally_nothing_of_it_exists" {
  command = plan
  variables {
    on_aws           = false
    domain_name      = ""
    hosted_zone_id   = ""
    web_url          = "http://127.0.0.1:8080"
    web_image_uri    = ""
    lambda_image_uri = "vividart/photo-processor:local"
  }

  assert {
    condition = alltrue([for things in [aws_vpc.main, aws_subnet.public, aws_subnet.private, aws_security_group.alb, aws_ecr_repository.web,
      aws_ecr_repository.processor, aws_ecs_cluster.main, aws_ecs_service.web, aws_ecs_task_definition.web, aws_lb.web, aws_lb_listener.https,
      aws_lb_listener.http, aws_lb_target_group.web, aws_acm_certificate.web, aws_acm_certificate_validation.web, aws_route53_record.web,
      aws_db_instance.main, aws_db_subnet_group.main, aws_iam_role.web_task, aws_iam_role.web_execution, aws_cloudwatch_metric_alarm.web_5xx,
    aws_cloudwatch_metric_alarm.web_unhealthy_hosts, data.aws_availability_zones.available, data.aws_iam_policy_document.web_task] : length(things) == 0])
    error_message = "Off AWS, nothing LocalStack's core lacks is planned or read."
  }
  assert {
    condition     = length(aws_route53_record.certificate_validation) == 0 && length(aws_ecr_lifecycle_policy.images) == 0
    error_message = "Off AWS, no DNS records and no ECR policies."
  }
  assert {
    condition     = aws_sns_topic_subscription.web.protocol == "http" && aws_sns_topic_subscription.web.endpoint == "http://127.0.0.1:8080/sns"
    error_message = "Locally SNS posts to the local web app over HTTP, as before."
  }
  assert {
    condition     = aws_ssm_parameter.stack.type == "String" && jsondecode(aws_ssm_parameter.stack.value).web_url == "http://127.0.0.1:8080" && jsondecode(aws_ssm_parameter.stack.value).source_bucket == aws_s3_bucket.source.id
    error_message = "The stack's settings parameter exists locally too."
  }
  assert {
    condition     = output.alb_dns_name == "" && output.ecs_cluster_name == "" && output.database_endpoint == "" && output.web_ecr_repository_url == "" && output.certificate_validation_records == []
    error_message = "The AWS-only outputs are empty locally."
  }
}
