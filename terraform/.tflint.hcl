# tflint over every root and module (tests/unit/test_terraform.py runs it with --recursive): the
# terraform ruleset bundled in tflint, all of it: every variable and output described and typed,
# names in snake_case, the standard files of a module, no unused declarations, pinned providers.
config {
  call_module_type = "none" # each module is linted in its own folder
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}

# every variable and output says what it is (terraform-docs builds each module's README from them)
rule "terraform_documented_variables" {
  enabled = true
}

rule "terraform_documented_outputs" {
  enabled = true
}
