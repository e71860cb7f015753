/**
 * The Hub reconciler: keeps one hub unit per Hub object in the directory (its client, budget,
 * snapshot, sweep and policy), hands it the token its Secret holds (a rotated token is picked
 * up without a restart), and reports whether the hub answers and accepts the token with the
 * scopes the operator needs. Deleting a Hub stops its unit; the hub itself is left as it is.
 */
import { hubSpecSchema, type Hub as HubObject } from '../../api/hub.ts';
import { keyOf, kinds } from '../../api/meta.ts';
import type { Hub } from '../../hub/hub.ts';
import type { EventNote } from '../../kube/events.ts';
import type { Priority } from '../../priority.ts';
import { readyAndSynced } from '../runtime/conditions.ts';
import type { HubDirectory } from '../runtime/hub-directory.ts';
import type { HubUnit } from '../runtime/hub-unit.ts';
import type { Outcome, ReconcileContext, Reconciler } from '../runtime/reconciler.ts';
import { reasonFor } from '../runtime/reasons.ts';
import { hubStatusRefreshMs } from '../runtime/timings.ts';
import { policyOfHub } from '../../plan/tenancy.ts';
import { hubObjectStatus, missingScopes, type UnitSettings } from './status.ts';

export interface HubReconcilerDeps {
  readonly hubs: HubDirectory;
  /** The token a Hub's Secret holds, or what is missing. */
  readonly readToken: (
    namespace: string,
    name: string,
    key: string,
  ) => Promise<{ value: string } | { missing: 'secret' | 'key' }>;
  /** A unit for the hub at `settings.url`, not yet started. */
  readonly openUnit: (key: string, settings: UnitSettings, token: string) => HubUnit;
  /** Queues every resource that uses the hub `key`. */
  readonly enqueueHub: (key: string, priority: Priority) => void;
}

export class HubReconciler implements Reconciler<HubObject> {
  readonly kind = kinds.Hub;
  readonly specSchema = hubSpecSchema;
  readonly usesFinalizer = false;
  readonly #deps: HubReconcilerDeps;
  /** The token each unit was given, to see a rotation; never logged or written anywhere. */
  readonly #tokens = new WeakMap<HubUnit, string>();

  constructor(deps: HubReconcilerDeps) {
    this.#deps = deps;
  }

  async reconcile(object: HubObject, context: ReconcileContext): Promise<Outcome> {
    const key = keyOf(object.metadata.namespace, object.metadata.name);
    try {
      return await this.#serve(key, object, context);
    } finally {
      // Served or not, its resources may now be judged (HubNotFound while it has no unit).
      if (this.#deps.hubs.settle(key)) this.#deps.enqueueHub(key, 'interactive');
    }
  }

  async #serve(key: string, object: HubObject, context: ReconcileContext): Promise<Outcome> {
    const { hubs, enqueueHub } = this.#deps;
    const { name: secret, key: secretKey } = object.spec.tokenSecretRef;
    let token: Awaited<ReturnType<HubReconcilerDeps['readToken']>>;
    try {
      token = await this.#deps.readToken(object.metadata.namespace, secret, secretKey);
    } catch (err) {
      // Most often RBAC: the operator may read only the Secrets it was granted, by name.
      const message = `cannot read the Secret ${secret}: ${reasonFor(err).message}`;
      // Once per new refusal, not per retry: a denied call belongs in the log, its repeats do not.
      const ready = object.status?.conditions?.find((condition) => condition.type === 'Ready');
      if (ready?.message !== message) {
        context.logger.warn({ reason: 'TokenMissing', err: message }, 'Cannot read the hub token');
      }
      return {
        fields: {},
        conditions: readyAndSynced('False', 'TokenMissing', message, 'False'),
        requeueAfterMs: hubStatusRefreshMs,
      };
    }
    let unit = hubs.get(key);
    if ('missing' in token) {
      const message =
        token.missing === 'secret'
          ? `the Secret ${secret} named by tokenSecretRef does not exist in namespace ${object.metadata.namespace}`
          : `the Secret ${secret} has no key ${secretKey}, or it is empty`;
      return {
        fields: {},
        conditions: readyAndSynced('False', 'TokenMissing', message, 'False'),
        requeueAfterMs: hubStatusRefreshMs,
      };
    }
    const settings: UnitSettings = {
      url: object.spec.url,
      resyncMs: object.spec.resyncSeconds * 1000,
      budget: object.spec.requestBudget,
      policy: policyOfHub(object),
    };
    const events: EventNote[] = [];
    if (unit && !sameConnection(unit, settings)) {
      // A new address or budget is a new client: requests in flight on the old one are refused.
      hubs.remove(key);
      await unit.stop();
      unit = undefined;
    }
    if (!unit) {
      unit = this.#deps.openUnit(key, settings, token.value);
      this.#tokens.set(unit, token.value);
      hubs.add(unit);
      unit.start();
      events.push({
        type: 'Normal',
        reason: 'Serving',
        action: 'Connect',
        note: `serving ${object.spec.url}`,
      });
      // Resources that waited for this Hub (HubNotFound) go now.
      enqueueHub(key, 'interactive');
    } else {
      if (this.#tokens.get(unit) !== token.value) {
        unit.hub.client.setToken(token.value);
        this.#tokens.set(unit, token.value);
        events.push({
          type: 'Normal',
          reason: 'TokenRotated',
          action: 'Rotate',
          note: 'took the token from its Secret anew',
        });
        // Refused with the old token: try again with the new one at once.
        enqueueHub(key, 'interactive');
      }
      if (policyChanged(unit, settings)) {
        unit.setPolicy(settings.policy);
        enqueueHub(key, 'interactive');
      }
    }
    const outcome = await this.#probe(unit.hub, context.priority);
    return {
      fields: hubObjectStatus(unit, outcome.version, outcome.owner),
      conditions: outcome.conditions,
      events,
      requeueAfterMs: hubStatusRefreshMs,
    };
  }

  /** A Hub is gone (its deletion seen in the cache): stop serving it; its resources learn so. */
  async forget(key: string): Promise<void> {
    const unit = this.#deps.hubs.remove(key);
    this.#deps.hubs.settle(key);
    if (!unit) return;
    await unit.stop();
    this.#deps.enqueueHub(key, 'interactive');
  }

  /** A Hub that still carries a finalizer (from before Hubs had none) is let go. */
  async cleanup(object: HubObject): Promise<readonly EventNote[]> {
    await this.forget(keyOf(object.metadata.namespace, object.metadata.name));
    return [
      {
        type: 'Normal',
        reason: 'Stopped',
        action: 'Disconnect',
        note: `stopped serving ${object.spec.url}; the hub is left as it is`,
      },
    ];
  }

  /** Whether the hub answers, accepts the token, and grants the scopes the operator needs. */
  async #probe(
    hub: Hub,
    priority: Priority,
  ): Promise<
    Pick<Outcome, 'conditions'> & {
      version?: string;
      owner?: { kind: string; name: string; scopes: readonly string[] };
    }
  > {
    let version: string | undefined;
    try {
      version = await hub.version({ priority });
      const owner = await hub.tokenOwner({ priority });
      const missing = missingScopes(owner.scopes);
      if (missing.length > 0) {
        const message = `the token lacks the scopes ${missing.join(', ')}`;
        return {
          version,
          owner,
          conditions: readyAndSynced('False', 'Unauthorized', message, 'False'),
        };
      }
      return {
        version,
        owner,
        conditions: readyAndSynced('True', 'Connected', `JupyterHub ${version} accepts the token`),
      };
    } catch (err) {
      const { reason, message } = reasonFor(err);
      return {
        ...(version ? { version } : {}),
        conditions: readyAndSynced('False', reason, message, 'False'),
      };
    }
  }
}

function sameConnection(unit: HubUnit, settings: UnitSettings): boolean {
  return (
    unit.url === settings.url &&
    unit.resyncMs === settings.resyncMs &&
    JSON.stringify(unit.budget) === JSON.stringify(settings.budget)
  );
}

function policyChanged(unit: HubUnit, settings: UnitSettings): boolean {
  return (
    JSON.stringify(describePolicy(unit.policy)) !== JSON.stringify(describePolicy(settings.policy))
  );
}

function describePolicy(policy: HubUnit['policy']): unknown {
  const list = (n: HubUnit['policy']['allowed']) => ('every' in n ? '*' : [...n.names].sort());
  return [list(policy.allowed), list(policy.admin), list(policy.adoption)];
}
