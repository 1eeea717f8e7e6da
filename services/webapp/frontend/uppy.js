// The pieces of Uppy the upload page uses: the core and S3 uploads (single PUT or multipart),
// signed by the web app. The page draws its own progress bars.
export { default as Uppy } from '@uppy/core'
export { default as AwsS3 } from '@uppy/aws-s3'
