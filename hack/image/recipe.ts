// The Dockerfile as the recipe of the image: what its runtime stage puts where and how it runs,
// for hack/image/build.ts to carry out and for tests to compare with an image that was built. Only
// the instructions the Dockerfile uses are understood; any other in the runtime stage throws, so
// the local build can never silently differ from a `docker build`.
import { instructions, runtimeStage, type Instruction } from './dockerfile.ts';

export type FileStep =
  | { readonly kind: 'workdir'; readonly path: string }
  | {
      readonly kind: 'copy';
      readonly fromBuildStage: boolean;
      readonly sources: readonly string[];
      readonly destination: string;
      readonly workdir: string;
      readonly chmod?: number;
    };

export interface ImageRecipe {
  /** The runtime stage's base image, as the Dockerfile names it (ARGs expanded). */
  readonly base: string;
  /** ARG NODE_VERSION: the Node release of the build stage. */
  readonly nodeVersion: string;
  /** The RUN commands of the stages before the runtime stage. */
  readonly buildCommands: readonly string[];
  readonly files: readonly FileStep[];
  /** The environment of the running container: the base's, then the runtime stage's ENV. */
  readonly env: Readonly<Record<string, string>>;
  readonly user: string;
  readonly workdir: string;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly exposedPorts: readonly number[];
}

/** What gcr.io/distroless/nodejs24-debian12:nonroot's own config gives a stage built on it. */
export const distrolessNonroot = {
  env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
  user: '65532',
  workdir: '/home/nonroot',
  entrypoint: ['/nodejs/bin/node'],
} as const;

/** Reads the Dockerfile TEXT as a recipe; throws on anything it would have to guess. */
export function imageRecipe(text: string): ImageRecipe {
  const all = instructions(text);
  const args = new Map<string, string>();
  for (const instruction of all) {
    if (instruction.keyword !== 'ARG') continue;
    const [key, value] = instruction.args.split('=', 2);
    if (key !== undefined && value !== undefined) args.set(key, value);
  }
  const expand = (value: string): string =>
    value.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => {
      const key = (a ?? b) as string;
      const found = args.get(key);
      if (found === undefined) throw new Error(`the Dockerfile uses $${key}, which no ARG sets`);
      return found;
    });
  const runtime = runtimeStage(all);
  const nodeVersion = args.get('NODE_VERSION');
  if (nodeVersion === undefined) throw new Error('the Dockerfile has no ARG NODE_VERSION');
  const buildCommands = all
    .slice(0, all.length - runtime.length)
    .filter((i) => i.keyword === 'RUN')
    .map((i) => i.args);

  const [from, ...steps] = runtime;
  const base = expand((from as Instruction).args).split(/\s+/)[0] as string;
  const env: Record<string, string> = { ...distrolessNonroot.env };
  let user: string = distrolessNonroot.user;
  let workdir: string = distrolessNonroot.workdir;
  let entrypoint: readonly string[] = distrolessNonroot.entrypoint;
  let cmd: readonly string[] = [];
  const exposedPorts: number[] = [];
  const files: FileStep[] = [];
  for (const step of steps) {
    switch (step.keyword) {
      case 'ARG':
        break;
      case 'WORKDIR':
        workdir = expand(step.args);
        files.push({ kind: 'workdir', path: workdir });
        break;
      case 'ENV':
        for (const pair of step.args.split(/\s+/)) {
          const match = /^([A-Za-z_][A-Za-z0-9_]*)=([^"'$\s]*)$/.exec(pair);
          if (!match) throw new Error(`an ENV the image build cannot read: ENV ${step.args}`);
          env[match[1] as string] = match[2] as string;
        }
        break;
      case 'COPY':
        files.push(copyStep(step.args, workdir));
        break;
      case 'USER':
        user = step.args;
        break;
      case 'EXPOSE':
        exposedPorts.push(
          ...step.args.split(/\s+/).map((port) => Number(port.replace(/\/tcp$/, ''))),
        );
        break;
      case 'ENTRYPOINT':
        entrypoint = execForm(step);
        // As in a Docker build: an ENTRYPOINT resets the CMD a base image set.
        cmd = [];
        break;
      case 'CMD':
        cmd = execForm(step);
        break;
      default:
        throw new Error(`the image build does not carry out ${step.keyword} in the runtime stage`);
    }
  }
  return {
    base,
    nodeVersion,
    buildCommands,
    files,
    env,
    user,
    workdir,
    entrypoint,
    cmd,
    exposedPorts,
  };
}

function copyStep(args: string, workdir: string): FileStep {
  const words = args.split(/\s+/);
  let fromBuildStage = false;
  let chmod: number | undefined;
  while (words[0]?.startsWith('--')) {
    const flag = words.shift() as string;
    const [name, value] = flag.slice(2).split('=', 2);
    if (name === 'from' && value === 'build') fromBuildStage = true;
    else if (name === 'chmod' && value !== undefined && /^[0-7]{3,4}$/.test(value))
      chmod = parseInt(value, 8);
    else throw new Error(`a COPY flag the image build does not know: ${flag}`);
  }
  const destination = words.pop();
  if (destination === undefined || words.length === 0)
    throw new Error(`COPY needs a source and a destination: ${args}`);
  return {
    kind: 'copy',
    fromBuildStage,
    sources: words,
    destination,
    workdir,
    ...(chmod === undefined ? {} : { chmod }),
  };
}

function execForm(step: Instruction): string[] {
  const parsed: unknown = JSON.parse(step.args);
  if (!Array.isArray(parsed) || !parsed.every((word) => typeof word === 'string')) {
    throw new Error(`${step.keyword} must use the exec (JSON array) form: ${step.args}`);
  }
  return parsed;
}
