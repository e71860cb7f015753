"""JupyterHub configuration for hubops' test environment.

A real hub on loopback with no proxy process (routes live in memory: the tests use the REST API,
not user traffic), sqlite in the run folder, named servers on, and a stand-in single-user server
that starts in well under a second. up.sh passes ports, paths and the service token through the
environment. The operator's service gets the scopes it needs plus the admin role, which
JupyterHub 4.1.6 / 5.1+ require for granting or changing `admin` on users.

Every piece of state lives in HUBOPS_HUB_DIR (database, cookie secret, pid file, user homes; the
run script also starts the hub there), and the only port bound is HUBOPS_HUB_PORT on 127.0.0.1 (or on
HUBOPS_HUB_IP: make e2e gives the node address inside its own network namespace):
the in-memory proxy has no API port and the public URL is never bound; stand-in servers take a
random loopback port each. So up.sh can run two hubs (hub, hub2) that share nothing.
"""

import os
import sys

from jupyterhub.proxy import Proxy

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

run_dir = os.environ["HUBOPS_HUB_DIR"]
port = int(os.environ["HUBOPS_HUB_PORT"])
# make e2e binds the hub to the node's address inside its own network namespace, for pods.
ip = os.environ.get("HUBOPS_HUB_IP", "127.0.0.1")
service = os.environ.get("HUBOPS_SERVICE_NAME", "hubops")


class InMemoryProxy(Proxy):
    """A proxy that keeps routes in a dict: nothing to start, nothing to orphan."""

    should_start = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.routes = {}

    async def add_route(self, routespec, target, data):
        self.routes[routespec] = {"routespec": routespec, "target": target, "data": data}

    async def delete_route(self, routespec):
        self.routes.pop(routespec, None)

    async def get_all_routes(self):
        return dict(self.routes)


c.JupyterHub.proxy_class = InMemoryProxy
# The public URL is never bound (no proxy runs) but must differ from the hub's own.
c.JupyterHub.bind_url = f"http://{ip}:{os.environ['HUBOPS_PUBLIC_PORT']}"
c.JupyterHub.hub_bind_url = f"http://{ip}:{port}"
c.JupyterHub.db_url = f"sqlite:///{run_dir}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{run_dir}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = f"{run_dir}/jupyterhub.pid.hub"

c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.allow_named_servers = True
c.JupyterHub.named_server_limit_per_user = int(os.environ.get("HUBOPS_NAMED_SERVER_LIMIT", "0"))

c.JupyterHub.spawner_class = "simple"
c.Spawner.cmd = [sys.executable, os.environ["HUBOPS_STUB_SERVER"]]
c.SimpleLocalProcessSpawner.home_dir_template = f"{run_dir}/homes/{{username}}"


def pass_stub_options(spawner):
    """Lets a test steer the stand-in server through user_options (slow or failing spawns)."""
    options = spawner.user_options or {}
    for key in ("stub_start_delay", "stub_exit_code", "stub_ignore_sigint"):
        if key in options:
            spawner.environment[key.upper()] = str(options[key])


c.Spawner.pre_spawn_hook = pass_stub_options

c.JupyterHub.services = [{"name": service, "api_token": os.environ["HUBOPS_HUB_TOKEN"]}]
c.JupyterHub.load_roles = [
    {
        "name": service,
        "scopes": ["admin:users", "admin:groups", "admin:servers", "read:hub"],
        "services": [service],
    },
    {"name": "admin", "services": [service]},
]

# A test that needs a hub set up unlike the shared ones (test/support/private-hub.ts) names one more
# file to run last, so it can change or extend anything above; the shared hubs never set it.
extra_config = os.environ.get("HUBOPS_HUB_EXTRA_CONFIG")
if extra_config:
    with open(extra_config) as extra_file:
        exec(compile(extra_file.read(), extra_config, "exec"), {"c": c, "__file__": extra_config})
