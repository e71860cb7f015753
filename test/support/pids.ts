/**
 * Processes a test started, handled by PID only (never by name): finding the children a server
 * spawned, and stopping one with SIGTERM, then SIGKILL if it lingers, without touching a PID that
 * the kernel has since given to another program.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The command line of PID, or undefined once it has exited. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/** The PIDs whose parent is PID, from /proc (a child's own session does not hide it there). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // The command name in parentheses may hold spaces, so fields count from the last ')'.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent === pid) children.push(Number(entry));
  }
  return children;
}

/**
 * Sends SIGTERM to PID while its command line still mentions `program`, waits up to graceMs for
 * it to exit, then sends SIGKILL. Resolves once it is gone (or was never ours).
 */
export async function stopPid(pid: number, program: string, graceMs = 20_000): Promise<void> {
  const ours = (): boolean => commandLine(pid)?.includes(program) ?? false;
  if (!ours()) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (ours() && Date.now() < deadline) await sleep(100);
  if (!ours()) return;
  process.kill(pid, 'SIGKILL');
  while (ours()) await sleep(50);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
