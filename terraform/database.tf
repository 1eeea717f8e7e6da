# The web app's database on AWS (on_aws): PostgreSQL on RDS, in the private subnets, reached by
# the web app's tasks only. It holds what the app cannot rebuild (accounts, shoots, share links,
# favourites, comments) and carries live events between instances (LISTEN/NOTIFY).
#
# RDS keeps the master password in a Secrets Manager secret of its own and rotates it
# (manage_master_user_password): no password in Terraform's state, variables or the task
# definition; the app reads the secret and reads it again when a rotated password is refused.

locals {
  database_name = "vividart"
  database_user = "vividart"
}

resource "aws_db_subnet_group" "main" {
  count      = var.on_aws ? 1 : 0
  name       = "${local.prefix}-database"
  subnet_ids = aws_subnet.private[*].id
}

resource "aws_db_instance" "main" {
  # checkov:skip=CKV2_AWS_30:no query logging: statements carry clients' comments and names; errors and slow queries are logged
  count                       = var.on_aws ? 1 : 0
  identifier                  = "${local.prefix}-database"
  engine                      = "postgres"
  engine_version              = "16"
  instance_class              = var.db_instance_class
  allocated_storage           = 20
  storage_type                = "gp3"
  storage_encrypted           = true
  db_name                     = local.database_name
  username                    = local.database_user
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.main[0].name
  vpc_security_group_ids      = [aws_security_group.database[0].id]
  publicly_accessible         = false
  multi_az                    = var.db_multi_az
  backup_retention_period     = 7
  copy_tags_to_snapshot       = true
  deletion_protection         = var.db_deletion_protection
  skip_final_snapshot         = false
  final_snapshot_identifier   = "${local.prefix}-database-final"
  auto_minor_version_upgrade  = true
}
