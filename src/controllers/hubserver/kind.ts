/** The HubServer kind: its reconciler over the hub's shared parts, and its triggers. */
import { kinds } from '../../api/meta.ts';
import { defineHubKind } from '../runtime/hub-kind.ts';
import { HubServerReconciler } from './reconciler.ts';
import { hubServerTriggers } from './triggers.ts';

export const hubServerKind = defineHubKind({
  descriptor: kinds.HubServer,
  reconciler: (env) => new HubServerReconciler(env),
  triggers: hubServerTriggers,
});
