import { z } from 'zod';

/*
 * zod builds each object schema's parser with `new Function` when the schema is made, after probing
 * for it with `Function('')`: in the browser both are Content-Security-Policy violations (the pages'
 * CSP has no 'unsafe-eval'). So the browser turns that off before any schema is made: this module
 * is the first import of the modules the browser takes schemas from (views.ts, drill-view.ts). The
 * server, under no such policy, keeps the faster compiled parsers.
 */
if (typeof window !== 'undefined') z.config({ jitless: true });
