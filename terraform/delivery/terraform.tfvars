# The delivery pipeline's settings for this account (read by Terraform from this folder). Lines
# marked EDIT hold placeholders.

region            = "us-east-1"
source_provider   = "GitHub"
source_repository = "EDIT-ME/vividart" # EDIT: owner/name of the repository the pipeline builds
source_branch     = "main"
alarm_email       = "" # EDIT (optional): who is emailed when a run fails or waits for approval
