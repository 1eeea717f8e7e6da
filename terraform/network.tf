# The web app's network on AWS (on_aws): a VPC across two availability zones. Public subnets hold
# the load balancer and the web app's tasks; private subnets, with no route out, the database.
#
# The tasks take public IPs instead of sitting behind a NAT gateway: a NAT gateway costs more
# than the whole web app at this size (hourly, per AZ, plus per GB), and the security groups
# already let nothing reach a task but the load balancer.

locals {
  az_count = var.on_aws ? 2 : 0
}

data "aws_availability_zones" "available" {
  count = var.on_aws ? 1 : 0
  state = "available"
}

resource "aws_vpc" "main" {
  # checkov:skip=CKV2_AWS_11:no flow logs: the ALB's and the app's logs say who called; flow logs cost per GB for little more
  count                = var.on_aws ? 1 : 0
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true # RDS endpoints resolve to private addresses inside the VPC
  tags                 = { Name = local.prefix }
}

# The VPC's default security group, emptied: nothing uses it, so nothing may pass through it.
resource "aws_default_security_group" "main" {
  count  = var.on_aws ? 1 : 0
  vpc_id = aws_vpc.main[0].id
}

resource "aws_internet_gateway" "main" {
  count  = var.on_aws ? 1 : 0
  vpc_id = aws_vpc.main[0].id
  tags   = { Name = local.prefix }
}

resource "aws_subnet" "public" {
  count             = local.az_count
  vpc_id            = aws_vpc.main[0].id
  availability_zone = data.aws_availability_zones.available[0].names[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, count.index)
  tags              = { Name = "${local.prefix}-public-${count.index}" }
}

resource "aws_subnet" "private" {
  count             = local.az_count
  vpc_id            = aws_vpc.main[0].id
  availability_zone = data.aws_availability_zones.available[0].names[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, 100 + count.index)
  tags              = { Name = "${local.prefix}-private-${count.index}" }
}

resource "aws_route_table" "public" {
  count  = var.on_aws ? 1 : 0
  vpc_id = aws_vpc.main[0].id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main[0].id
  }
  tags = { Name = "${local.prefix}-public" }
}

resource "aws_route_table_association" "public" {
  count          = local.az_count
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public[0].id
}

# No routes but the VPC's own: the database can answer the tasks and nothing else.
resource "aws_route_table" "private" {
  count  = var.on_aws ? 1 : 0
  vpc_id = aws_vpc.main[0].id
  tags   = { Name = "${local.prefix}-private" }
}

resource "aws_route_table_association" "private" {
  count          = local.az_count
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[0].id
}

# --- security groups: internet -> load balancer -> tasks -> database ----------------------------

resource "aws_security_group" "alb" {
  count       = var.on_aws ? 1 : 0
  name        = "${local.prefix}-alb"
  description = "The web app's load balancer: HTTPS (and HTTP, redirected) from anywhere"
  vpc_id      = aws_vpc.main[0].id
}

resource "aws_vpc_security_group_ingress_rule" "alb" {
  for_each          = var.on_aws ? { https = 443, http = 80 } : {}
  security_group_id = aws_security_group.alb[0].id
  description       = "${upper(each.key)} from the internet"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
}

resource "aws_vpc_security_group_egress_rule" "alb_to_tasks" {
  count                        = var.on_aws ? 1 : 0
  security_group_id            = aws_security_group.alb[0].id
  description                  = "Requests and health checks to the web app's tasks"
  referenced_security_group_id = aws_security_group.tasks[0].id
  ip_protocol                  = "tcp"
  from_port                    = local.web_port
  to_port                      = local.web_port
}

resource "aws_security_group" "tasks" {
  count       = var.on_aws ? 1 : 0
  name        = "${local.prefix}-web-tasks"
  description = "The web app's tasks: only the load balancer reaches them"
  vpc_id      = aws_vpc.main[0].id
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from_alb" {
  count                        = var.on_aws ? 1 : 0
  security_group_id            = aws_security_group.tasks[0].id
  description                  = "The app port, from the load balancer"
  referenced_security_group_id = aws_security_group.alb[0].id
  ip_protocol                  = "tcp"
  from_port                    = local.web_port
  to_port                      = local.web_port
}

resource "aws_vpc_security_group_egress_rule" "tasks_to_aws" {
  count             = var.on_aws ? 1 : 0
  security_group_id = aws_security_group.tasks[0].id
  description       = "HTTPS out: AWS APIs (S3, SQS, SES, ...), ECR, logs, ECS Exec, SNS certificates"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "tasks_to_database" {
  count                        = var.on_aws ? 1 : 0
  security_group_id            = aws_security_group.tasks[0].id
  description                  = "PostgreSQL"
  referenced_security_group_id = aws_security_group.database[0].id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_security_group" "database" {
  count       = var.on_aws ? 1 : 0
  name        = "${local.prefix}-database"
  description = "The web app's database: PostgreSQL from the web app's tasks only"
  vpc_id      = aws_vpc.main[0].id
}

resource "aws_vpc_security_group_ingress_rule" "database_from_tasks" {
  count                        = var.on_aws ? 1 : 0
  security_group_id            = aws_security_group.database[0].id
  description                  = "PostgreSQL from the web app's tasks"
  referenced_security_group_id = aws_security_group.tasks[0].id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}
