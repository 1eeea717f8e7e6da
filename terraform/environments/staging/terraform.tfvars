# The staging environment's settings for this account (read by Terraform from this folder; the
# rest of staging is in main.tf). Lines marked EDIT hold placeholders: the release
# (scripts/release.py) refuses to deploy while any value still says example.com or EDIT-ME.

region = "us-east-1"

# EDIT: the staging app's domain and the Route 53 hosted zone that holds it ("" to add the DNS
# records by hand: outputs certificate_validation_records, alb_dns_name).
domain_name    = "staging.studio.example.com"
hosted_zone_id = "EDIT-ME"

studio_email = "studio@example.com" # EDIT: SES sends clients' selections to it (confirm the email SES sends); not production's address: SES keeps one identity per address, and destroying staging would take it along
alarm_email  = ""                   # who is emailed when an alarm fires
