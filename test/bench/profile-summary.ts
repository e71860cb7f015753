// Summarises a V8 CPU profile (`make bench` with BENCH_PROFILE=DIR writes one per operator run):
// where the time went, by package or source folder and by function, self time only.
// Usage: node test/bench/profile-summary.ts DIR/cold.cpuprofile [rows]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly hitCount?: number;
}

interface Profile {
  readonly nodes: ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: number[];
  readonly timeDeltas: number[];
}

const [file, rowsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: node test/bench/profile-summary.ts FILE.cpuprofile [rows]');
const rows = Number(rowsArg ?? 15);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
});

/** node_modules/<package>, src/<folder>, or what V8 calls the frame ((idle), (garbage collector)). */
function placeOf(url: string, name: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] ?? url;
  const own = /\/src\/([^/]+)\//.exec(url);
  if (own) return `src/${own[1]}`;
  if (url.startsWith('node:')) return 'node internals';
  return url === '' ? name : url;
}

const places = new Map<string, number>();
const functions = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const frame = byId.get(id)?.callFrame;
  if (!frame) continue;
  const place = placeOf(frame.url, frame.functionName);
  places.set(place, (places.get(place) ?? 0) + ms);
  const fn = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
  functions.set(fn, (functions.get(fn) ?? 0) + ms);
}
const total = (profile.endTime - profile.startTime) / 1000;
const top = (m: Map<string, number>): string[] =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, rows)
    .map(([k, ms]) => `| ${k} | ${ms.toFixed(0)} | ${((100 * ms) / total).toFixed(1)}% |`);
console.log(`profile of ${(total / 1000).toFixed(1)} s\n`);
console.log(['| where | self ms | share |', '|---|---|---|', ...top(places)].join('\n'));
console.log();
console.log(['| function | self ms | share |', '|---|---|---|', ...top(functions)].join('\n'));
