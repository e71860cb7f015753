/**
 * The HubToken kind: its reconciler over the hub's shared parts, the HubUser lookups (who owns a
 * username), the cache of token Secrets and the writes to them, its metrics, and its triggers.
 */
import { kinds } from '../../api/meta.ts';
import { deleteSecret, readSecret, writeSecret } from '../../kube/secrets.ts';
import { defineHubKind } from '../runtime/hub-kind.ts';
import { HubTokenReconciler } from './reconciler.ts';
import { hubTokenTriggers } from './triggers.ts';

export const hubTokenKind = defineHubKind({
  descriptor: kinds.HubToken,
  reconciler: (env, _own, deps) =>
    new HubTokenReconciler({
      hubs: env.hubs,
      hubUsers: env.hubUsers,
      clock: deps.clock,
      secrets: {
        get: (namespace, name) => env.tokenSecrets.get(namespace, name),
        read: (namespace, name) => readSecret(deps.kube, namespace, name),
        // Remembered at once: the next round must not read the Secret as it was before.
        write: async (secret) => {
          const written = await writeSecret(deps.kube, secret);
          env.tokenSecrets.remember(written);
          return written;
        },
        delete: (namespace, name) => deleteSecret(deps.kube, namespace, name),
      },
      counters: {
        issued: (reason) => {
          deps.metrics.tokensIssued.inc({ reason });
          if (reason === 'Rotated' || reason === 'SpecChanged') deps.metrics.tokensRotated.inc();
        },
        revoked: () => deps.metrics.tokensRevoked.inc(),
      },
    }),
  triggers: (sources, own) => hubTokenTriggers(sources, own),
});
