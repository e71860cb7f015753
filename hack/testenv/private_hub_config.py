"""What a private test hub (test/support/private-hub.ts) changes on top of jupyterhub_config.py.

jupyterhub_config.py runs this file last when HUBOPS_HUB_EXTRA_CONFIG names it. The test's choices
come from private-hub.json in the hub's folder: the idle culler as a hub-managed service, groups
managed by the authenticator, and how often the hub records activity.
"""

import json
import os
import sys

run_dir = os.environ["HUBOPS_HUB_DIR"]
with open(os.path.join(run_dir, "private-hub.json")) as options_file:
    options = json.load(options_file)

# `c` comes from jupyterhub_config.py, which runs this file with it.
c.JupyterHub.last_activity_interval = options["lastActivityIntervalSeconds"]
# Activity closer together than this is dropped (30 s by default): a test's clock is seconds.
c.JupyterHub.activity_resolution = 1

culler = options.get("culler")
if culler:
    # The hub starts the culler with JUPYTERHUB_API_URL and a token of its own; sys.executable is
    # the hub's virtualenv, where hub-venv.sh installs the culler. Culler 2.x reads booleans as
    # traitlets values, hence =True/False rather than bare flags.
    c.JupyterHub.services.append(
        {
            "name": "idle-culler",
            "command": [
                sys.executable,
                "-m",
                "jupyterhub_idle_culler",
                f"--timeout={culler['timeoutSeconds']}",
                f"--cull-every={culler['everySeconds']}",
                f"--cull-users={culler['cullUsers']}",
                f"--remove-named-servers={culler['removeNamedServers']}",
            ],
        }
    )
    # What the culler reads and deletes; admin:users (read:users for `admin` and `created`, and
    # delete:users) only matters when it culls users.
    scopes = ["list:users", "read:users:activity", "read:servers", "delete:servers"]
    if culler["cullUsers"]:
        scopes.append("admin:users")
    c.JupyterHub.load_roles.append(
        {"name": "idle-culler", "scopes": scopes, "services": ["idle-culler"]}
    )

if options.get("managedGroups"):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from login_groups_authenticator import LoginGroupsAuthenticator

    c.JupyterHub.authenticator_class = LoginGroupsAuthenticator
    c.LoginGroupsAuthenticator.groups_file = os.path.join(run_dir, "login-groups.json")
