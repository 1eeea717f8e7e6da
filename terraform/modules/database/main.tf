# The web app's database: PostgreSQL on RDS, in the private subnets, reached by the web app's
# tasks only. It holds what the app cannot rebuild (accounts, shoots, share links, favourites,
# comments) and carries live events between instances (LISTEN/NOTIFY).
#
# RDS keeps the master password in a Secrets Manager secret of its own and rotates it
# (manage_master_user_password): no password in Terraform's state, variables or the task
# definition; the app reads the secret and reads it again when a rotated password is refused.

resource "aws_db_subnet_group" "main" {
  name       = "${var.name_prefix}-database"
  subnet_ids = var.subnet_ids
}

# PostgreSQL's own log (errors, and what log_min_duration_statement would add), made here with a
# retention before RDS would make it without one.
resource "aws_cloudwatch_log_group" "postgresql" {
  # checkov:skip=CKV_AWS_158:the account's CloudWatch encryption: the server's log holds errors and timings, no statements' values
  # checkov:skip=CKV_AWS_338:kept for log_retention_days (30 by default): what matters of it is read within days
  name              = "/aws/rds/instance/${var.name_prefix}-database/postgresql"
  retention_in_days = var.log_retention_days
}

resource "aws_db_instance" "main" {
  # checkov:skip=CKV2_AWS_30:no query logging: statements carry clients' comments and names; the server's errors go to CloudWatch Logs
  # checkov:skip=CKV_AWS_157:Multi-AZ is the caller's choice (var.multi_az): on in production, off for a disposable staging stack
  # checkov:skip=CKV_AWS_293:deletion protection is the caller's choice (var.deletion_protection): on in production, off for staging
  # checkov:skip=CKV_AWS_161:the app signs in with the password RDS keeps and rotates in Secrets Manager, not IAM tokens
  # checkov:skip=CKV_AWS_118:no enhanced monitoring (a role and per-second metrics at a cost): CloudWatch's instance metrics suffice at this size
  # checkov:skip=CKV_AWS_353:no Performance Insights: the smallest classes this runs on gain little from it; slow pages show in the app's logs
  identifier                      = "${var.name_prefix}-database"
  engine                          = "postgres"
  engine_version                  = "16"
  instance_class                  = var.instance_class
  allocated_storage               = 20
  storage_type                    = "gp3"
  storage_encrypted               = true
  db_name                         = var.database_name
  username                        = var.username
  manage_master_user_password     = true
  db_subnet_group_name            = aws_db_subnet_group.main.name
  vpc_security_group_ids          = [var.security_group_id]
  publicly_accessible             = false
  multi_az                        = var.multi_az
  backup_retention_period         = 7
  copy_tags_to_snapshot           = true
  deletion_protection             = var.deletion_protection
  skip_final_snapshot             = !var.final_snapshot
  final_snapshot_identifier       = var.final_snapshot ? "${var.name_prefix}-database-final" : null
  auto_minor_version_upgrade      = true
  enabled_cloudwatch_logs_exports = ["postgresql"]
  depends_on                      = [aws_cloudwatch_log_group.postgresql]
}
