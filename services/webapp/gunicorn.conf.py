# One worker process (the live-event broker is in memory), many threads (each open page holds one).
import os

bind = f"{os.environ.get('WEB_HOST', '127.0.0.1')}:{os.environ.get('WEB_PORT', '8080')}"
workers = 1
worker_class = "gthread"
threads = 32
timeout = 0  # server-sent event streams stay open
accesslog = "-"
