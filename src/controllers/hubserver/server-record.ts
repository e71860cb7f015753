/**
 * A named server declared Stopped, on JupyterHub 6.0 and later: its record is made without
 * starting it (PUT), and its display name and user options are set as declared (PATCH, which the
 * hub allows on a stopped server only), once per generation of the spec. Older hubs have no
 * records without a start: there a Stopped server that never ran stays unknown to the hub.
 */
import { ownershipAnnotation } from '../../api/annotations.ts';
import type { Ownership } from '../../api/fields.ts';
import type { HubServer } from '../../api/hubserver.ts';
import type { EventNote } from '../../kube/events.ts';
import { readyAndSynced } from '../runtime/conditions.ts';
import type { HubUnit } from '../runtime/hub-unit.ts';
import { markManagedFirst } from '../runtime/mark-managed.ts';
import type { Outcome, ReconcileContext } from '../runtime/reconciler.ts';
import { serverLabel, startRefused } from './status.ts';

/** Whether a stopped `object` still has its record to make or bring in line on this hub. */
export async function recordDue(unit: HubUnit, object: HubServer): Promise<boolean> {
  const { serverName, state } = object.spec;
  return (
    state === 'Stopped' &&
    serverName !== '' &&
    object.status?.recordGeneration !== object.metadata.generation &&
    (await unit.hub.features()).serverRecords
  );
}

/**
 * Makes the stopped server's record as the spec says. A record that was there already and that
 * nothing of ours is on record for was someone else's: adopted, as a start that finds a running
 * server is.
 */
export async function keepRecord(
  unit: HubUnit,
  object: HubServer,
  base: Record<string, unknown>,
  recorded: Ownership | undefined,
  context: ReconcileContext,
): Promise<Outcome> {
  const { username, serverName, displayName, userOptions } = object.spec;
  const { priority } = context;
  const name = serverLabel(username, serverName);
  const record = {
    ...(displayName === undefined ? {} : { displayName }),
    ...(userOptions === undefined ? {} : { userOptions }),
  };
  const declares = Object.keys(record).length > 0;
  await markManagedFirst(context, unit.hub.health, recorded, recorded ?? 'Created');
  let outcome;
  try {
    outcome = await unit.hub.servers.createStopped(username, serverName, record, { priority });
    if (outcome === 'exists' && declares)
      await unit.hub.servers.updateRecord(username, serverName, record, { priority });
  } catch (err) {
    return startRefused(err, name, base, false);
  }
  const adopted = outcome === 'exists' && recorded === undefined;
  if (adopted) await context.markManaged({ [ownershipAnnotation]: 'Adopted' });
  const created = outcome === 'created';
  const note = created
    ? `created server ${name} stopped`
    : `set the record of stopped server ${name} as declared`;
  const events: EventNote[] =
    created || declares
      ? [{ type: 'Normal', reason: created ? 'Created' : 'Updated', action: 'Record', note }]
      : [];
  return {
    fields: {
      ...base,
      recordGeneration: object.metadata.generation,
      ...(adopted ? { ownership: 'Adopted' } : {}),
      phase: 'Stopped',
      message: 'server is stopped',
    },
    conditions: readyAndSynced('True', 'Stopped', 'server is stopped'),
    events,
  };
}
