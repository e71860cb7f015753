"""An authenticator that manages groups, for private test hubs (test/support/private-hub.ts).

Any username and password log in, as with DummyAuthenticator; the groups each login reports come
from a JSON file (username -> list of group names) that the test writes just before it logs in.
"""

import json
import os

from jupyterhub.auth import DummyAuthenticator
from traitlets import Unicode


class LoginGroupsAuthenticator(DummyAuthenticator):
    manage_groups = True

    groups_file = Unicode(
        help="JSON object mapping a username to the groups its next login reports.",
    ).tag(config=True)

    async def authenticate(self, handler, data):
        username = await super().authenticate(handler, data)
        if username is None:
            return None
        # Read at every login rather than once, so that a test can change the groups between logins.
        groups = {}
        if os.path.exists(self.groups_file):
            with open(self.groups_file) as file:
                groups = json.load(file)
        # With manage_groups the hub insists on a list, an empty one meaning "in no group".
        return {"name": username, "groups": groups.get(username, [])}
