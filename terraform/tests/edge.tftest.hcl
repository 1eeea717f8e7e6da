# One source for the edge: what the load balancer of each AWS environment serves equals
# terraform/edge.json, which the local HTTPS proxy (scripts/https_proxy.py) reads too.
# Planned with the project's mock AWS provider; tests/unit/test_edge.py runs this file.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  domain_name      = "photos.example.com"
  hosted_zone_id   = "Z0123456789EXAMPLE"
  studio_email     = "studio@example.com"
  web_image_uri    = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:1111111111111111111111111111111111111111111111111111111111111111"
  lambda_image_uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/photo-processor@sha256:2222222222222222222222222222222222222222222222222222222222222222"
}

run "staging_serves_edge_json" {
  command = plan
  module {
    source = "./environments/staging"
  }
  assert {
    condition = toset(keys(output.edge)) == setsubtract(keys(jsondecode(file("edge.json"))), ["description"]) && alltrue([
      for name, value in output.edge : jsonencode(value) == jsonencode(jsondecode(file("edge.json"))[name])
    ])
    error_message = "Staging's load balancer serves every setting of edge.json, as edge.json says."
  }
}

run "production_serves_edge_json" {
  command = plan
  module {
    source = "./environments/production"
  }
  assert {
    condition = toset(keys(output.edge)) == setsubtract(keys(jsondecode(file("edge.json"))), ["description"]) && alltrue([
      for name, value in output.edge : jsonencode(value) == jsonencode(jsondecode(file("edge.json"))[name])
    ])
    error_message = "Production's load balancer serves every setting of edge.json, as edge.json says."
  }
}
