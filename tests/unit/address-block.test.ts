import { describe, expect, it } from 'vitest';
import { signInKeys } from '../../lib/auth/rate-limit';
import { addressBlock } from '../../lib/http/address-block';

describe('addressBlock', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:db8:1:2::', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1:2:3:4', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
    ['addr-test-label', 'addr-test-label'],
  ])('%s counts under %s', (address, block) => {
    expect(addressBlock(address)).toBe(block);
  });

  it('two addresses of one /64 share the pair and address limits; another /64 does not', () => {
    const a = signInKeys('Admin@Example.com', '2001:db8:1:2::a');
    const b = signInKeys('admin@example.com', '2001:db8:1:2:ffff::b');
    const c = signInKeys('admin@example.com', '2001:db8:1:3::a');
    expect(b).toEqual(a);
    expect(c.pair).not.toBe(a.pair);
    expect(c.address).not.toBe(a.address);
  });
});
