"""What the studio accepts, in one place: the web app refuses bigger uploads, the Lambda refuses
bigger files that reached the bucket some other way.

The pixel limit comes from measurement (`make bench` prints the peak memory per megapixel of
the costliest kinds of file): the costliest file the limits accept must fit the function's
memory with room to spare. See lambda_image/photo_processor/memory.py.
"""

MAX_SOURCE_BYTES = 200 * 1024 * 1024
MAX_PIXELS = 120_000_000  # a 100 MP medium-format frame fits; a decompression bomb does not
MAX_EDGE = 65_500  # the longest side a JPEG can hold (libjpeg's JPEG_MAX_DIMENSION)
# Camera RAW files take 13-15 bytes a pixel while LibRaw decodes them (measured at 8, 24 and 61 MP):
# a 102 MP medium-format RAW fits the 2,048 MB function beside the largest source; 120 MP would not.
MAX_RAW_PIXELS = 110_000_000
# S3 keeps at most 2 KB of user metadata with an object, names and values together: the edit
# spec (spec.MAX_METADATA_BYTES) and the rights (rights.MAX_METADATA_BYTES) share it.
MAX_USER_METADATA_BYTES = 2048

# Uploads: one presigned PUT up to MULTIPART_BYTES; above, S3 multipart in parts of PART_BYTES
# (the last one the rest). The web app signs each part with its exact size, so a grant for a
# photo of N bytes cannot store a byte more; the uploader (JS and CLI) cuts files the same way.
MULTIPART_BYTES = 64 * 1024 * 1024
PART_BYTES = 16 * 1024 * 1024


def part_sizes(size: int) -> list[int]:
    """The sizes of a multipart upload's parts for a file of `size` bytes, part 1 first."""
    if size <= 0:
        raise ValueError("a file to upload has at least one byte")
    whole, rest = divmod(size, PART_BYTES)
    return [PART_BYTES] * whole + ([rest] if rest else [])
