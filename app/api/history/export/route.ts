import { z } from 'zod';
import { toCsvRow } from '@/lib/csv/to-csv-row';
import { exportEvents, historyFilterSchema } from '@/lib/console/history-query';
import type { EventView } from '@/lib/console/views';
import { sharedDb } from '@/lib/db/client';
import { guarded, parseQuery } from '@/lib/http/guard';

export const dynamic = 'force-dynamic';

const exportQuerySchema = historyFilterSchema.extend({ format: z.enum(['json', 'csv']).default('json') });
const CSV_HEADER = ['at', 'run_id', 'generation', 'worker_id', 'host', 'pid', 'fence', 'event', 'detail'];
/** Bytes the stream holds ahead of the reader; one pull fills about this much. */
const HIGH_WATER_MARK = 64 * 1024;

/**
 * The filtered history, oldest first so it can be replayed. Pull-based: the cursor is read only
 * when the reader has taken what was sent (the stream's queue is below its high-water mark), so a
 * reader that stops reading stops the cursor, and memory stays flat whatever the export's size.
 * A reader that goes away closes the cursor.
 */
export const GET = guarded(async (request) => {
  const { format, ...filter } = parseQuery(exportQuerySchema, request.url);
  const events = exportEvents(await sharedDb(), filter)[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  const row =
    format === 'csv'
      ? (e: EventView) => toCsvRow([e.at, e.run_id, e.generation, e.worker_id, e.host, e.pid, e.fence, e.event, JSON.stringify(e.detail)])
      : (e: EventView, first: boolean) => `${first ? '' : ','}\n${JSON.stringify(e)}`;
  let started = false;
  let first = true;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let text = '';
        if (!started) {
          started = true;
          text = format === 'csv' ? toCsvRow(CSV_HEADER) : '[';
        }
        while (text.length < HIGH_WATER_MARK) {
          const next = await events.next();
          if (next.done) {
            if (format === 'json') text += '\n]\n';
            if (text) controller.enqueue(encoder.encode(text));
            controller.close();
            return;
          }
          text += row(next.value, first);
          first = false;
        }
        controller.enqueue(encoder.encode(text));
      },
      async cancel() {
        await events.return?.();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: HIGH_WATER_MARK }),
  );
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return new Response(body, {
    headers: {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="init-history-${stamp}.${format}"`,
      'cache-control': 'no-store',
    },
  });
});
