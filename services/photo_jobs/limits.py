"""What the studio accepts, in one place: the web app refuses bigger uploads, the Lambda refuses
bigger files that reached the bucket some other way."""

MAX_SOURCE_BYTES = 200 * 1024 * 1024
MAX_PIXELS = 120_000_000  # a 100 MP medium-format frame fits; a decompression bomb does not
