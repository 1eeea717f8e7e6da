"""The project's LocalStack plugins, found through entry points (pyproject.toml):

- executor.py (runtime_api.py, sandboxes.py): a Lambda runtime executor that needs no downloads.
  LocalStack's own injects a runtime-init binary fetched from GitHub; this one serves the public
  Lambda Runtime API itself and starts the function's image (or a local process) unchanged. As
  AWS does, a function's EMF log lines become CloudWatch metrics (emf.py, emf_forwarder.py).
- esm_scaling.py: SQS event source mappings that run several pollers, as AWS scales them.
- sqs_metrics.py: no per-request SQS metrics (a SQLite write each), queue depth kept, and the
  age of the oldest message published as AWS does.
- cloudwatch_percentiles.py (percentiles.py): pNN statistics in GetMetricData and in alarms.

emf.py and percentiles.py are pure (no LocalStack imports): the project's unit tests use them.
"""
