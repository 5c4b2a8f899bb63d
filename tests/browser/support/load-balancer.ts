import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Forwarded {
  method: string;
  path: string;
  /** The index of the backend that answered. */
  backend: number;
  /** A server action call (`Next-Action` header). */
  action: boolean;
}

export interface LoadBalancer {
  url: string;
  /** Every request forwarded, in order, with the backend that served it. */
  forwarded: Forwarded[];
  /** Chooses the backend of each request; round robin (no sticky sessions) until told otherwise. */
  route(pick: ((request: http.IncomingMessage) => number) | null): void;
  close(): Promise<void>;
}

/**
 * A plain HTTP load balancer in front of several console instances, as a real one is: the browser
 * sees one origin (the `Host` header stays the balancer's), each request goes to whichever backend
 * the rule picks, and the client's address is appended to `X-Forwarded-For`.
 */
export async function startLoadBalancer(backends: string[]): Promise<LoadBalancer> {
  const targets = backends.map((b) => new URL(b));
  const forwarded: Forwarded[] = [];
  let next = 0;
  let pick: ((request: http.IncomingMessage) => number) | null = null;
  const server = http.createServer((request, response) => {
    const backend = pick ? pick(request) : next++ % targets.length;
    const target = targets[backend]!;
    forwarded.push({ method: request.method ?? 'GET', path: request.url ?? '/', backend, action: request.headers['next-action'] !== undefined });
    const xff = [request.headers['x-forwarded-for'], request.socket.remoteAddress].filter(Boolean).join(', ');
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: { ...request.headers, 'x-forwarded-for': xff } },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`bad gateway: ${error.message}`);
    });
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    route: (rule) => (pick = rule),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
