# The compositions (terraform/environments/*), each planned whole with the project's mock AWS
# provider: the modules fit together, the variables and preconditions hold. Which modules each
# composes, and what differs between staging and production, tests/unit/test_compositions.py
# reads from the files themselves.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

run "the_local_stack_is_the_data_plane_on_localstack" {
  command = plan
  module {
    source = "./environments/local"
  }
  variables {
    web_url          = "http://127.0.0.1:8080"
    lambda_image_uri = "vividart/photo-processor:src-0123456789ab"
  }
  assert {
    condition     = aws_sns_topic_subscription.web.protocol == "http" && aws_sns_topic_subscription.web.endpoint == "http://127.0.0.1:8080/sns"
    error_message = "Locally SNS posts to the local web app over HTTP."
  }
  assert {
    condition     = output.web_url == "http://127.0.0.1:8080" && output.upload_prefix == "uploads/" && output.localstack_endpoint == "http://127.0.0.1:4566"
    error_message = "The outputs carry the stack's settings (outputs.json)."
  }
}

run "staging_is_the_whole_stack_on_aws" {
  command = plan
  module {
    source = "./environments/staging"
  }
  variables {
    domain_name      = "staging.example.com"
    hosted_zone_id   = "Z0123456789EXAMPLE"
    studio_email     = "studio@example.com"
    web_image_uri    = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:1111111111111111111111111111111111111111111111111111111111111111"
    lambda_image_uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/photo-processor@sha256:2222222222222222222222222222222222222222222222222222222222222222"
  }
  assert {
    condition     = aws_sns_topic_subscription.web.protocol == "https" && aws_sns_topic_subscription.web.endpoint == "https://staging.example.com/sns" && output.web_url == "https://staging.example.com"
    error_message = "SNS posts events over HTTPS to the domain."
  }
}

run "production_is_the_whole_stack_on_aws" {
  command = plan
  module {
    source = "./environments/production"
  }
  variables {
    domain_name      = "studio.example.com"
    studio_email     = "studio@example.com"
    web_image_uri    = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:1111111111111111111111111111111111111111111111111111111111111111"
    lambda_image_uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/photo-processor@sha256:2222222222222222222222222222222222222222222222222222222222222222"
  }
  assert {
    condition     = output.web_url == "https://studio.example.com" && length(output.certificate_validation_records) == 1
    error_message = "Production serves its domain over HTTPS; without a hosted zone the outputs name the validation record."
  }
}
