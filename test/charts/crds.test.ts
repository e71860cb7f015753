// The chart ships the CustomResourceDefinitions as copies of crds/ (Helm installs a chart's crds/
// folder before anything else). These copies must not drift: refresh them with
// `cp crds/*.yaml charts/hubops/crds/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartDir, root } from './tools.ts';

const source = join(root, 'crds');
const copies = join(chartDir, 'crds');
const yamlFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort();

test('the chart holds a copy of every CRD in crds/ and nothing else', () => {
  assert.deepEqual(yamlFiles(copies), yamlFiles(source));
  assert.ok(yamlFiles(source).length > 0);
});

for (const file of yamlFiles(source)) {
  test(`the chart's ${file} is byte for byte the one in crds/`, () => {
    assert.equal(
      readFileSync(join(copies, file), 'utf8'),
      readFileSync(join(source, file), 'utf8'),
      `charts/hubops/crds/${file} differs from crds/${file}: cp crds/*.yaml charts/hubops/crds/`,
    );
  });
}
