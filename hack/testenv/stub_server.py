"""Stand-in single-user server for the test hub.

Listens where JUPYTERHUB_SERVICE_URL says and answers every GET with 200, which is all the hub
checks. STUB_START_DELAY (seconds) delays binding, STUB_EXIT_CODE makes it exit at once, and
STUB_IGNORE_SIGINT makes a stop slow: the fault cases of the HubServer tests. It exits when its
hub goes away, so a killed hub leaves no server behind.
"""

import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

if os.environ.get("STUB_EXIT_CODE"):
    sys.exit(int(os.environ["STUB_EXIT_CODE"]))
if os.environ.get("STUB_IGNORE_SIGINT"):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
time.sleep(float(os.environ.get("STUB_START_DELAY", "0")))

url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"path": self.path, "user": os.environ.get("JUPYTERHUB_USER")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def exit_when_orphaned(parent):
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


threading.Thread(target=exit_when_orphaned, args=(os.getppid(),), daemon=True).start()
server = ThreadingHTTPServer((url.hostname or "127.0.0.1", url.port), Handler)
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
