"""The rules: what may be done and what it means, over the repositories and adapters."""
