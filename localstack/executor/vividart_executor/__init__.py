"""A LocalStack Lambda runtime executor that needs no downloads.

LocalStack's own executor injects a runtime-init binary fetched from GitHub. This one serves the
public Lambda Runtime API itself and starts the function's image (or a local process) unchanged.
"""
