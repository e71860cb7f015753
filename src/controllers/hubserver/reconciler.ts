/**
 * The HubServer reconciler: starts and stops a user's default or named server as the spec
 * says, and reports the phase. A start the hub answers with 202 is not waited on in a worker:
 * the key comes back every few seconds and reads the server until it is ready or gone. Limits
 * and refusals (429, named servers off, the per-user limit) become conditions, not errors.
 */
import { isPaused, ownershipAnnotation, recordedOwnership } from '../../api/annotations.ts';
import type { Ownership } from '../../api/fields.ts';
import { hubServerSpecSchema, type HubServer } from '../../api/hubserver.ts';
import { kinds } from '../../api/meta.ts';
import { HubError } from '../../hub/errors.ts';
import type { Hub } from '../../hub/hub.ts';
import type { HubUser as UserModel } from '../../hub/models.ts';
import type { HubSnapshot } from '../../hub/snapshot.ts';
import type { EventNote } from '../../kube/events.ts';
import { planServer, planServerDeletion } from '../../plan/hubserver.ts';
import { ownershipOf } from '../../plan/ownership.ts';
import type { Priority } from '../../priority.ts';
import { readyAndSynced } from '../runtime/conditions.ts';
import { markManagedFirst } from '../runtime/mark-managed.ts';
import type { Outcome, ReconcileContext, Reconciler } from '../runtime/reconciler.ts';
import { failedServerRetryMs, serverInProgressMs } from '../runtime/timings.ts';
import {
  carriedFields,
  lastReadyReason,
  runningServerFields,
  serverLabel,
  startRefused,
  startedRunning,
  userMissing,
} from './status.ts';

export class HubServerReconciler implements Reconciler<HubServer> {
  readonly kind = kinds.HubServer;
  readonly specSchema = hubServerSpecSchema;
  readonly #hub: Hub;
  readonly #snapshot: HubSnapshot;

  constructor(deps: { hub: Hub; snapshot: HubSnapshot }) {
    this.#hub = deps.hub;
    this.#snapshot = deps.snapshot;
  }

  async reconcile(object: HubServer, context: ReconcileContext): Promise<Outcome> {
    const { priority } = context;
    const { username, serverName: server, state, keepRunning } = object.spec;
    const generation = object.metadata.generation ?? 0;
    const status = object.status ?? {};
    const user = await this.#user(object, priority);
    if (!user) return userMissing(status, username);
    const observed = user.servers?.[server];
    const recorded = recordedOwnership(object);
    const ownership = ownershipOf(recorded, observed !== undefined);
    const base = { ...carriedFields(status), ownership };
    const starting = status.phase === 'Pending' && lastReadyReason(object) === 'Starting';
    if (starting && !observed) {
      // The spawn we were following ended without a ready server.
      const message = 'the server stopped before it became ready (spawn failed)';
      const events: EventNote[] = [
        { type: 'Warning', reason: 'Failed', action: 'Start', note: `server failed: ${message}` },
      ];
      return {
        fields: { ...base, phase: 'Failed', message },
        conditions: readyAndSynced('False', 'SpawnFailed', message),
        events,
        ...(keepRunning ? { requeueAfterMs: failedServerRetryMs } : {}),
      };
    }
    if (
      status.phase === 'Failed' &&
      !observed &&
      !keepRunning &&
      status.startedGeneration === generation
    ) {
      // A failed start stays failed until the spec changes (not "stopped outside hubops").
      return {
        fields: base,
        conditions: readyAndSynced(
          'False',
          lastReadyReason(object) ?? 'SpawnFailed',
          String(status.message ?? 'the server failed to start'),
        ),
      };
    }
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
        await markManagedFirst(context, this.#hub.health, recorded, ownership);
        return this.#stop(object, base, priority);
      case 'start':
        // A crash after the start must not turn our server into an adopted one left running.
        await markManagedFirst(context, this.#hub.health, recorded, ownership);
        return this.#start(object, base, recorded, generation, context);
    }
  }

  async cleanup(
    object: HubServer,
    { priority }: Pick<ReconcileContext, 'priority'>,
  ): Promise<readonly EventNote[]> {
    const { username, serverName: server } = object.spec;
    if (isPaused(object.metadata.annotations)) return [];
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
    const outcome = await this.#hub.servers.stop(username, server, {
      remove: decision === 'stopAndRemove',
      priority,
    });
    if (outcome === 'stopping')
      throw new HubError(
        'HUB_PENDING',
        `server ${serverLabel(username, server)} is still stopping`,
      );
    return [
      {
        type: 'Normal',
        reason: 'Deleted',
        action: 'Stop',
        note: `stopped${decision === 'stopAndRemove' ? ' and removed' : ''} server ${serverLabel(username, server)}`,
      },
    ];
  }

  async #start(
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
      const outcome = await this.#hub.servers.start(username, server, {
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
      const user = await this.#hub.servers.userAfterStart(username, { priority });
      if (user) this.#snapshot.recordUser(user);
      const observed = user?.servers?.[server];
      const adopted = outcome === 'running' && recorded === undefined;
      // Marking it managed ahead of the start said Created; a retry that finds no status must not.
      if (adopted) await context.markManaged({ [ownershipAnnotation]: 'Adopted' });
      return startedRunning(fields, observed, name, adopted);
    } catch (err) {
      if (err instanceof HubError && err.code === 'HUB_NOT_FOUND') {
        // Deleted since the snapshot was read: wait for it, as for a user never seen.
        this.#snapshot.forgetUser(username);
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
    object: HubServer,
    base: Record<string, unknown>,
    priority: Priority,
  ): Promise<Outcome> {
    const { username, serverName: server } = object.spec;
    const outcome = await this.#hub.servers.stop(username, server, { priority });
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
  async #user(object: HubServer, priority: Priority): Promise<UserModel | undefined> {
    const { metadata, spec, status } = object;
    const changed = metadata.generation !== status?.observedGeneration;
    if (status?.phase !== 'Pending') {
      await this.#snapshot.ready(priority);
      const cached = this.#snapshot.user(spec.username);
      const startsAnew = spec.state === 'Running' && !cached?.servers?.[spec.serverName];
      if (cached && (!changed || startsAnew)) return cached;
    }
    const user = await this.#hub.users.get(spec.username, { priority });
    if (user) this.#snapshot.recordUser(user);
    return user ?? undefined;
  }
}
