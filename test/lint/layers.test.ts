// The layer rules of DEVELOPERS.md, proven on the lint configuration itself: each row is an
// import written in a file of a layer, and whether the rules let it through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint, type Linter } from 'eslint';

const configPath = new URL('../../eslint.config.js', import.meta.url).href;
const { layers } = (await import(configPath)) as { layers: Linter.Config[] };
const eslint = new ESLint({
  cwd: new URL('../..', import.meta.url).pathname,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'] }, ...layers],
});

const rows: [file: string, specifier: string, allowed: boolean][] = [
  ['src/api/hubuser.ts', './conditions.ts', true],
  ['src/api/hubuser.ts', '../hub/models.ts', false],
  ['src/api/hubuser.ts', '../errors.ts', false],
  ['src/plan/hubuser.ts', '../api/hubuser.ts', true],
  ['src/plan/hubuser.ts', '../hub/models.ts', true],
  ['src/plan/hubuser.ts', '../hub/client.ts', false],
  ['src/plan/hubuser.ts', '../kube/queue.ts', false],
  ['src/plan/hubuser.ts', '../config.ts', false],
  ['src/hub/users.ts', './client.ts', true],
  ['src/hub/users.ts', '../errors.ts', true],
  ['src/hub/users.ts', '../kube/queue.ts', false],
  ['src/hub/users.ts', '../api/hubuser.ts', false],
  ['src/hub/users.ts', '../plan/actions.ts', false],
  ['src/kube/informer.ts', '../api/meta.ts', true],
  ['src/kube/informer.ts', '../hub/client.ts', false],
  ['src/kube/status/writer.ts', '../../hub/client.ts', false],
  ['src/controllers/hub-controllers.ts', '../hub/users.ts', true],
  ['src/controllers/hub-controllers.ts', '../kube/queue.ts', true],
  ['src/controllers/hub-controllers.ts', '../main.ts', false],
  ['src/hub/budget.ts', '../priority.ts', true],
  ['src/kube/queue.ts', '../priority.ts', true],
  ['src/controllers/hubgroup/reconciler.ts', '../runtime/hub-object.ts', true],
  ['src/controllers/hubgroup/reconciler.ts', '../../hub/hub.ts', true],
  ['src/controllers/hubgroup/reconciler.ts', '../hubuser/hubuser-index.ts', false],
  ['src/controllers/hubserver/triggers.ts', '../hubgroup/triggers.ts', false],
  ['src/controllers/hubgroup/reconciler.ts', '../../main.ts', false],
  ['src/controllers/runtime/runner.ts', '../../kube/queue.ts', true],
  ['src/controllers/runtime/runner.ts', '../hubuser/reconciler.ts', false],
  ['src/controllers/runtime/runner.ts', '../manager.ts', false],
  ['src/controllers/runtime/runner.ts', '../../main.ts', false],
  ['src/controllers/hub-controllers.ts', './hubuser/kind.ts', true],
  ['src/cli/main.ts', '../hub/hub.ts', true],
  ['src/cli/main.ts', '../plan/hubuser.ts', true],
  ['src/cli/main.ts', '../controllers/runtime/runner.ts', false],
  ['src/cli/main.ts', '../kube/informer.ts', false],
  ['src/cli/main.ts', '../kube/leader.ts', false],
  ['src/cli/live.ts', '../kube/kube-client.ts', true],
  ['src/cli/live.ts', '../kube/kube-target.ts', true],
  ['src/controllers/manager.ts', '../cli/export.ts', false],
];

for (const [file, specifier, allowed] of rows) {
  test(`${file} ${allowed ? 'may' : 'may not'} import ${specifier}`, async () => {
    const [result] = await eslint.lintText(`import '${specifier}';\n`, { filePath: file });
    const messages = (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports');
    assert.equal(messages.length === 0, allowed, messages[0]?.message);
  });
}
