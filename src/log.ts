/**
 * The root logger: JSON lines on stdout (pino), ISO timestamps, level names instead of
 * numbers. Components get children with their own fields; nothing here is a singleton.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { name: 'hubops' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
