/**
 * The HubUser reconciler. For now it only observes: it reports the hub username the object
 * stands for and says, in its conditions, that the hub is not managed yet. It proves the
 * runner, status, finalizer and Event machinery end to end; list-and-diff against the hub
 * replaces it (issue 5).
 */
import type { EventNote } from '../kube/events.ts';
import { kinds } from '../api/meta.ts';
import type { HubUser } from '../api/hubuser.ts';
import type { Outcome, Reconciler } from './reconciler.ts';

export class ObservingHubUserReconciler implements Reconciler<HubUser> {
  readonly kind = kinds.HubUser;

  reconcile(object: HubUser): Promise<Outcome> {
    const username = object.spec.username ?? object.metadata.name;
    const message = `Observed; hubops does not manage the hub user ${username} yet`;
    return Promise.resolve({
      fields: { username },
      conditions: [
        { type: 'Ready', status: 'Unknown', reason: 'Observed', message },
        { type: 'Synced', status: 'True', reason: 'Observed', message },
      ],
    });
  }

  cleanup(): Promise<readonly EventNote[]> {
    return Promise.resolve([]);
  }
}
