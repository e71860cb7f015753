import { test } from 'node:test';
import { Readable } from 'node:stream';
import assert from 'node:assert/strict';
import { isFinal, parseEventStream } from '../../src/hub/progress.ts';
import type { ProgressEvent } from '../../src/hub/models.ts';

async function parse(chunks: string[]): Promise<ProgressEvent[]> {
  const events: ProgressEvent[] = [];
  for await (const event of parseEventStream(Readable.from(chunks))) events.push(event);
  return events;
}

test('parses data events and ignores keep-alive lines', async () => {
  const events = await parse([
    'data: {"progress": 0, "message": "Server requested"}\n\n',
    '\n\n',
    'data: {"progress": 100, "ready": true, "message": "Server ready at /user/a/", "url": "/user/a/"}\n\n',
  ]);
  assert.deepEqual(events, [
    { progress: 0, message: 'Server requested' },
    { progress: 100, ready: true, message: 'Server ready at /user/a/', url: '/user/a/' },
  ]);
  assert.equal(isFinal(events[1]!), true);
});

test('joins events split across chunks and CRLF line ends', async () => {
  const events = await parse([
    'data: {"progr',
    'ess": 50}\r',
    '\n\r\ndata: {"failed": true, "message": "Spawn failed: boom"}',
    '\n\n',
  ]);
  assert.deepEqual(events, [{ progress: 50 }, { failed: true, message: 'Spawn failed: boom' }]);
  assert.equal(isFinal(events[0]!), false);
});

test('skips data that is not JSON, comments, and an event the stream cut off', async () => {
  assert.deepEqual(
    await parse([
      'data: not json\n\n',
      ': comment\n',
      'data: {"progress": 10}\n\n',
      'data: {"progress": 20}\n',
    ]),
    [{ progress: 10 }],
  );
});
