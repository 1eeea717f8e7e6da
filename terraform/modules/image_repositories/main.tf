# ECR repositories for container images: scanned on push, tags immutable (an image is named by
# digest, and a tag once pushed never moves), old images expired.

resource "aws_ecr_repository" "this" {
  # checkov:skip=CKV_AWS_136:AES-256 by ECR: images hold no secrets
  for_each             = var.repositories
  name                 = each.value
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.force_delete
  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  for_each   = aws_ecr_repository.this
  repository = each.value.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "all but the newest ${var.keep_images} images"
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = var.keep_images }
      action       = { type = "expire" }
    }]
  })
}
