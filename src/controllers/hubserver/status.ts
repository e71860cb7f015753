/**
 * How a server's situation reads in HubServer status: a refused start (waits for limits, clear
 * conditions for what needs a human), the facts of a running server, the fields carried from
 * one round to the next. Pure wording; the HubServer reconciler decides.
 */
import type { HubServer } from '../../api/hubserver.ts';
import { HubError } from '../../hub/errors.ts';
import type { EventNote } from '../../kube/events.ts';
import type { HubServer as ServerModel, HubUser as UserModel } from '../../hub/models.ts';
import { observed, readyAndSynced, readyOf } from '../runtime/conditions.ts';
import { isReason, type Reason } from '../runtime/reasons.ts';
import type { Outcome } from '../runtime/reconciler.ts';
import { unchangedFields } from '../runtime/status-report.ts';
import {
  failedServerRetryMs,
  serverInProgressMs,
  serverUserMissingMs,
} from '../runtime/timings.ts';

/** A refused start as status: waits for limits, clear conditions for what needs a human. */
export function startRefused(
  err: unknown,
  name: string,
  fields: Record<string, unknown>,
  keepRunning: boolean,
): Outcome {
  if (!(err instanceof HubError)) throw err;
  const waiting = (reason: Reason, message: string, ms: number): Outcome => ({
    fields: { ...fields, startedGeneration: undefined, phase: 'Pending', message },
    conditions: readyAndSynced('False', reason, message),
    requeueAfterMs: ms,
  });
  if (err.code === 'HUB_RATE_LIMITED')
    return waiting(
      'SpawnThrottled',
      `the hub's spawn limit is reached; trying again in ${Math.round((err.retryAfterMs ?? 30_000) / 1000)} s`,
      err.retryAfterMs ?? 30_000,
    );
  if (err.code === 'HUB_PENDING')
    return /pending spawn/i.test(err.message)
      ? waiting('Starting', 'the hub is starting the server', serverInProgressMs)
      : waiting('Stopping', 'the hub is still stopping the server', serverInProgressMs);
  const refusal = (reason: Reason, message: string): Outcome => ({
    fields: { ...fields, phase: 'Failed', message },
    conditions: readyAndSynced('False', reason, message, 'False'),
    events: [
      { type: 'Warning', reason, action: 'Start', note: `server ${name} not started: ${message}` },
    ],
  });
  if (/Named servers are not enabled/i.test(err.message))
    return refusal(
      'NamedServersDisabled',
      'the hub does not allow named servers (allow_named_servers)',
    );
  if (/maximum of/i.test(err.message))
    return refusal('NamedServerLimit', err.message.replace(/^.*?: \d+ /, ''));
  if (err.code === 'HUB_UNSUPPORTED') return refusal('UnsupportedByHub', err.message);
  if (err.status === 500 || err.code === 'HUB_INVALID') {
    const message = err.message.replace(/^.*?: \d+ /, '');
    return {
      ...refusal('SpawnFailed', message),
      ...(keepRunning ? { requeueAfterMs: failedServerRetryMs } : {}),
    };
  }
  throw err;
}

/**
 * A server running after our start call. `adopted` when it ran before the call and nothing
 * of ours is on record: someone else started it, so it is not ours to stop.
 */
export function startedRunning(
  fields: Record<string, unknown>,
  observed: ServerModel | undefined,
  name: string,
  adopted: boolean,
): Outcome {
  const message = 'server is running';
  return {
    fields: {
      ...fields,
      ...(adopted ? { ownership: 'Adopted' } : {}),
      ...runningServerFields(observed),
      phase: 'Running',
      message,
    },
    conditions: readyAndSynced('True', adopted ? 'Adopted' : 'Running', message),
    events: [
      adopted
        ? {
            type: 'Normal',
            reason: 'Adopted',
            action: 'Adopt',
            note: `adopted running server ${name}`,
          }
        : { type: 'Normal', reason: 'Started', action: 'Start', note: `started server ${name}` },
    ],
  };
}

/**
 * A start that failed, as status, or undefined: the spawn being followed ended without a ready
 * server, or a failed start stays failed until the spec changes (it was not stopped outside
 * hubops). With keepRunning a failed start is tried again after a while.
 */
export function failedSpawn(
  object: HubServer,
  observed: ServerModel | undefined,
  base: Record<string, unknown>,
): Outcome | undefined {
  const status = object.status ?? {};
  const { keepRunning } = object.spec;
  if (observed) return undefined;
  if (status.phase === 'Pending' && lastReadyReason(object) === 'Starting') {
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
    !keepRunning &&
    status.startedGeneration === (object.metadata.generation ?? 0)
  )
    return {
      fields: base,
      conditions: readyAndSynced(
        'False',
        lastReadyReason(object) ?? 'SpawnFailed',
        String(status.message ?? 'the server failed to start'),
      ),
    };
  return undefined;
}

/** The server's user is not in the hub (yet): wait for it. */
export function userMissing(status: HubServer['status'] & object, username: string): Outcome {
  const message = `hub user ${username} does not exist; waiting for it`;
  return {
    fields: { ...unchangedFields({ status }), phase: 'Pending', message },
    conditions: readyAndSynced('False', 'UserMissing', message, 'True'),
    requeueAfterMs: serverUserMissingMs,
  };
}

/**
 * An observed-only server as `user` (from the snapshot) has it. The snapshot lists active
 * servers only, so a named server not running reads Stopped whether or not the hub keeps a
 * record of it.
 */
export function observedServer(object: HubServer, user: UserModel | undefined): Outcome {
  const { username, serverName } = object.spec;
  const fields = { ...unchangedFields(object), startedGeneration: undefined, shares: undefined };
  if (!user)
    return {
      fields: {
        ...fields,
        ...runningServerFields(undefined),
        phase: undefined,
        message: undefined,
      },
      conditions: observed(false, `hub user ${username} is not in the hub`),
    };
  const server = user.servers?.[serverName];
  const phase = server?.ready ? 'Running' : server?.pending ? 'Pending' : 'Stopped';
  return {
    fields: {
      ...fields,
      ...runningServerFields(server),
      phase,
      message: `server is ${phase.toLowerCase()}`,
    },
    conditions: observed(
      true,
      `server ${serverLabel(username, serverName)} is ${phase.toLowerCase()}`,
    ),
  };
}

/** What a running server reports; nothing for a stopped one. */
export function runningServerFields(server: ServerModel | undefined): Record<string, unknown> {
  if (!server?.ready) return { url: undefined, startedAt: undefined, lastActivity: undefined };
  return {
    ...(server.url ? { url: server.url } : {}),
    ...(server.started ? { startedAt: server.started } : {}),
    ...(server.last_activity ? { lastActivity: server.last_activity } : {}),
  };
}

/** The reason Ready gave last time. */
export function lastReadyReason(object: HubServer): Reason | undefined {
  const reason = readyOf(object)?.reason;
  return isReason(reason) ? reason : undefined;
}

/** `ada/(default)`, `ada/lab`: how Events and messages name a server. */
export function serverLabel(user: string, server: string): string {
  return server === '' ? `${user}/(default)` : `${user}/${server}`;
}
