// The operator as the image runs it: the bundle hack/build.ts makes, started with start:built's
// flags and the image's environment from a folder without node_modules, converges a HubUser and
// a HubGroup against the real kube-apiserver and hub, and a SIGTERM stops it cleanly.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCrds, freshNamespace, kubeConfig, until } from './support/kube.ts';
import {
  buildImageFolder,
  imageEnvironment,
  startOperator,
  startScript,
  type OperatorProcess,
} from './support/operator.ts';
import { realHub } from './support/real-hub.ts';
import { Resources, ready } from './support/resources.ts';
import { loadTestenv } from './support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const { hub } = realHub(env);
const tag = randomBytes(3).toString('hex');
let app: string;
let r: Resources;
let operator: OperatorProcess | undefined;

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'bundle'));
  app = buildImageFolder();
  mkdirSync(join(app, 'cache'));
});
after(async () => {
  await operator?.stop('SIGKILL');
  await hub.close();
  rmSync(app, { recursive: true, force: true });
});

test('the bundle converges a HubUser and a HubGroup, then stops on SIGTERM', async () => {
  const { nodeArgs } = startScript('start:built');
  operator = startOperator(
    env,
    {
      ...imageEnvironment(),
      NODE_COMPILE_CACHE: join(app, 'cache'),
      WATCH_NAMESPACE: r.namespace,
      LEASE_NAME: `bundle-${tag}`,
    },
    join(app, 'dist', 'main.js'),
    nodeArgs,
  );
  const user = `b${tag}-ada`;
  await r.create('hubusers', 'ada', { username: user });
  await r.create('hubgroups', 'team', { groupName: `b${tag}-team`, members: [user] });
  await until(
    async () => [...(await r.list('hubusers')), ...(await r.list('hubgroups'))].every(ready),
    30_000,
    'the HubUser and the HubGroup Ready',
    200,
  );
  assert.deepEqual((await hub.groups.get(`b${tag}-team`))?.users, [user]);
  assert.equal(await operator.stop('SIGTERM'), 0);
  assert.ok(
    operator.lines.every((line) => !('notJson' in line)),
    'every log line is JSON',
  );
});
