/**
 * The plan for one server: start, stop, wait for the hub, or nothing. A server stopped by
 * someone else (the idle culler, its user) is started again only when the spec changed since
 * the last start, unless keepRunning asks for it to be kept running. Pure.
 */
import type { DeletionPolicy, Ownership } from '../api/fields.ts';
import { effectiveDeletionPolicy } from './ownership.ts';

export interface DesiredServer {
  readonly state: 'Running' | 'Stopped';
  readonly keepRunning: boolean;
  readonly generation: number;
  /** The generation of the operator's last start, from status. */
  readonly startedGeneration: number | undefined;
}

/** The server as the hub reports it among the user's active servers; undefined when not active. */
export interface ObservedServer {
  readonly ready: boolean;
  readonly pending: string | null;
}

export type ServerStep =
  | { readonly kind: 'start' }
  | { readonly kind: 'stop' }
  /** The hub is busy with the server (a spawn or stop in progress): look again soon. */
  | { readonly kind: 'wait'; readonly reason: 'Starting' | 'Stopping' }
  | {
      readonly kind: 'none';
      readonly phase: 'Running' | 'Stopped';
      readonly reason: 'Running' | 'Stopped' | 'StoppedOutsideOperator';
    };

export function planServer(
  desired: DesiredServer,
  observed: ObservedServer | undefined,
): ServerStep {
  if (observed?.pending === 'spawn') return { kind: 'wait', reason: 'Starting' };
  if (observed?.pending === 'stop') return { kind: 'wait', reason: 'Stopping' };
  const running = observed?.ready === true;
  if (desired.state === 'Stopped')
    return running ? { kind: 'stop' } : { kind: 'none', phase: 'Stopped', reason: 'Stopped' };
  if (running) return { kind: 'none', phase: 'Running', reason: 'Running' };
  if (!desired.keepRunning && desired.startedGeneration === desired.generation) {
    return { kind: 'none', phase: 'Stopped', reason: 'StoppedOutsideOperator' };
  }
  return { kind: 'start' };
}

/** On deletion of the HubServer: stop it (and remove a named one) only under a Delete policy in force. */
export function planServerDeletion(
  policy: DeletionPolicy | undefined,
  ownership: Ownership | undefined,
  named: boolean,
): 'stopAndRemove' | 'stop' | 'retain' {
  if (effectiveDeletionPolicy(policy, ownership) === 'Retain') return 'retain';
  return named ? 'stopAndRemove' : 'stop';
}
