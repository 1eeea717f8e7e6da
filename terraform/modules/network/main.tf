# The web app's network: a VPC across availability zones. Public subnets hold the load balancer
# and the web app's tasks; private subnets, with no route out, the database.
#
# The tasks take public IPs instead of sitting behind a NAT gateway: a NAT gateway costs more
# than the whole web app at this size (hourly, per AZ, plus per GB), and the security groups
# already let nothing reach a task but the load balancer.

data "aws_availability_zones" "available" {
  # checkov:skip=CKV_AWS_394:the subnets take the first zone_count zones by name; a zone AWS adds sorts after them
  state = "available"
}

resource "aws_vpc" "main" {
  # checkov:skip=CKV2_AWS_11:no flow logs: the ALB's and the app's logs say who called; flow logs cost per GB for little more
  cidr_block           = var.cidr
  enable_dns_support   = true
  enable_dns_hostnames = true # RDS endpoints resolve to private addresses inside the VPC
  tags                 = { Name = var.name_prefix }
}

# The VPC's default security group, emptied: nothing uses it, so nothing may pass through it.
resource "aws_default_security_group" "main" {
  vpc_id = aws_vpc.main.id
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
  tags   = { Name = var.name_prefix }
}

resource "aws_subnet" "public" {
  count             = var.zone_count
  vpc_id            = aws_vpc.main.id
  availability_zone = data.aws_availability_zones.available.names[count.index]
  cidr_block        = cidrsubnet(var.cidr, 8, count.index)
  tags              = { Name = "${var.name_prefix}-public-${count.index}" }
}

resource "aws_subnet" "private" {
  count             = var.zone_count
  vpc_id            = aws_vpc.main.id
  availability_zone = data.aws_availability_zones.available.names[count.index]
  cidr_block        = cidrsubnet(var.cidr, 8, 100 + count.index)
  tags              = { Name = "${var.name_prefix}-private-${count.index}" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
  tags = { Name = "${var.name_prefix}-public" }
}

resource "aws_route_table_association" "public" {
  count          = var.zone_count
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

# No routes but the VPC's own: the database can answer the tasks and nothing else.
resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
  tags   = { Name = "${var.name_prefix}-private" }
}

resource "aws_route_table_association" "private" {
  count          = var.zone_count
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private.id
}

# --- security groups: internet -> load balancer -> tasks -> database ----------------------------

resource "aws_security_group" "alb" {
  # checkov:skip=CKV2_AWS_5:attached to the load balancer (modules/web_hosting), in another module
  name        = "${var.name_prefix}-alb"
  description = "The web app's load balancer: HTTPS (and HTTP, redirected) from anywhere"
  vpc_id      = aws_vpc.main.id
}

resource "aws_vpc_security_group_ingress_rule" "alb" {
  # checkov:skip=CKV_AWS_260:port 80 only answers with a redirect to HTTPS (modules/web_hosting)
  for_each          = { https = 443, http = 80 }
  security_group_id = aws_security_group.alb.id
  description       = "${upper(each.key)} from the internet"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
}

resource "aws_vpc_security_group_egress_rule" "alb_to_tasks" {
  security_group_id            = aws_security_group.alb.id
  description                  = "Requests and health checks to the web app's tasks"
  referenced_security_group_id = aws_security_group.tasks.id
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
}

resource "aws_security_group" "tasks" {
  # checkov:skip=CKV2_AWS_5:attached to the web app's service (modules/web_hosting), in another module
  name        = "${var.name_prefix}-web-tasks"
  description = "The web app's tasks: only the load balancer reaches them"
  vpc_id      = aws_vpc.main.id
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from_alb" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "The app port, from the load balancer"
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
}

resource "aws_vpc_security_group_egress_rule" "tasks_to_aws" {
  security_group_id = aws_security_group.tasks.id
  description       = "HTTPS out: AWS APIs (S3, SQS, SES, ...), ECR, logs, ECS Exec, SNS certificates"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "tasks_to_database" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "PostgreSQL"
  referenced_security_group_id = aws_security_group.database.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_security_group" "database" {
  # checkov:skip=CKV2_AWS_5:attached to the database (modules/database), in another module
  name        = "${var.name_prefix}-database"
  description = "The web app's database: PostgreSQL from the web app's tasks only"
  vpc_id      = aws_vpc.main.id
}

resource "aws_vpc_security_group_ingress_rule" "database_from_tasks" {
  security_group_id            = aws_security_group.database.id
  description                  = "PostgreSQL from the web app's tasks"
  referenced_security_group_id = aws_security_group.tasks.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}
