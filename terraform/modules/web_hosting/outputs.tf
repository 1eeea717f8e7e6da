output "url" {
  description = "Where the app is served: https://<domain_name>."
  value       = local.url
}

output "alb_dns_name" {
  description = "The load balancer's DNS name (an alias or CNAME target for domain_name)."
  value       = aws_lb.web.dns_name
}

output "alb_arn_suffix" {
  description = "The load balancer's ARN suffix (its CloudWatch dimension)."
  value       = aws_lb.web.arn_suffix
}

output "target_group_arn_suffix" {
  description = "The target group's ARN suffix (its CloudWatch dimension)."
  value       = aws_lb_target_group.web.arn_suffix
}

output "cluster_name" {
  description = "ECS cluster running the app."
  value       = aws_ecs_cluster.main.name
}

output "service_name" {
  description = "ECS service of the app (deploys, ECS Exec)."
  value       = aws_ecs_service.web.name
}

output "certificate_validation_records" {
  description = "DNS records that validate the certificate, to add by hand when hosted_zone_id is empty."
  value = [for option in aws_acm_certificate.web.domain_validation_options : {
    name = option.resource_record_name, type = option.resource_record_type, value = option.resource_record_value
  }]
}

output "task_role_arn" {
  description = "The role the app's code runs with."
  value       = aws_iam_role.web_task.arn
}

output "execution_role_arn" {
  description = "The role ECS starts the app's tasks with (image pull, logs)."
  value       = aws_iam_role.web_execution.arn
}

output "edge" {
  description = "What the load balancer serves of terraform/edge.json: the idle timeout, the heartbeat the app is told, the minimum TLS version, the HSTS header's max-age, HTTP redirected to HTTPS, the forwarded headers."
  value = {
    idle_timeout_seconds    = aws_lb.web.idle_timeout
    sse_heartbeat_seconds   = tonumber(local.environment.VIVIDART_WEB_SSE_HEARTBEAT_SECONDS)
    tls_min_version         = one([for version, policy in local.ssl_policies : version if policy == aws_lb_listener.https.ssl_policy])
    hsts_max_age_seconds    = tonumber(regex("max-age=([0-9]+)", aws_lb_listener.https.routing_http_response_strict_transport_security_header_value)[0])
    http_redirects_to_https = aws_lb_listener.http.default_action[0].type == "redirect" && aws_lb_listener.http.default_action[0].redirect[0].protocol == "HTTPS"
    # an application load balancer adds these to every request it forwards (xff_header_processing_mode append)
    forwarded_headers = aws_lb.web.xff_header_processing_mode == "append" ? ["X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Port"] : []
  }
}
