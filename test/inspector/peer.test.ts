/**
 * Who is at the other end of a connection to the inspector (src/inspect/peer.ts): the owner of the
 * peer's socket, read from the text of /proc/net/tcp. Pure functions over sample tables.
 */
import { describe, expect, it } from 'vitest';
import { procAddress, uidInTable } from '../../src/inspect/peer.js';

// A real layout: a listener on 127.0.0.1:4040 (0FC8), a user's browser connected from port 51000
// (C738) as uid 1000, the inspector's end of it (uid 1001), and an older connection from the same
// port in TIME_WAIT (06, uid 0).
const TABLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0FC8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1001        0 180 1 0000000000000000 100 0 0 10 0
   1: 0100007F:C738 0100007F:0FC8 06 00000000:00000000 03:00001557 00000000     0        0 0 3 0000000000000000
   2: 0100007F:C738 0100007F:0FC8 01 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 20 4 30 10 -1
   3: 0100007F:0FC8 0100007F:C738 01 00000000:00000000 00:00000000 00000000  1001        0 4243 1 0000000000000000 20 4 30 10 -1
`;

describe('the peer\'s user, from /proc/net/tcp', () => {
  it('writes addresses as the kernel does (little- and big-endian)', () => {
    expect(procAddress({ address: '127.0.0.1', port: 4040 }, true)).toBe('0100007F:0FC8');
    expect(procAddress({ address: '127.0.0.1', port: 4040 }, false)).toBe('7F000001:0FC8');
    expect(procAddress({ address: '10.1.2.254', port: 80 }, true)).toBe('FE02010A:0050');
    expect(procAddress({ address: '::1', port: 80 }, true)).toBeUndefined();
  });

  it('finds the owner of the connected peer socket, not of a closed one on the same ports', () => {
    expect(uidInTable(TABLE, { address: '127.0.0.1', port: 51000 }, { address: '127.0.0.1', port: 4040 }, true)).toBe(1000);
    // The inspector's own end, seen from the other side.
    expect(uidInTable(TABLE, { address: '127.0.0.1', port: 4040 }, { address: '127.0.0.1', port: 51000 }, true)).toBe(1001);
  });

  it('says nothing when the table does not list the connection', () => {
    expect(uidInTable(TABLE, { address: '127.0.0.1', port: 51001 }, { address: '127.0.0.1', port: 4040 }, true)).toBeUndefined();
    expect(uidInTable(TABLE.replace(/ 01 (00000000:00000000 00:00000000 00000000  1000)/, ' 06 $1'), { address: '127.0.0.1', port: 51000 }, { address: '127.0.0.1', port: 4040 }, true)).toBeUndefined();
    expect(uidInTable('', { address: '127.0.0.1', port: 51000 }, { address: '127.0.0.1', port: 4040 }, true)).toBeUndefined();
  });
});
