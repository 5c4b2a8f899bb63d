import { z } from 'zod';
import { toCsvRow } from '@/lib/console/csv';
import { exportEvents, historyFilterSchema } from '@/lib/console/history-query';
import { sharedDb } from '@/lib/db/client';
import { guarded, parseQuery } from '@/lib/http/guard';

export const dynamic = 'force-dynamic';

const exportQuerySchema = historyFilterSchema.extend({ format: z.enum(['json', 'csv']).default('json') });
const CSV_HEADER = ['at', 'run_id', 'generation', 'worker_id', 'host', 'pid', 'fence', 'event', 'detail'];

/** The filtered history, oldest first so it can be replayed, streamed (memory does not grow with it). */
export const GET = guarded(async (request) => {
  const { format, ...filter } = parseQuery(exportQuerySchema, request.url);
  const events = exportEvents(await sharedDb(), filter);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      try {
        if (format === 'csv') {
          controller.enqueue(encoder.encode(toCsvRow(CSV_HEADER)));
          for await (const e of events) {
            controller.enqueue(encoder.encode(toCsvRow([e.at, e.run_id, e.generation, e.worker_id, e.host, e.pid, e.fence, e.event, JSON.stringify(e.detail)])));
          }
        } else {
          controller.enqueue(encoder.encode('['));
          let first = true;
          for await (const e of events) {
            controller.enqueue(encoder.encode(`${first ? '' : ','}\n${JSON.stringify(e)}`));
            first = false;
          }
          controller.enqueue(encoder.encode('\n]\n'));
        }
        controller.close();
      } catch (error) {
        controller.error(error);
      }
    },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return new Response(body, {
    headers: {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="init-history-${stamp}.${format}"`,
      'cache-control': 'no-store',
    },
  });
});
