"""The project's LocalStack plugins, found through entry points (pyproject.toml):

- executor.py (runtime_api.py, sandboxes.py): a Lambda runtime executor that needs no downloads.
  LocalStack's own injects a runtime-init binary fetched from GitHub; this one serves the public
  Lambda Runtime API itself and starts the function's image (or a local process) unchanged.
- esm_scaling.py: SQS event source mappings that run several pollers, as AWS scales them.
- sqs_metrics.py: no per-request SQS metrics (a SQLite write each), queue depth kept.
"""
