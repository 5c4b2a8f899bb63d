import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

/**
 * Next.js gives route handlers, server actions and the proxy no socket address: `next start` sets
 * `X-Forwarded-For` to it only when the client sent none, and keeps a header the client made up.
 * So the server process stamps each request, as it arrives, with its socket's address in a header
 * of its own, signed with a secret made once per process, before Next.js sees the request. A
 * client cannot forge the stamp; a request that has none (one that arrived before the stamping
 * was installed) has no known peer.
 */

export const PEER_HEADER = 'x-console-peer';

type Holder = typeof globalThis & { __consolePeerStamp?: { key: string } };

function stampKey(): string {
  // On globalThis: the proxy, the pages and the route handlers are separate bundles in one process.
  const holder = globalThis as Holder;
  holder.__consolePeerStamp ??= { key: randomBytes(18).toString('base64url') };
  return holder.__consolePeerStamp.key;
}

/** Installs the stamping on every HTTP(S) server of this process. Idempotent. */
export function stampPeerAddresses(): void {
  const key = stampKey();
  for (const Server of [http.Server, https.Server]) {
    const proto = Server.prototype as http.Server & { __consolePeerStamped?: boolean };
    if (proto.__consolePeerStamped) continue;
    proto.__consolePeerStamped = true;
    const emit = proto.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
    proto.emit = function stampedEmit(this: http.Server, event: string | symbol, ...args: unknown[]) {
      if (event === 'request') {
        const request = args[0] as http.IncomingMessage;
        // Replaces whatever the client sent under this name.
        request.headers[PEER_HEADER] = `${key} ${request.socket?.remoteAddress ?? ''}`;
      }
      return emit.call(this, event, ...args);
    } as typeof proto.emit;
  }
}

/** The socket's address from a request's stamp, or null when the stamp is missing or not this process's. */
export function peerFromStamp(value: string | null | undefined): string | null {
  const holder = globalThis as Holder;
  if (!value || !holder.__consolePeerStamp) return null;
  const space = value.indexOf(' ');
  if (space < 0 || value.slice(0, space) !== holder.__consolePeerStamp.key) return null;
  return value.slice(space + 1) || null;
}
