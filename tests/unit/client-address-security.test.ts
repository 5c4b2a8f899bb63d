import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { clientAddress, normalizeIp, trustedProxies } from '../../lib/http/client-address';
import { PEER_HEADER, peerFromStamp, stampPeerAddresses } from '../../lib/http/peer-address';
import { ConfigError, parseConfig } from '../../lib/env';

const none = trustedProxies([]);

describe('the client address', () => {
  it('with no trusted proxies (the default) is the socket address, whatever X-Forwarded-For says', () => {
    expect(parseConfig({}).TRUSTED_PROXIES).toEqual([]);
    expect(clientAddress('203.0.113.9', '198.51.100.1', none)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:127.0.0.1', '1.2.3.4, 5.6.7.8', none)).toBe('127.0.0.1');
    expect(clientAddress(null, '1.2.3.4', none)).toBe('unknown');
  });

  it('behind trusted proxies: the right-most hop that is not one of them', () => {
    const trusted = trustedProxies(parseConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1 ,fd00::/8' }).TRUSTED_PROXIES);
    // The balancer (10.0.0.2) appended the client's address; whatever the client wrote before it is ignored.
    expect(clientAddress('10.0.0.2', 'forged-by-client, 6.6.6.6, 203.0.113.9', trusted)).toBe('203.0.113.9');
    // Two proxies in a row, IPv6 and a mapped IPv4 socket.
    expect(clientAddress('::ffff:127.0.0.1', '203.0.113.9, 10.1.2.3', trusted)).toBe('203.0.113.9');
    expect(clientAddress('fd00::1', '2001:db8::7', trusted)).toBe('2001:db8::7');
    // A trusted proxy that passes garbage on: the proxy itself is the address.
    expect(clientAddress('10.0.0.2', 'not-an-ip', trusted)).toBe('10.0.0.2');
    // A direct client that is not a proxy: its own header counts for nothing.
    expect(clientAddress('198.51.100.5', '10.0.0.9', trusted)).toBe('198.51.100.5');
    // Every hop trusted: the left-most.
    expect(clientAddress('10.0.0.2', '10.0.0.3', trusted)).toBe('10.0.0.3');
  });

  it('normalizes what proxies write', () => {
    expect(['1.2.3.4:5678', '[2001:db8::1]:443', '::FFFF:10.0.0.1', ' 2001:DB8::1 ', 'x', ''].map(normalizeIp)).toEqual([
      '1.2.3.4',
      '2001:db8::1',
      '10.0.0.1',
      '2001:db8::1',
      null,
      null,
    ]);
  });

  it('refuses a TRUSTED_PROXIES entry that is no address or range, naming it', () => {
    for (const [value, named] of [
      ['10.0.0.0/33', '10.0.0.0/33'],
      ['proxy.internal', 'proxy.internal'],
      ['1.2.3.4/8/1', '1.2.3.4/8/1'],
    ] as const) {
      expect(() => parseConfig({ TRUSTED_PROXIES: value })).toThrow(ConfigError);
      expect(() => parseConfig({ TRUSTED_PROXIES: value })).toThrow(named);
    }
  });
});

describe('the socket address stamp', () => {
  it('replaces a header the client sent, and only this process can read it', async () => {
    stampPeerAddresses();
    const seen: Array<string | undefined> = [];
    const server = http.createServer((request, response) => {
      seen.push(request.headers[PEER_HEADER] as string | undefined);
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await fetch(`http://127.0.0.1:${port}/`, { headers: { [PEER_HEADER]: 'forged 6.6.6.6', 'x-forwarded-for': '6.6.6.6' } });
    } finally {
      server.close();
    }
    expect(peerFromStamp(seen[0])).toBe('127.0.0.1');
    expect(peerFromStamp('forged 6.6.6.6')).toBeNull();
    expect(peerFromStamp(undefined)).toBeNull();
  });
});
