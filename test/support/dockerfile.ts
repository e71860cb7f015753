/**
 * The repository's Dockerfile as data, for the checks of the image (test/charts) and for running
 * the operator with the environment the image gives it (the bench).
 */
import { readFileSync } from 'node:fs';

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Dockerfile instructions with continuation lines joined, comments dropped, keywords upper-case. */
export function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

export function readDockerfile(): Instruction[] {
  return instructions(readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8'));
}

/**
 * The ENV of the last stage, the one the image runs. Only `ENV A=1 B=2` with plain values: a
 * quoted value or a `$` reference throws rather than being passed on wrong.
 */
export function runtimeEnvironment(dockerfile: readonly Instruction[]): Record<string, string> {
  const from = dockerfile.findLastIndex((i) => i.keyword === 'FROM');
  if (from < 0) throw new Error('the Dockerfile has no FROM');
  const env: Record<string, string> = {};
  for (const instruction of dockerfile.slice(from)) {
    if (instruction.keyword !== 'ENV') continue;
    for (const pair of instruction.args.split(/\s+/)) {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)=([^"'$\s]*)$/.exec(pair);
      if (!match) throw new Error(`an ENV the bench cannot read: ENV ${instruction.args}`);
      env[match[1] as string] = match[2] as string;
    }
  }
  return env;
}
