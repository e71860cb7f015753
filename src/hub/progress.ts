/**
 * The spawn progress stream (`text/event-stream`): `data: {json}` events separated by blank
 * lines, with bare keep-alive lines between them. Pure parsing over text chunks.
 */
import { progressEventSchema, type ProgressEvent } from './models.ts';

/** Yields each event's parsed data, in order; skips comments, keep-alives and unreadable data. */
export async function* parseEventStream(
  chunks: AsyncIterable<string | Buffer>,
): AsyncGenerator<ProgressEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  const dispatch = function* (): Generator<ProgressEvent> {
    if (data.length === 0) return;
    const text = data.join('\n');
    data = [];
    try {
      const parsed = progressEventSchema.safeParse(JSON.parse(text));
      if (parsed.success) yield parsed.data;
    } catch {
      // not JSON: skip it, as an EventSource would hand it over as text we do not use
    }
  };
  for await (const chunk of chunks) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (line === '') yield* dispatch();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
  }
  // An event not closed by a blank line when the stream ends is dropped, as the SSE spec says.
}

/** Whether an event ends the spawn: ready or failed. */
export function isFinal(event: ProgressEvent): boolean {
  return event.ready === true || event.failed === true;
}
