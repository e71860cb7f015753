/**
 * Writes docs/reference.md, the API reference of the custom resources, from the CRDs in crds/:
 * every spec and status field with its type, default, validation (enum, pattern, length and
 * number limits, list semantics, CEL rules with their messages) and description, plus what
 * `kubectl get` shows. Formatted with the repository's Prettier settings, so `make format-check`
 * and the committed file agree. test/docs/reference.test.ts fails when the file is stale.
 *
 *   node hack/gen-reference.ts          rewrite docs/reference.md (what `make reference` runs)
 *   node hack/gen-reference.ts -        print it instead
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { parse } from 'yaml';

/** The part of an OpenAPI v3 schema (as a CRD holds it) the reference reads. */
export interface Schema {
  readonly type?: string;
  readonly description?: string;
  readonly format?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly items?: Schema;
  readonly additionalProperties?: Schema | boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-list-type'?: string;
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  readonly 'x-kubernetes-validations'?: readonly {
    readonly rule: string;
    readonly message?: string;
    readonly fieldPath?: string;
  }[];
}

export interface Crd {
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly group: string;
    readonly scope: string;
    readonly names: {
      readonly kind: string;
      readonly plural: string;
      readonly singular?: string;
      readonly shortNames?: readonly string[];
      readonly categories?: readonly string[];
    };
    readonly versions: readonly {
      readonly name: string;
      readonly served: boolean;
      readonly storage: boolean;
      readonly subresources?: Readonly<Record<string, unknown>>;
      readonly additionalPrinterColumns?: readonly {
        readonly name: string;
        readonly type: string;
        readonly jsonPath: string;
        readonly description?: string;
        readonly priority?: number;
      }[];
      readonly schema: { readonly openAPIV3Schema: Schema };
    }[];
  };
}

/**
 * The kinds in the order a reader meets them (Hub last: without a hubRef the others use the hub of
 * the operator's settings); any other kind follows, by name.
 */
const kindOrder = ['HubUser', 'HubGroup', 'HubServer', 'HubToken', 'Hub'];

const root = fileURLToPath(new URL('..', import.meta.url));
const referencePath = join(root, 'docs', 'reference.md');

/** Every CRD in a folder (`*.yaml`, one CRD a file). */
export function readCrds(dir: string): Crd[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml') || file.endsWith('.yml'))
    .sort()
    .map((file) => parse(readFileSync(join(dir, file), 'utf8')) as Crd)
    .filter((doc) => doc?.spec?.names?.kind !== undefined);
}

function byKind(a: Crd, b: Crd): number {
  const rank = (crd: Crd): number => {
    const index = kindOrder.indexOf(crd.spec.names.kind);
    return index < 0 ? kindOrder.length : index;
  };
  return rank(a) - rank(b) || a.spec.names.kind.localeCompare(b.spec.names.kind);
}

/** Text for a table cell: one line, pipes escaped (also inside code spans, as GFM wants). */
function cell(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|');
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * A CRD description as Markdown text: descriptions are plain text (kubectl explain shows them
 * as they are), so a `*`, as in `["*"]`, is escaped rather than read as emphasis.
 */
export function prose(text: string): string {
  return text.replace(/\*/g, '\\*');
}

function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${text}${fence}`;
}

function literal(value: unknown): string {
  return code(typeof value === 'string' && value !== '' ? value : JSON.stringify(value));
}

/** `string`, `integer (int64)`, `[]string`, `map[string]string`, `object (free-form)`. */
export function typeOf(schema: Schema): string {
  if (schema.type === 'array') return `[]${schema.items ? typeOf(schema.items) : 'any'}`;
  if (schema.type === 'object') {
    if (schema['x-kubernetes-preserve-unknown-fields']) return 'object (free-form)';
    const extra = schema.additionalProperties;
    if (typeof extra === 'object') return `map[string]${typeOf(extra)}`;
    return 'object';
  }
  const base = schema.type ?? 'any';
  return schema.format ? `${base} (${schema.format})` : base;
}

function characters(n: number): string {
  return n === 1 ? '1 character' : `${n} characters`;
}

/** The checks the API server makes on one value, as short phrases. */
export function checksOf(schema: Schema): string[] {
  const checks: string[] = [];
  if (schema.enum) checks.push(`one of ${schema.enum.map((v) => literal(v)).join(', ')}`);
  const { minLength: minL, maxLength: maxL } = schema;
  if (minL !== undefined && maxL !== undefined) checks.push(`${minL}-${characters(maxL)}`);
  else if (maxL !== undefined) checks.push(`at most ${characters(maxL)}`);
  else if (minL !== undefined) checks.push(`at least ${characters(minL)}`);
  if (schema.minimum !== undefined && schema.maximum !== undefined)
    checks.push(`${schema.minimum} to ${schema.maximum}`);
  else if (schema.minimum !== undefined) checks.push(`at least ${schema.minimum}`);
  else if (schema.maximum !== undefined) checks.push(`at most ${schema.maximum}`);
  if (schema.minItems !== undefined) checks.push(`at least ${schema.minItems} items`);
  if (schema.maxItems !== undefined) checks.push(`at most ${schema.maxItems} items`);
  if (schema.pattern !== undefined) checks.push(`matches ${code(schema.pattern)}`);
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set') checks.push('each item at most once');
  if (listType === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    checks.push(`at most one item per ${keys.map(code).join(', ')}`);
  }
  return checks;
}

export interface Row {
  readonly field: string;
  readonly type: string;
  readonly required: boolean;
  readonly default: string;
  readonly checks: readonly string[];
  /** CEL rules: the message the API server answers with, and the expression. */
  readonly rules: readonly string[];
  readonly description: string;
}

/** One row per field of `schema` (and of everything beneath it), depth first in schema order. */
export function rowsOf(path: string, schema: Schema, required: boolean): Row[] {
  const rules = schema['x-kubernetes-validations'] ?? [];
  // A rule with a fieldPath reads as a check of that child; the others as checks of this object.
  const childRules = new Map<string, string[]>();
  const ownRules: string[] = [];
  for (const rule of rules) {
    const text = `${rule.message ?? 'must hold'} (${code(rule.rule)})`;
    const child = rule.fieldPath?.match(/^\.([A-Za-z0-9_]+)$/)?.[1];
    if (child && schema.properties?.[child]) {
      childRules.set(child, [...(childRules.get(child) ?? []), text]);
    } else ownRules.push(text);
  }
  const itemSchema = schema.type === 'array' ? schema.items : undefined;
  const itemChecks = itemSchema && !itemSchema.properties ? checksOf(itemSchema) : [];
  const itemDescription =
    itemSchema && !itemSchema.properties && itemSchema.description
      ? ` Each item: ${itemSchema.description}`
      : '';
  const row: Row = {
    field: path,
    type: typeOf(schema),
    required,
    default: schema.default === undefined ? '' : literal(schema.default),
    checks: [...checksOf(schema), ...itemChecks.map((check) => `each item ${check}`)],
    rules: [
      ...ownRules,
      ...(itemSchema?.['x-kubernetes-validations'] ?? []).map(
        (rule) => `each item: ${rule.message ?? 'must hold'} (${code(rule.rule)})`,
      ),
    ],
    description: prose(`${schema.description ?? ''}${itemDescription}`.trim()),
  };
  const rows = [row];
  const object = itemSchema?.properties ? itemSchema : schema;
  const prefix = itemSchema?.properties ? `${path}[]` : path;
  for (const [name, child] of Object.entries(object.properties ?? {})) {
    const childRows = rowsOf(`${prefix}.${name}`, child, object.required?.includes(name) ?? false);
    const extra = childRules.get(name) ?? [];
    const [first, ...rest] = childRows;
    if (first) rows.push({ ...first, rules: [...first.rules, ...extra] }, ...rest);
  }
  return rows;
}

/** One list item per field: the path, type and description, then default, checks and rules. */
function fieldList(rows: readonly Row[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const head = `${code(r.field)}: ${r.type}${r.required ? ', required' : ''}.`;
    out.push(`- ${oneLine(`${head} ${r.description}`)}`);
    if (r.default) out.push(`  - Default: ${r.default}`);
    if (r.checks.length) out.push(`  - Validation: ${oneLine(r.checks.join('; '))}`);
    for (const rule of r.rules) out.push(`  - Rule: ${oneLine(rule)}`);
  }
  return out;
}

function section(crd: Crd): string[] {
  const { names, group, scope } = crd.spec;
  const out: string[] = [];
  for (const version of crd.spec.versions.filter((v) => v.served)) {
    const schema = version.schema.openAPIV3Schema;
    const props = schema.properties ?? {};
    out.push(`## ${names.kind}`, '');
    if (schema.description) out.push(prose(schema.description.replace(/\s*\n\s*/g, ' ')), '');
    const aliases = [names.plural, names.singular, ...(names.shortNames ?? [])].filter(
      (n): n is string => Boolean(n),
    );
    out.push(
      `- API version ${code(`${group}/${version.name}`)}, kind ${code(names.kind)}; ${scope.toLowerCase()}${version.subresources?.['status'] ? ', with the status subresource' : ''}.`,
      `- \`kubectl get\` names: ${aliases.map(code).join(', ')}${names.categories?.length ? `; categories: ${names.categories.map(code).join(', ')}` : ''}.`,
      '',
    );
    const columns = version.additionalPrinterColumns ?? [];
    if (columns.length > 0) {
      out.push(
        `### Columns of \`kubectl get ${names.plural}\``,
        '',
        '| Column | Value | Description |',
        '| --- | --- | --- |',
        ...columns.map(
          (c) =>
            `| ${[
              c.name,
              code(c.jsonPath),
              `${prose(c.description ?? '')}${c.priority ? ' Shown with `-o wide`.' : ''}`,
            ]
              .map(cell)
              .join(' | ')} |`,
        ),
        '',
      );
    }
    for (const part of ['spec', 'status'] as const) {
      const sub = props[part];
      if (!sub) continue;
      const rows = rowsOf(part, sub, schema.required?.includes(part) ?? false);
      out.push(`### ${part === 'spec' ? 'Spec' : 'Status'}`, '', ...fieldList(rows), '');
    }
  }
  return out;
}

/** The reference as Markdown, before formatting. */
export function renderReference(crds: readonly Crd[]): string {
  const sorted = [...crds].sort(byKind);
  const groups = [...new Set(sorted.map((c) => c.spec.group))];
  const lines = [
    '# API reference',
    '',
    '<!-- Generated by hack/gen-reference.ts from crds/*.yaml. Do not edit: change the CRDs, then run `make reference`. -->',
    '',
    `The custom resources of hubops, from their CustomResourceDefinitions in [\`crds/\`](../crds/) (API group${groups.length > 1 ? 's' : ''} ${groups.map(code).join(', ')}). Each object also has the usual \`apiVersion\`, \`kind\` and \`metadata\`. [README.md](../README.md) explains how the operator acts on them.`,
    '',
    'Reading the field lists: each field is named by its full path (`[]` marks the items of a list), then its type; it is optional unless it says _required_. _Default_ is what the API server fills in when the field is left out; _Validation_ is what the API server checks when an object is created or changed (patterns are regular expressions); a _Rule_ is a CEL rule the API server checks, with the error message `kubectl` shows when it fails. Status fields are written by the operator, never by you.',
    '',
    ...sorted.map((c) => `- [${c.spec.names.kind}](#${c.spec.names.kind.toLowerCase()})`),
    '',
  ];
  for (const crd of sorted) lines.push(...section(crd));
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The reference exactly as docs/reference.md should hold it: rendered, then Prettier-formatted. */
export async function generateReference(crdDir = join(root, 'crds')): Promise<string> {
  const options = (await prettier.resolveConfig(referencePath)) ?? {};
  return prettier.format(renderReference(readCrds(crdDir)), {
    ...options,
    parser: 'markdown',
  });
}

if (import.meta.main) {
  const text = await generateReference();
  if (process.argv[2] === '-') process.stdout.write(text);
  else {
    writeFileSync(referencePath, text);
    console.log(`wrote ${referencePath}`);
  }
}
