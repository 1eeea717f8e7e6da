"""What the studio accepts, in one place: the web app refuses bigger uploads, the Lambda refuses
bigger files that reached the bucket some other way.

The pixel limit comes from measurement (`make bench` prints the peak memory per megapixel of
the costliest kinds of file): the costliest file the limits accept must fit the function's
memory with room to spare. See lambda_image/photo_processor/memory.py.
"""

MAX_SOURCE_BYTES = 200 * 1024 * 1024
MAX_PIXELS = 120_000_000  # a 100 MP medium-format frame fits; a decompression bomb does not
MAX_EDGE = 65_500  # the longest side a JPEG can hold (libjpeg's JPEG_MAX_DIMENSION)
