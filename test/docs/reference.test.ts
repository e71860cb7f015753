// docs/reference.md is generated from crds/*.yaml by hack/gen-reference.ts. These tests fail when
// the committed file no longer matches the CRDs, and when the generator leaves a field out.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  generateReference,
  readCrds,
  prose,
  renderReference,
  type Crd,
  type Schema,
} from '../../hack/gen-reference.ts';

const root = new URL('../../', import.meta.url).pathname;
const crds = readCrds(`${root}crds`);

/** Every field path under spec and status, as the reference names them (`[]` for list items). */
function fieldPaths(path: string, schema: Schema): [string, Schema][] {
  const found: [string, Schema][] = [[path, schema]];
  const object = schema.type === 'array' && schema.items?.properties ? schema.items : schema;
  const prefix = object === schema ? path : `${path}[]`;
  for (const [name, child] of Object.entries(object.properties ?? {}))
    found.push(...fieldPaths(`${prefix}.${name}`, child));
  return found;
}

function fieldsOf(crd: Crd): [string, Schema][] {
  const props = crd.spec.versions[0]?.schema.openAPIV3Schema.properties ?? {};
  return (['spec', 'status'] as const).flatMap((part) =>
    props[part] ? fieldPaths(part, props[part]) : [],
  );
}

/** The lines of one kind's section of the rendered reference. */
function sectionOf(text: string, kind: string): string {
  const start = text.indexOf(`\n## ${kind}\n`);
  assert.ok(start >= 0, `the reference has a section for ${kind}`);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

/** A field's list item with its sub-items (default, validation, rules). */
function entryOf(section: string, path: string): string {
  const lines = section.split('\n');
  const first = lines.findIndex((l) => l.startsWith(`- \`${path}\`: `));
  assert.ok(first >= 0, `the reference lists ${path}`);
  const rest = lines.slice(first + 1);
  const end = rest.findIndex((l) => !l.startsWith('  - '));
  return [lines[first], ...rest.slice(0, end < 0 ? undefined : end)].join('\n');
}

test('the CRDs are found: Hub, HubUser, HubGroup, HubServer and HubToken', () => {
  assert.deepEqual(crds.map((c) => c.spec.names.kind).sort(), [
    'Hub',
    'HubGroup',
    'HubServer',
    'HubToken',
    'HubUser',
  ]);
});

test('a "*" in a description is shown as it is, not read as emphasis', async () => {
  const text = await generateReference(`${root}crds`);
  assert.ok(text.includes('["\\*"] allows every namespace'), 'the Hub section shows ["*"]');
  assert.ok(!text.includes('["_"]'));
});

test('the reference lists the kinds as a reader meets them, Hub last', () => {
  const text = renderReference(crds);
  const order = [...text.matchAll(/^## (\w+)$/gm)].map((m) => m[1]);
  assert.deepEqual(order, ['HubUser', 'HubGroup', 'HubServer', 'HubToken', 'Hub']);
});

test('docs/reference.md is what hack/gen-reference.ts makes of crds/ today (if not, run `make reference`)', async () => {
  const committed = readFileSync(`${root}docs/reference.md`, 'utf8');
  const fresh = await generateReference(`${root}crds`);
  assert.ok(
    committed === fresh,
    'docs/reference.md is stale: the CRDs changed since it was generated; run `make reference` and commit the result',
  );
});

test('the reference lists every spec and status field of every kind, with its type and description', () => {
  const text = renderReference(crds);
  for (const crd of crds) {
    const section = sectionOf(text, crd.spec.names.kind);
    for (const [path, schema] of fieldsOf(crd)) {
      const entry = entryOf(section, path);
      if (schema.description) {
        const words = prose(schema.description.replace(/\s+/g, ' ').trim());
        assert.ok(entry.includes(words), `${crd.spec.names.kind} ${path} shows its description`);
      }
      assert.match(entry, /^- `[^`]+`: (\[\])*(string|integer|number|boolean|object|map)/);
    }
  }
});

test("the reference shows each field's default, enum values, limits, pattern and CEL rule messages", () => {
  const text = renderReference(crds);
  let checked = 0;
  for (const crd of crds) {
    const section = sectionOf(text, crd.spec.names.kind);
    for (const [path, schema] of fieldsOf(crd)) {
      const entry = entryOf(section, path);
      if (schema.default !== undefined) {
        assert.match(entry, /\n {2}- Default: `/, `${path} shows its default`);
        checked += 1;
      }
      for (const value of schema.enum ?? []) assert.ok(entry.includes(`\`${String(value)}\``));
      if (schema.pattern) assert.ok(entry.includes(schema.pattern), `${path} shows its pattern`);
      if (schema.maxLength !== undefined) assert.ok(entry.includes(String(schema.maxLength)));
      if (schema.minimum !== undefined) assert.ok(entry.includes(`at least ${schema.minimum}`));
      for (const rule of schema['x-kubernetes-validations'] ?? []) {
        const message = (rule.message ?? '').replace(/\s+/g, ' ').trim();
        // A rule naming a child field is shown on that child's entry.
        const child = rule.fieldPath ? entryOf(section, `${path}${rule.fieldPath}`) : entry;
        assert.ok(child.includes(message), `${path}${rule.fieldPath ?? ''} shows: ${message}`);
      }
    }
  }
  assert.ok(checked >= 5, 'defaults were found and checked');
});
