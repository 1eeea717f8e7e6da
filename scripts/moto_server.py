#!/usr/bin/env python3
"""moto's server, with fixes where its answers break AWS's own wire format (so AWS's SDKs, and
Terraform's AWS provider with them, cannot read them). Run with the emulator's environment
($VIVIDART_CACHE/venv-moto/bin/python scripts/moto_server.py ARGS...: moto_server's arguments);
scripts/rehearse_aws.py does. Each fix is one function, checked against the pinned moto
(tests/emulator-requirements.txt): a moto that changed the code it replaces stops here instead.

- CodePipeline answers a pipeline's created/updated times as ISO 8601 text; its JSON protocol has
  them as epoch seconds, and the Go SDK refuses text (GetPipeline, ListPipelines).
"""

import sys


def epoch_times_in_codepipeline() -> None:
    from moto.codepipeline import models

    original = models.CodePipeline.metadata.fget
    assert original.__code__.co_names.count("iso_8601_datetime_with_milliseconds") == 1, "moto's CodePipeline changed"

    def metadata(self) -> dict:
        return {"pipelineArn": self._arn, "created": self._created.timestamp(), "updated": self._updated.timestamp()}

    models.CodePipeline.metadata = property(metadata)


def main(argv: list[str]) -> None:
    epoch_times_in_codepipeline()
    from moto.server import main as serve

    serve(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
