/**
 * The hub a command reads: --url and --token-file, else the operator's own variables. The client
 * is the operator's, with its retries and typed errors, and no logger: the command line speaks
 * only through its output and its one-line errors.
 */
import { systemClock } from '../clock.ts';
import { hubConnectionFromEnvironment, tokenFromFile } from '../config.ts';
import { Hub } from '../hub/hub.ts';
import { createLogger } from '../log.ts';
import { UsageError } from './arguments.ts';

/** `fallbackUrl`: where the hub is when neither --url nor HUB_API_URL says (a Hub's spec.url). */
export function connect(
  urlFlag: string | undefined,
  tokenFile: string | undefined,
  fallbackUrl?: string,
): Hub {
  const fromEnv = hubConnectionFromEnvironment();
  const url = urlFlag ?? fromEnv.url ?? fallbackUrl;
  if (!url) throw new UsageError('no hub: give --url or set HUB_API_URL');
  const token = tokenFile ? tokenFromFile(tokenFile, '--token-file') : fromEnv.token;
  if (!token) throw new UsageError('no token: give --token-file or set HUB_API_TOKEN(_FILE)');
  try {
    new URL(url);
  } catch {
    throw new UsageError(`--url is not a URL: ${url}`);
  }
  return new Hub({ baseUrl: url, token, clock: systemClock, logger: createLogger('silent') });
}
