/** A pino logger that keeps its lines in memory, so tests can read what would have been logged. */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export function memoryLogger(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}

export const silentLogger: Logger = pino({ level: 'silent' });
