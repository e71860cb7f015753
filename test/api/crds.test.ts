// The CRDs in crds/ and the zod schemas in src/api/ describe the same specs and statuses twice;
// these tests reduce both to the same comparable form (names, types, enums, defaults, required
// lists, patterns, limits) so that neither can change alone. Reads files only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { category, group, kinds, version, type KindDescriptor } from '../../src/api/meta.ts';
import { conditionType } from '../../src/api/conditions.ts';
import { hubSpecSchema, hubStatusSchema } from '../../src/api/hub.ts';
import { hubUserSpecSchema, hubUserStatusSchema } from '../../src/api/hubuser.ts';
import { hubGroupSpecSchema, hubGroupStatusSchema } from '../../src/api/hubgroup.ts';
import { hubServerSpecSchema, hubServerStatusSchema } from '../../src/api/hubserver.ts';
import { hubTokenSpecSchema, hubTokenStatusSchema } from '../../src/api/hubtoken.ts';

type Schema = { [key: string]: unknown };

const rows: [file: string, names: KindDescriptor, spec: z.ZodType, status: z.ZodType][] = [
  ['hubs.yaml', kinds.Hub, hubSpecSchema, hubStatusSchema],
  ['hubusers.yaml', kinds.HubUser, hubUserSpecSchema, hubUserStatusSchema],
  ['hubgroups.yaml', kinds.HubGroup, hubGroupSpecSchema, hubGroupStatusSchema],
  ['hubservers.yaml', kinds.HubServer, hubServerSpecSchema, hubServerStatusSchema],
  ['hubtokens.yaml', kinds.HubToken, hubTokenSpecSchema, hubTokenStatusSchema],
];

function loadCrd(file: string): Schema {
  return parse(readFileSync(new URL(`../../crds/${file}`, import.meta.url), 'utf8')) as Schema;
}

function at(node: unknown, ...path: string[]): Schema {
  let current = node;
  for (const key of path) current = (current as Schema | undefined)?.[key];
  assert.ok(current && typeof current === 'object', `no ${path.join('.')}`);
  return current as Schema;
}

const compared =
  'type enum default pattern minLength maxLength minimum maximum minItems maxItems format'.split(
    ' ',
  );

/**
 * The part of an OpenAPI schema node that both sides must agree on. Dropped as noise: zod's own
 * safe-integer bounds and date-time pattern, the CRD's int64 format, and descriptions and
 * x-kubernetes-* extensions (CEL rules, list types), which zod cannot express as JSON schema.
 */
function comparable(node: Schema): Schema {
  const out: Schema = {};
  for (const key of compared) if (node[key] !== undefined) out[key] = node[key];
  if (Array.isArray(out['enum'])) out['enum'] = [...(out['enum'] as string[])].sort();
  if (out['format'] === 'date-time') delete out['pattern'];
  if (out['type'] === 'integer') delete out['format'];
  if (Math.abs(out['minimum'] as number) === Number.MAX_SAFE_INTEGER) delete out['minimum'];
  if (Math.abs(out['maximum'] as number) === Number.MAX_SAFE_INTEGER) delete out['maximum'];
  const properties = node['properties'] as Record<string, Schema> | undefined;
  if (properties) {
    out['properties'] = Object.fromEntries(
      Object.entries(properties)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, child]) => [name, comparable(child)]),
    );
    out['required'] = [...((node['required'] as string[] | undefined) ?? [])].sort();
  }
  if (node['items']) out['items'] = comparable(node['items'] as Schema);
  const additional = node['additionalProperties'] as Schema | undefined;
  const freeForm =
    node['x-kubernetes-preserve-unknown-fields'] === true ||
    (additional !== undefined && Object.keys(additional).length === 0);
  if (freeForm) out['additionalProperties'] = 'anything';
  else if (additional) out['additionalProperties'] = comparable(additional);
  return out;
}

/** One line per leaf (`members[].pattern`), so that a failure names each field that differs. */
function flatten(node: Schema, prefix = ''): Record<string, unknown> {
  const lines: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties') {
      for (const [name, child] of Object.entries(value as Record<string, Schema>)) {
        Object.assign(lines, flatten(child, `${prefix}${name}.`));
      }
    } else if (key === 'items' || (key === 'additionalProperties' && value !== 'anything')) {
      Object.assign(lines, flatten(value as Schema, `${prefix}${key === 'items' ? '[]' : '{}'}.`));
    } else {
      lines[`${prefix}${key}`] = value;
    }
  }
  return lines;
}

function crdSide(node: Schema): Record<string, unknown> {
  // The spec's own `default: {}` is checked below, against what the zod schema makes of {}.
  return flatten(comparable({ ...node, default: undefined }));
}

function zodSide(schema: z.ZodType): Record<string, unknown> {
  return flatten(comparable(z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0' })));
}

test('every CRD in crds/ is compared here, one for each kind of src/api/meta.ts', () => {
  const files = readdirSync(new URL('../../crds/', import.meta.url)).filter((f) =>
    f.endsWith('.yaml'),
  );
  assert.deepEqual(files.sort(), rows.map(([file]) => file).sort());
  assert.deepEqual(rows.map(([, names]) => names.kind).sort(), Object.keys(kinds).sort());
});

for (const [file, names, spec, status] of rows) {
  const crd = loadCrd(file);
  const crdVersion = at(crd, 'spec', 'versions', '0');
  const root = at(crdVersion, 'schema', 'openAPIV3Schema');

  test(`crds/${file} declares ${names.kind} with the names, group and version of src/api/meta.ts`, () => {
    assert.equal(crd['apiVersion'], 'apiextensions.k8s.io/v1');
    assert.equal(at(crd, 'metadata')['name'], `${names.plural}.${group}`);
    assert.equal(at(crd, 'spec')['group'], group);
    assert.equal(at(crd, 'spec')['scope'], 'Namespaced');
    assert.deepEqual(at(crd, 'spec', 'names'), {
      kind: names.kind,
      listKind: `${names.kind}List`,
      plural: names.plural,
      singular: names.singular,
      ...(names.shortName === undefined ? {} : { shortNames: [names.shortName] }),
      categories: [category],
    });
    assert.equal((at(crd, 'spec')['versions'] as unknown[]).length, 1);
    assert.equal(crdVersion['name'], version);
    assert.equal(crdVersion['served'], true);
    assert.equal(crdVersion['storage'], true);
    assert.deepEqual(crdVersion['subresources'], { status: {} });
  });

  test(`the ${names.kind} spec schema of crds/${file} and the zod spec schema agree`, () => {
    assert.deepEqual(crdSide(at(root, 'properties', 'spec')), zodSide(spec));
  });

  test(`the ${names.kind} status schema of crds/${file} and the zod status schema agree`, () => {
    assert.deepEqual(crdSide(at(root, 'properties', 'status')), zodSide(status));
  });

  test(`a ${names.kind} may omit its spec exactly when the zod spec schema accepts {}`, () => {
    const specNode = at(root, 'properties', 'spec');
    const omittable = !((root['required'] as string[] | undefined) ?? []).includes('spec');
    assert.equal(omittable, spec.safeParse({}).success);
    if (omittable) assert.deepEqual(specNode['default'], {});
  });

  test(`every field of crds/${file} has a description for users`, () => {
    const missing: string[] = [];
    const visit = (node: Schema, path: string): void => {
      for (const [name, child] of Object.entries(
        (node['properties'] as Record<string, Schema>) ?? {},
      )) {
        const here = `${path}.${name}`;
        if (name !== 'metadata' && !child['description']) missing.push(here);
        visit(child, here);
        if (child['items']) visit(child['items'] as Schema, `${here}[]`);
      }
    };
    visit(root, names.kind);
    assert.deepEqual(missing, []);
  });

  test(`every printer column of crds/${file} reads a field the schema declares`, () => {
    for (const column of crdVersion['additionalPrinterColumns'] as Schema[]) {
      const path = column['jsonPath'] as string;
      if (path.startsWith('.metadata.')) continue;
      const filter = /\[\?\(@\.type=="(\w+)"\)\]/.exec(path);
      if (filter) assert.ok(Object.values(conditionType).includes(filter[1] as never), path);
      // A filter such as [?(@.type=="Ready")] walks into the list's items.
      const steps = path
        .replace(/\[\?\(.*?\)\]/g, '.[]')
        .split('.')
        .slice(1);
      let node = root;
      for (const step of steps)
        node = step === '[]' ? at(node, 'items') : at(node, 'properties', step);
      assert.equal(node['type'], column['type'], path);
    }
  });
}

// The kinds that declare something in a hub name the hub with spec.hubRef, which the API server
// keeps as it was created, as it keeps the identity fields.
for (const [file, names] of rows.filter(([, names]) => names.kind !== 'Hub')) {
  test(`crds/${file} has spec.hubRef, which a CEL rule keeps from being set, changed or removed`, () => {
    const specNode = at(loadCrd(file), 'spec', 'versions', '0', 'schema', 'openAPIV3Schema');
    const spec = at(specNode, 'properties', 'spec');
    const hubRef = at(spec, 'properties', 'hubRef');
    assert.deepEqual(hubRef['required'], ['name']);
    assert.equal(hubRef['x-kubernetes-map-type'], 'atomic');
    const rules = spec['x-kubernetes-validations'] as Schema[];
    const rule = rules.find((r) => r['fieldPath'] === '.hubRef');
    assert.ok(rule, `crds/${file} has no rule for .hubRef`);
    assert.equal(
      String(rule['rule']).replace(/\s+/g, ' '),
      'has(self.hubRef) == has(oldSelf.hubRef) && (!has(self.hubRef) || self.hubRef == oldSelf.hubRef)',
    );
    assert.match(String(rule['message']), /^spec\.hubRef is immutable: /);
    assert.match(String(rule['message']), new RegExp(`create a new ${names.kind} instead$`));
  });
}
