from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin


class VividartRuntimeExecutorPlugin(RuntimeExecutorPlugin):
    """Chosen with LAMBDA_RUNTIME_EXECUTOR=vividart."""

    name = "vividart"

    def load(self, *args, **kwargs):
        from vividart_localstack.executor import VividartRuntimeExecutor

        return VividartRuntimeExecutor
