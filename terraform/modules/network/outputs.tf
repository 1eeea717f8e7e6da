output "vpc_id" {
  description = "The VPC."
  value       = aws_vpc.main.id
}

output "public_subnet_ids" {
  description = "Public subnets, one per zone: the load balancer and the web app's tasks."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnets, one per zone, with no route out: the database."
  value       = aws_subnet.private[*].id
}

output "alb_security_group_id" {
  description = "The load balancer's security group: HTTPS and HTTP from anywhere, out to the tasks."
  value       = aws_security_group.alb.id
}

output "tasks_security_group_id" {
  description = "The web app tasks' security group: the app port from the load balancer; HTTPS and PostgreSQL out."
  value       = aws_security_group.tasks.id
}

output "database_security_group_id" {
  description = "The database's security group: PostgreSQL from the tasks only."
  value       = aws_security_group.database.id
}
