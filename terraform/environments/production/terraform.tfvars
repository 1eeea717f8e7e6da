# The production environment's settings for this account (read by Terraform from this folder; the
# rest of production is in main.tf). Lines marked EDIT hold placeholders: the release
# (scripts/release.py) refuses to deploy while any value still says example.com or EDIT-ME.

region = "us-east-1"

# EDIT: the studio's domain and the Route 53 hosted zone that holds it ("" to add the DNS records
# by hand: outputs certificate_validation_records, alb_dns_name).
domain_name    = "studio.example.com"
hosted_zone_id = "EDIT-ME"

studio_email = "studio@example.com" # EDIT: SES sends clients' selections to it (confirm the email SES sends)
alarm_email  = ""                   # EDIT (optional): who is emailed when an alarm fires
