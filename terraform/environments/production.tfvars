# The production deployment (the pipeline's DeployProduction, after staging's smoke test and an
# approval; or ENVIRONMENT=production make deploy-aws). Lines marked EDIT hold placeholders:
# scripts/deploy_aws.sh refuses to deploy while any value still says example.com or EDIT-ME.

environment = "production"
region      = "us-east-1"
on_aws      = true

# EDIT: the studio's domain and the Route 53
# hosted zone that holds it ("" to add the DNS records by hand: outputs certificate_validation_records, alb_dns_name).
domain_name    = "studio.example.com"
hosted_zone_id = "EDIT-ME"

studio_email = "studio@example.com" # EDIT: SES sends clients' selections to it (confirm the email SES sends)
alarm_email  = ""                   # EDIT (optional): who is emailed when an alarm fires or the pipeline needs attention

web_desired_count      = 2 # two zones: up through a zone's failure and through a deploy
db_multi_az            = true
db_deletion_protection = true

# The delivery pipeline (terraform/pipeline.tf): it deploys staging, then production.
delivery_pipeline = true
source_provider   = "GitHub"
source_repository = "EDIT-ME/vividart" # EDIT: owner/name of the repository it builds
source_branch     = "main"
