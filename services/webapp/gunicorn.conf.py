# gevent workers: an open page holds its event stream for hours, and each costs a greenlet, not
# a thread, so a few hundred of them leave /healthz and /sns answering at once. A cap per worker
# (MAX_STREAMS) answers 503 beyond it.
import os

bind = f"{os.environ.get('WEB_HOST', '127.0.0.1')}:{os.environ.get('WEB_PORT', '8080')}"
workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = "gevent"
worker_connections = 2000
timeout = 30
graceful_timeout = 10  # event streams never end on their own
# Behind a load balancer, longer than its idle timeout (hosting.tf sets it): else the app may close
# a connection the balancer is just reusing, and that request fails with a 502.
keepalive = int(os.environ.get("WEB_KEEPALIVE_SECONDS", "5"))
preload_app = False  # gevent patches the standard library before the app (and psycopg) loads
control_socket_disable = True  # several instances may run as one user on one machine
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
