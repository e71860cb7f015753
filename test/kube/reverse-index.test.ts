import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubServer } from '../../src/api/hubserver.ts';
import { ReverseIndex } from '../../src/kube/reverse-index.ts';
import { FakeInformer } from '../support/fake-informer.ts';

const server = (name: string, username: string): HubServer =>
  ({
    apiVersion: 'hubops.io/v1alpha1',
    kind: 'HubServer',
    metadata: { namespace: 'team', name },
    spec: { username, serverName: '', state: 'Running' },
  }) as unknown as HubServer;

test('an object is found under each term it mentions, and only under its current ones', () => {
  const informer = new FakeInformer<HubServer>();
  const index = new ReverseIndex(informer, (s) => [s.spec.username]);
  informer.emit('added', server('a', 'ada'));
  informer.emit('added', server('b', 'ada'));
  informer.emit('added', server('c', 'bob'));
  assert.deepEqual([...index.keysFor('ada')], ['team/a', 'team/b']);
  informer.emit('updated', server('b', 'bob'));
  assert.deepEqual([...index.keysFor('ada')], ['team/a']);
  assert.deepEqual([...index.keysFor('bob')].sort(), ['team/b', 'team/c']);
  informer.emit('deleted', server('a', 'ada'));
  assert.deepEqual([...index.keysFor('ada')], []);
  assert.deepEqual([...index.keysFor('nobody')], []);
});

test('a term shared by several objects, and an object of several terms, shrink back to one and to none', () => {
  const informer = new FakeInformer<HubServer>();
  const index = new ReverseIndex(informer, (s) => s.spec.username.split(','));
  informer.emit('added', server('a', 'ada,bob'));
  informer.emit('added', server('b', 'ada'));
  informer.emit('added', server('c', 'ada'));
  assert.deepEqual([...index.keysFor('ada')], ['team/a', 'team/b', 'team/c']);
  assert.deepEqual([...index.keysFor('bob')], ['team/a']);
  informer.emit('deleted', server('b', 'ada'));
  informer.emit('updated', server('c', 'cy'));
  assert.deepEqual([...index.keysFor('ada')], ['team/a']);
  informer.emit('updated', server('a', 'bob'));
  assert.deepEqual([...index.keysFor('ada')], []);
  assert.deepEqual([...index.keysFor('bob')], ['team/a']);
  informer.emit('added', server('d', 'bob'));
  informer.emit('updated', server('a', 'ada,ada'));
  assert.deepEqual([...index.keysFor('bob')], ['team/d']);
  assert.deepEqual([...index.keysFor('ada')], ['team/a']);
  informer.emit('deleted', server('a', 'ada,ada'));
  assert.deepEqual([...index.keysFor('ada')], []);
  assert.deepEqual([...index.keysFor('cy')], ['team/c']);
});
