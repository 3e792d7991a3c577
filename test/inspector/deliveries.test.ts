/**
 * The inspector's store (src/inspect/deliveries.ts), in-process: the live list's frames are made
 * once per delivery and shared by every page that reads them.
 */
import { describe, expect, it } from 'vitest';
import { Deliveries } from '../../src/inspect/deliveries.js';
import type { EventRecord } from '../../src/record.js';

const record = (seq: number, eventType = 'issues'): EventRecord => ({
  type: 'event', seq, receivedAt: '2025-01-02T03:04:05.000Z', method: 'POST', path: `/n/${seq}`, headers: { 'x-github-event': eventType },
  body: '{}', bodyEncoding: 'utf8', scheme: 'github', verdict: null, eventType, eventId: `d-${seq}`, duplicate: false, filtered: false, response: { status: 200 },
});

describe('Deliveries.frames', () => {
  it('gives each delivery\'s server-sent event, after an id, at most max', () => {
    const d = new Deliveries();
    for (let i = 1; i <= 5; i++) d.add(record(i), 'S1');
    const frames = d.frames(2, 2);
    expect(frames.map((f) => f.id)).toEqual([3, 4]);
    expect(frames[0]!.frame.toString()).toBe(
      'id: 3\nevent: delivery\ndata: {"id":3,"session":"S1","seq":3,"at":"2025-01-02T03:04:05.000Z","method":"POST","path":"/n/3","provider":"github",'
      + '"eventType":"issues","eventId":"d-3","verdict":"unverified","status":200,"duplicateOf":null,"filtered":false,"forward":null,"replay":null}\n\n',
    );
    expect(d.frames(5, 10)).toEqual([]);
  });

  it('makes each frame once: every page gets the same bytes (the same buffer)', () => {
    const d = new Deliveries();
    d.add(record(1));
    const [a] = d.frames(0, 1);
    const [b] = d.frames(0, 1);
    expect(b!.frame).toBe(a!.frame);
  });

  it('counts frames in the byte budget: the oldest leave to make room', () => {
    const d = new Deliveries({ bytes: 2000 });
    for (let i = 1; i <= 4; i++) d.add(record(i));
    expect(d.size).toBe(4);
    d.frames(0, 10); // ~350 bytes each on top of the ~300-byte lines
    d.add(record(5));
    expect(d.size).toBeLessThan(5);
    expect(d.get(5)).toBeDefined();
  });
});
