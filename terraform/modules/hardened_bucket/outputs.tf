output "id" {
  description = "The bucket's name (known at plan time)."
  value       = aws_s3_bucket.this.bucket
}

output "arn" {
  description = "The bucket's ARN."
  value       = aws_s3_bucket.this.arn
}

output "bucket_regional_domain_name" {
  description = "The bucket's regional domain name."
  value       = aws_s3_bucket.this.bucket_regional_domain_name
}
