"""gunicorn settings for the office: ``gunicorn -c gunicorn.conf.py "intranet:create_app()"``.

gunicorn reads this file by itself when started from this folder; command-line options win
(``--bind``, ``--workers``). Why these values: the README, "Running the office's server".
"""

# Only this machine: the reverse proxy (nginx, Caddy, IIS) in front terminates HTTPS and
# forwards here. Listen on the network (--bind 0.0.0.0:8080) only when told to.
bind = "127.0.0.1:8080"

# Threads rather than sync workers: a sync worker is one connection at a time, so a few slow
# or stalled clients (a phone on bad Wi-Fi, a half-sent request) freeze every worker until
# the timeout kills it. A gthread worker keeps answering with its other threads. Two
# processes for two cores; the threads wait on git and SQLite far more than on the CPU.
worker_class = "gthread"
workers = 2
threads = 8

# A worker whose main loop stops answering for this long is restarted; a request may take
# longer (a large import, a backup) because gthread's main loop keeps reporting in.
timeout = 120
graceful_timeout = 30
# Idle keep-alive connections are closed after this many seconds, freeing their slot.
keepalive = 5

# Trust X-Forwarded-* only from the reverse proxy on this machine (the application's own
# PROXY_FIX setting does the same for its view of the client's address).
forwarded_allow_ips = "127.0.0.1,::1"
