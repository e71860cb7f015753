/**
 * How urgently a piece of work is wanted, one word for the work queue and the hub's request
 * budget alike: `interactive` is an edit a person made and waits for; `background` is routine
 * (the first list, a resync, a retry of routine work), which yields to it.
 */
export type Priority = 'interactive' | 'background';
