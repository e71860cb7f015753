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

/** The instructions of the last stage, the one the image runs, from its FROM on. */
export function runtimeStage(dockerfile: readonly Instruction[]): Instruction[] {
  const from = dockerfile.findLastIndex((i) => i.keyword === 'FROM');
  if (from < 0) throw new Error('the Dockerfile has no FROM');
  return dockerfile.slice(from);
}

/**
 * The ENV of the runtime stage. Only `ENV A=1 B=2` with plain values: a quoted value or a `$`
 * reference throws rather than being passed on wrong.
 */
export function runtimeEnvironment(dockerfile: readonly Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of runtimeStage(dockerfile)) {
    if (instruction.keyword !== 'ENV') continue;
    for (const pair of instruction.args.split(/\s+/)) {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)=([^"'$\s]*)$/.exec(pair);
      if (!match) throw new Error(`an ENV the bench cannot read: ENV ${instruction.args}`);
      env[match[1] as string] = match[2] as string;
    }
  }
  return env;
}
