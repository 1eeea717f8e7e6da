"""make bench: the pipeline on one core against its baselines, then the running local stack.
Ends with one line `BENCH {json}` of every figure."""

import json
import os
from pathlib import Path

from bench import pipeline, stack


def main() -> None:
    figures = pipeline.run()
    figures.update(stack.run(Path(os.environ.get("VIVIDART_RUN_DIR", ".run")), figures["pipeline_12mp_s"]))
    print("BENCH " + json.dumps(figures, sort_keys=True))


main()
