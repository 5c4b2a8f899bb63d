import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { BSON, type Document } from 'mongodb';

/**
 * A TCP proxy of the bench's own in front of the database: it holds every message for half the
 * configured round trip in each direction (a database that far away), and logs every command it
 * forwards with when it went out and when its answer came back, as measured at the proxy.
 */

const OP_QUERY = 2004;
const OP_MSG = 2013;
const HEADER_BYTES = 16;

export interface ProxiedCommand {
  /** The proxy's own number for the client connection. */
  connection: number;
  /** The client's appName, from the connection's handshake. */
  appName: string | undefined;
  name: string;
  command: Document;
  /** performance.now() when the request reached the proxy, and when its answer left it for the client (a full round trip later at least). */
  sentAt: number;
  answeredAt: number | undefined;
  /** The first message on a connection: the driver's handshake, not the product's. */
  handshake: boolean;
}

export interface LatencyProxy {
  /** `mongodb://127.0.0.1:<port>/?directConnection=true` plus the target's options. */
  uri: string;
  port: number;
  rttMs: number;
  commands: ProxiedCommand[];
  close(): Promise<void>;
}

/** The command document of an OP_MSG (its body section) or of a legacy OP_QUERY handshake. */
function commandOf(message: Buffer): Document | undefined {
  const opCode = message.readInt32LE(12);
  try {
    if (opCode === OP_MSG) {
      // flagBits, then sections: kind 0 is the body, kind 1 a sequence of documents (the driver
      // sends an update's `updates` or an insert's `documents` so) that belongs in the body.
      let body: Document = {};
      const sequences: Array<[string, Document[]]> = [];
      // With checksumPresent (flag bit 0), the last four bytes are the checksum.
      const end = message.readUInt32LE(HEADER_BYTES) & 1 ? message.length - 4 : message.length;
      let at = HEADER_BYTES + 4;
      while (at < end) {
        const kind = message.readUInt8(at);
        at += 1;
        const size = message.readInt32LE(at);
        if (kind === 0) body = BSON.deserialize(message.subarray(at, at + size));
        if (kind === 1) {
          const nameEnd = message.indexOf(0, at + 4);
          const docs: Document[] = [];
          for (let d = nameEnd + 1; d < at + size; d += message.readInt32LE(d)) docs.push(BSON.deserialize(message.subarray(d, d + message.readInt32LE(d))));
          sequences.push([message.toString('utf8', at + 4, nameEnd), docs]);
        }
        at += size;
      }
      for (const [name, docs] of sequences) body[name] = docs;
      return body;
    }
    if (opCode === OP_QUERY) {
      const nameEnd = message.indexOf(0, HEADER_BYTES + 4);
      const at = nameEnd + 1 + 8;
      return BSON.deserialize(message.subarray(at, at + message.readInt32LE(at)));
    }
  } catch {
    // Not a message this proxy understands: forwarded all the same, logged without a command.
  }
  return undefined;
}

/** Splits a byte stream into wire messages (each starts with its own length). */
function messageSplitter(onMessage: (message: Buffer) => void): (chunk: Buffer) => void {
  let buffered: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4 && buffered.length >= buffered.readInt32LE(0)) {
      const length = buffered.readInt32LE(0);
      onMessage(buffered.subarray(0, length));
      buffered = buffered.subarray(length);
    }
  };
}

type Written = (() => void) | undefined;

/** Writes each message `delayMs` after it arrived, in arrival order; `written` runs as it goes out. */
function delayedWriter(socket: net.Socket, delayMs: number): (message: Buffer, written?: Written) => void {
  const queue: Array<{ due: number; message: Buffer; written: Written }> = [];
  let timer: NodeJS.Timeout | undefined;
  const send = (message: Buffer, written: Written) => {
    written?.();
    socket.write(message);
  };
  const flush = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.due <= now + 0.5) {
      const { message, written } = queue.shift()!;
      send(message, written);
    }
    if (queue.length > 0) timer = setTimeout(flush, queue[0]!.due - now);
  };
  return (message, written) => {
    if (delayMs <= 0 && queue.length === 0) return send(message, written);
    queue.push({ due: performance.now() + delayMs, message, written });
    timer ??= setTimeout(flush, delayMs);
  };
}

export async function startLatencyProxy(targetUri: string, rttMs: number): Promise<LatencyProxy> {
  const target = new URL(targetUri.replace(/^mongodb:/, 'http:'));
  const targetPort = Number(target.port || 27017);
  const commands: ProxiedCommand[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;

  const server = net.createServer((client) => {
    const connection = (connections += 1);
    const upstream = net.connect(targetPort, target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());

    let appName: string | undefined;
    let first = true;
    const open = new Map<number, ProxiedCommand>();
    const toServer = delayedWriter(upstream, rttMs / 2);
    const toClient = delayedWriter(client, rttMs / 2);
    client.on(
      'data',
      messageSplitter((message) => {
        const command = commandOf(message) ?? {};
        const handshake = first;
        first = false;
        if (handshake) appName = (command.client as { application?: { name?: string } } | undefined)?.application?.name;
        const entry: ProxiedCommand = {
          connection,
          appName,
          name: Object.keys(command)[0] ?? '?',
          command,
          sentAt: performance.now(),
          answeredAt: undefined,
          handshake,
        };
        commands.push(entry);
        open.set(message.readInt32LE(4), entry);
        toServer(message);
      }),
    );
    upstream.on(
      'data',
      messageSplitter((message) => {
        const entry = open.get(message.readInt32LE(8));
        toClient(message, () => {
          if (entry && entry.answeredAt === undefined) entry.answeredAt = performance.now();
        });
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const options = new URLSearchParams(target.search);
  options.delete('replicaSet');
  options.set('directConnection', 'true');
  return {
    uri: `mongodb://127.0.0.1:${port}/?${options.toString()}`,
    port,
    rttMs,
    commands,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A command's time in flight, however it was observed (the proxy, or the driver's monitoring). */
export interface Flight {
  start: number;
  end: number;
}

/**
 * The round trips paid one after another: the most commands of which each was sent after the one
 * before had its answer (a largest set of pairwise disjoint flights, by earliest end). A command
 * that no other overlapped always counts; commands in flight together count once.
 */
export function serialDepth(flights: readonly Flight[]): number {
  let depth = 0;
  let freeAt = Number.NEGATIVE_INFINITY;
  for (const flight of [...flights].sort((a, b) => a.end - b.end)) {
    if (flight.start >= freeAt) {
      depth += 1;
      freeAt = flight.end;
    }
  }
  return depth;
}
