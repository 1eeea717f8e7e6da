"""What the app talks to beyond its database: S3 (storage, the catalog that rebuilds the photos
from it), SQS (redrives), the processor (Lambda, for previews), SES (mail) and the event hub."""
