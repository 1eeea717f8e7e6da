"""The photo-job library shared by the web app, the CLI and the Lambda: one source of truth for
the edit spec, the object keys and the job records."""
