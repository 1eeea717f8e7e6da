# tflint-ignore-file: terraform_standard_module_structure
# The root `terraform test` runs in (tests/*.tftest.hcl): nothing of its own; each run plans one
# module or composition (its `module` block) with the mock provider of tests/mocks.
terraform {
  required_version = ">= 1.11" # override_during in mock providers
}
