/**
 * The HubServer reconciler: starts and stops a user's default or named server as the spec
 * says, and reports the phase. A start the hub answers with 202 is not waited on in a worker:
 * the key comes back every few seconds and reads the server until it is ready or gone. Limits
 * and refusals (429, named servers off, the per-user limit) become conditions, not errors.
 */
import { isPaused, ownershipAnnotation, recordedOwnership } from '../../api/annotations.ts';
import { observesOnly, type Ownership } from '../../api/fields.ts';
import { hubServerSpecSchema, type HubServer } from '../../api/hubserver.ts';
import { kinds } from '../../api/meta.ts';
import { HubError } from '../../hub/errors.ts';
import type { HubUser as UserModel } from '../../hub/models.ts';
import type { EventNote } from '../../kube/events.ts';
import { planServer, planServerDeletion } from '../../plan/hubserver.ts';
import { ownershipOf } from '../../plan/ownership.ts';
import { includes } from '../../plan/tenancy.ts';
import type { Priority } from '../../priority.ts';
import { readyAndSynced, refused, waitForHub } from '../runtime/conditions.ts';
import { HubNotReady, type HubDirectory, type Resolution } from '../runtime/hub-directory.ts';
import type { HubUserLookup } from '../runtime/hub-kind.ts';
import type { HubUnit } from '../runtime/hub-unit.ts';
import { markManagedFirst } from '../runtime/mark-managed.ts';
import { unchangedFields } from '../runtime/status-report.ts';
import type { Outcome, ReconcileContext, Reconciler } from '../runtime/reconciler.ts';
import { serverInProgressMs } from '../runtime/timings.ts';
import { keepRecord, recordDue } from './server-record.ts';
import { OwnerShares, unshareOnDeletion, withShares } from './shares.ts';
import {
  failedSpawn,
  observedServer,
  runningServerFields,
  serverLabel,
  startRefused,
  startedRunning,
  userMissing,
} from './status.ts';

export class HubServerReconciler implements Reconciler<HubServer> {
  readonly kind = kinds.HubServer;
  readonly specSchema = hubServerSpecSchema;
  readonly #hubs: HubDirectory;
  readonly #hubUsers: Pick<HubUserLookup, 'owns' | 'ownershipPending'>;
  readonly #owners = new OwnerShares();

  constructor(deps: {
    hubs: HubDirectory;
    hubUsers: Pick<HubUserLookup, 'owns' | 'ownershipPending'>;
  }) {
    this.#hubs = deps.hubs;
    this.#hubUsers = deps.hubUsers;
  }

  /**
   * The hub of `object`, or why it may not act there: a namespace acts only on the servers of
   * hub users that its own HubUsers created, unless the hub lets it take over others' objects.
   */
  #unit(object: HubServer): Resolution {
    const resolved = this.#hubs.resolve(object);
    if (!('unit' in resolved)) return resolved;
    const { unit } = resolved;
    const { namespace } = object.metadata;
    const { username } = object.spec;
    if (
      this.#hubUsers.owns(unit.key, namespace, username) ||
      includes(unit.policy.adoption, namespace)
    )
      return resolved;
    // Applied together with its HubUser: wait for that one to record whether it created the user.
    if (this.#hubUsers.ownershipPending(unit.key, namespace, username)) return { pending: true };
    const message = `hub user ${username} was not created by a HubUser of namespace ${namespace}; namespace ${namespace} may not act on others' servers in ${unit.policy.hubName}`;
    return { refusal: { reason: 'AdoptionNotAllowed', message } };
  }

  async reconcile(object: HubServer, context: ReconcileContext): Promise<Outcome> {
    const resolved = this.#unit(object);
    if ('refusal' in resolved) return refused(object, unchangedFields(object), resolved.refusal);
    if ('pending' in resolved) return waitForHub();
    const { unit } = resolved;
    const { priority } = context;
    if (observesOnly(object.spec)) {
      // Observed only: the shared snapshot's view, with no call of its own.
      await unit.snapshot.userListed(object.spec.username, priority);
      return observedServer(object, unit.snapshot.user(object.spec.username));
    }
    const outcome = await this.#server(unit, object, context);
    if (isPaused(object.metadata.annotations)) return outcome;
    return withShares(unit, object, outcome, this.#owners, priority);
  }

  /** The server's own round: started, stopped or waited on as the spec says. */
  async #server(unit: HubUnit, object: HubServer, context: ReconcileContext): Promise<Outcome> {
    const { priority } = context;
    const { username, serverName: server, state, keepRunning } = object.spec;
    const generation = object.metadata.generation ?? 0;
    const status = object.status ?? {};
    const user = await this.#user(unit, object, priority);
    if (!user) return userMissing(status, username);
    const observed = user.servers?.[server];
    const recorded = recordedOwnership(object);
    const ownership = ownershipOf(recorded, observed !== undefined);
    const base = { ...unchangedFields(object), ownership };
    const failed = failedSpawn(object, observed, base);
    if (failed) return failed;
    const step = planServer(
      { state, keepRunning, generation, startedGeneration: status.startedGeneration },
      observed,
    );
    if (isPaused(object.metadata.annotations) && (step.kind === 'start' || step.kind === 'stop')) {
      const message = `hub writes are paused; the server would be ${step.kind === 'start' ? 'started' : 'stopped'}`;
      return {
        fields: { ...base, ...runningServerFields(observed) },
        conditions: readyAndSynced('False', 'Paused', message, 'False'),
      };
    }
    if (
      step.kind === 'none' &&
      step.phase === 'Stopped' &&
      !isPaused(object.metadata.annotations) &&
      (await recordDue(unit, object))
    )
      return keepRecord(unit, object, base, recorded, context);
    switch (step.kind) {
      case 'none': {
        const wanted = step.phase === state;
        const message =
          step.reason === 'StoppedOutsideOperator'
            ? 'stopped outside hubops (idle culler or user); started again when the spec changes'
            : `server is ${step.phase.toLowerCase()}`;
        const events: EventNote[] =
          step.reason === 'StoppedOutsideOperator' && status.phase === 'Running'
            ? [
                {
                  type: 'Normal',
                  reason: 'StoppedOutsideOperator',
                  action: 'Observe',
                  note: message,
                },
              ]
            : [];
        return {
          fields: { ...base, ...runningServerFields(observed), phase: step.phase, message },
          conditions: readyAndSynced(wanted ? 'True' : 'False', step.reason, message),
          events,
        };
      }
      case 'wait': {
        const message =
          step.reason === 'Starting'
            ? 'the hub is starting the server'
            : 'the hub is stopping the server';
        return {
          fields: { ...base, phase: 'Pending', message },
          conditions: readyAndSynced('False', step.reason, message),
          requeueAfterMs: serverInProgressMs,
        };
      }
      case 'stop':
        await markManagedFirst(context, unit.hub.health, recorded, ownership);
        return this.#stop(unit, object, base, priority);
      case 'start':
        // A crash after the start must not turn our server into an adopted one left running.
        await markManagedFirst(context, unit.hub.health, recorded, ownership);
        return this.#start(unit, object, base, recorded, generation, context);
    }
  }

  async cleanup(
    object: HubServer,
    { priority }: Pick<ReconcileContext, 'priority'>,
  ): Promise<readonly EventNote[]> {
    const { username, serverName: server } = object.spec;
    const resolved = this.#unit(object);
    // Refused now: it may not touch the hub, not even to stop what it once started.
    if ('refusal' in resolved || isPaused(object.metadata.annotations) || observesOnly(object.spec))
      return [];
    if ('pending' in resolved)
      throw new HubNotReady(`the Hub of server ${serverLabel(username, server)} is being set up`);
    const { unit } = resolved;
    const decision = planServerDeletion(
      object.spec.deletionPolicy,
      recordedOwnership(object),
      server !== '',
    );
    if (decision === 'retain')
      return [
        {
          type: 'Normal',
          reason: 'Retained',
          action: 'Retain',
          note: `kept server ${serverLabel(username, server)} (deletion policy Retain)`,
        },
      ];
    const outcome = await unit.hub.servers.stop(username, server, {
      remove: decision === 'stopAndRemove',
      priority,
    });
    if (outcome === 'stopping')
      throw new HubError(
        'HUB_PENDING',
        `server ${serverLabel(username, server)} is still stopping`,
      );
    // A removed server's shares go with its record; the default server's record stays.
    const unshared =
      decision === 'stop' ? await unshareOnDeletion(unit, object, this.#owners, priority) : [];
    return [
      {
        type: 'Normal',
        reason: 'Deleted',
        action: 'Stop',
        note: `stopped${decision === 'stopAndRemove' ? ' and removed' : ''} server ${serverLabel(username, server)}`,
      },
      ...unshared,
    ];
  }

  async #start(
    unit: HubUnit,
    object: HubServer,
    base: Record<string, unknown>,
    recorded: Ownership | undefined,
    generation: number,
    context: ReconcileContext,
  ): Promise<Outcome> {
    const { priority } = context;
    const { username, serverName: server, userOptions, displayName } = object.spec;
    const name = serverLabel(username, server);
    try {
      const outcome = await unit.hub.servers.start(username, server, {
        ...(userOptions === undefined ? {} : { userOptions }),
        ...(displayName === undefined ? {} : { displayName }),
        priority,
      });
      const fields = { ...base, startedGeneration: generation };
      if (outcome === 'pending') {
        const message = 'the hub is starting the server';
        return {
          fields: { ...fields, phase: 'Pending', message },
          conditions: readyAndSynced('False', 'Starting', message),
          requeueAfterMs: serverInProgressMs,
        };
      }
      const user = await unit.hub.servers.userAfterStart(username, { priority });
      if (user) unit.snapshot.recordUser(user);
      const observed = user?.servers?.[server];
      const adopted = outcome === 'running' && recorded === undefined;
      // Marking it managed ahead of the start said Created; a retry that finds no status must not.
      if (adopted) await context.markManaged({ [ownershipAnnotation]: 'Adopted' });
      return startedRunning(fields, observed, name, adopted);
    } catch (err) {
      if (err instanceof HubError && err.code === 'HUB_NOT_FOUND') {
        // Deleted since the snapshot was read: wait for it, as for a user never seen.
        unit.snapshot.forgetUser(username);
        return userMissing(object.status ?? {}, username);
      }
      return startRefused(
        err,
        name,
        { ...base, startedGeneration: generation },
        object.spec.keepRunning,
      );
    }
  }

  async #stop(
    unit: HubUnit,
    object: HubServer,
    base: Record<string, unknown>,
    priority: Priority,
  ): Promise<Outcome> {
    const { username, serverName: server } = object.spec;
    const outcome = await unit.hub.servers.stop(username, server, { priority });
    if (outcome === 'stopping') {
      const message = 'the hub is stopping the server';
      return {
        fields: { ...base, phase: 'Pending', message },
        conditions: readyAndSynced('False', 'Stopping', message),
        requeueAfterMs: serverInProgressMs,
      };
    }
    return {
      fields: { ...base, phase: 'Stopped', message: 'server is stopped' },
      conditions: readyAndSynced('True', 'Stopped', 'server is stopped'),
      events: [
        {
          type: 'Normal',
          reason: 'Stopped',
          action: 'Stop',
          note: `stopped server ${serverLabel(username, server)}`,
        },
      ],
    };
  }

  /**
   * The user with its active servers: from the snapshot while nothing is in flux; read afresh
   * (one call) when the object is new, its spec changed, or a start or stop is in progress.
   * Except when the snapshot shows that a new spec will start a server that is not running:
   * the start itself checks that (one running after all answers so, and is adopted), which
   * saves a read per server in a spawn storm.
   */
  async #user(
    unit: HubUnit,
    object: HubServer,
    priority: Priority,
  ): Promise<UserModel | undefined> {
    const { metadata, spec, status } = object;
    const changed = metadata.generation !== status?.observedGeneration;
    if (status?.phase !== 'Pending') {
      await unit.snapshot.userListed(spec.username, priority);
      const cached = unit.snapshot.user(spec.username);
      const startsAnew = spec.state === 'Running' && !cached?.servers?.[spec.serverName];
      if (cached && (!changed || startsAnew)) return cached;
    }
    const user = await unit.hub.users.get(spec.username, { priority });
    if (user) unit.snapshot.recordUser(user);
    return user ?? undefined;
  }
}
