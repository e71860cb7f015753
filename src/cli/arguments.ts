/**
 * The command line's argument parsing: strict flags (an unknown or malformed one is a
 * UsageError, said in one line, exit 2) and the parsers of the values that several commands take.
 */
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

export function parseOptions<T extends Options>(
  args: readonly string[],
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true }>> {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** `NAME` or `NAME/NS`, as --hub-ref takes a Hub. */
export function parseHubRef(text: string): { name: string; namespace?: string } {
  const [name, namespace, extra] = text.split('/');
  if (!name || extra !== undefined) throw new UsageError(`--hub-ref is NAME or NAME/NS: ${text}`);
  return namespace ? { name, namespace } : { name };
}

export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const [key, value, extra] = pair.split('=');
    if (!key || value === undefined || extra !== undefined)
      throw new UsageError(`--selector-labels is K=V[,K=V]: ${text}`);
    labels[key.trim()] = value.trim();
  }
  return labels;
}

export function regex(text: string): RegExp {
  try {
    return new RegExp(text, 'u');
  } catch (err) {
    throw new UsageError(`--match is not a regular expression: ${(err as Error).message}`);
  }
}
