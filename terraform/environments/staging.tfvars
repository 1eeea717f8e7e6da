# The staging deployment (ENVIRONMENT=staging make deploy-aws; the pipeline's DeployStaging).
# The same stack as production, smaller and disposable. Lines marked EDIT hold placeholders:
# scripts/deploy_aws.sh refuses to deploy while any value still says example.com or EDIT-ME.

environment = "staging"
region      = "us-east-1"
on_aws      = true

# EDIT: the staging app's domain and the Route 53
# hosted zone that holds it ("" to add the DNS records by hand: outputs certificate_validation_records, alb_dns_name).
domain_name    = "staging.studio.example.com"
hosted_zone_id = "EDIT-ME"

studio_email = "studio@example.com" # EDIT: SES sends clients' selections to it (confirm the email SES sends)
alarm_email  = ""                   # who is emailed when an alarm fires or the pipeline needs attention

web_desired_count      = 1
db_multi_az            = false
db_deletion_protection = false # a staging stack may be destroyed and made again

delivery_pipeline = false # the one pipeline lives in production's state and deploys here
