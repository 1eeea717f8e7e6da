"""The image's entrypoint: the AWS Runtime Interface Client, serving our handler.

The same command runs the handler as a local process in embedded mode.
"""

from awslambdaric.__main__ import main

HANDLER = "photo_processor.handler.lambda_handler"

if __name__ == "__main__":
    main(["awslambdaric", HANDLER])
