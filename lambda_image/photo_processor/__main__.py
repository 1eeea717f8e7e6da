"""The image's entrypoint: the AWS Runtime Interface Client, serving our handler.

The same command runs the handler as a local process in embedded mode. A function of the image
may name another handler as its command (the image's CMD; Lambda's ImageConfig.Command), as the
tick function does: `photo_processor.ticks.lambda_handler`.
"""

import sys

from awslambdaric.__main__ import main

HANDLER = "photo_processor.handler.lambda_handler"

if __name__ == "__main__":
    main(["awslambdaric", sys.argv[1] if len(sys.argv) > 1 else HANDLER])
