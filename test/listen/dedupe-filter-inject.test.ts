import { describe, expect, it } from 'vitest';
import { boundKey, Dedupe, Lru } from '../../src/listen/dedupe.js';
import { parseEventFilter } from '../../src/filter.js';
import { Injector } from '../../src/listen/inject.js';
import { WhkError } from '../../src/errors.js';

describe('Lru', () => {
  it('keeps at most `capacity` entries, evicting the least recently used', () => {
    const l = new Lru<number>(3);
    for (const [k, v] of [['a', 1], ['b', 2], ['c', 3]] as const) l.set(k, v);
    expect(l.get('a')).toBe(1); // a is now the most recent
    l.set('d', 4); // evicts b, the least recently used
    expect([l.get('a'), l.get('b'), l.get('c'), l.get('d')]).toEqual([1, undefined, 3, 4]);
    expect(l.size).toBe(3);
  });

  it('stays bounded whatever is thrown at it', () => {
    const l = new Lru<number>(100);
    for (let i = 0; i < 10_000; i++) l.set(`k${i}`, i);
    expect(l.size).toBe(100);
    expect(l.get('k9999')).toBe(9999);
    expect(l.get('k0')).toBeUndefined();
  });

  it('hashes long keys, so huge ids cannot grow memory (and still match themselves)', () => {
    const huge = 'x'.repeat(100_000);
    expect(boundKey(huge).length).toBeLessThan(64);
    expect(boundKey(huge)).toBe(boundKey('x'.repeat(100_000)));
    expect(boundKey(huge)).not.toBe(boundKey(`${huge}y`));
    expect(boundKey('evt_1')).toBe('evt_1');
  });
});

describe('Dedupe', () => {
  it('returns the first sequence number of an event id seen before, per scheme', () => {
    const d = new Dedupe();
    expect(d.firstSeen('dfns', 'wh-1', 1)).toBeUndefined();
    expect(d.firstSeen('dfns', 'wh-1', 2)).toBe(1);
    expect(d.firstSeen('dfns', 'wh-1', 3)).toBe(1);
    expect(d.firstSeen('stripe', 'wh-1', 4)).toBeUndefined();
    expect(d.size).toBe(2);
  });

  it('forgets the least recently seen ids beyond its memory', () => {
    const d = new Dedupe(2);
    d.firstSeen('s', 'a', 1);
    d.firstSeen('s', 'b', 2);
    expect(d.firstSeen('s', 'a', 3)).toBe(1); // a is now the most recently seen
    d.firstSeen('s', 'c', 4); // evicts b
    expect(d.size).toBe(2);
    expect([d.firstSeen('s', 'a', 5), d.firstSeen('s', 'c', 6), d.firstSeen('s', 'b', 7)]).toEqual([1, 4, undefined]);
  });
});

describe('parseEventFilter (--events)', () => {
  it('matches exact types and * wildcards; an event without a type is outside the list', () => {
    const f = parseEventFilter('wallet.created, payment_intent.*');
    expect(f.patterns).toEqual(['wallet.created', 'payment_intent.*']);
    expect(f.matches('wallet.created')).toBe(true);
    expect(f.matches('payment_intent.succeeded')).toBe(true);
    expect(f.matches('wallet.created.extra')).toBe(false);
    expect(f.matches('wallet')).toBe(false);
    expect(f.matches(null)).toBe(false);
    expect(f.matches(undefined)).toBe(false);
  });

  it('takes regex characters literally', () => {
    const f = parseEventFilter('a.b,(x)+');
    expect(f.matches('aXb')).toBe(false);
    expect(f.matches('(x)+')).toBe(true);
  });

  it('refuses an empty list with a usage error', () => {
    expect(() => parseEventFilter(' , ')).toThrow(WhkError);
    expect(() => parseEventFilter('')).toThrow(/lists no event type/);
  });
});

describe('Injector (--delay, --fail-first, --fail-rate, --drop)', () => {
  const body = Buffer.from('{}');

  it('--fail-first 2 fails the first two deliveries of each event, then answers normally', () => {
    const i = new Injector({ failFirst: 2 });
    expect(i.decide('evt_1', body)).toEqual({ fail: 'fail-first', attempt: 1 });
    expect(i.decide('evt_2', body)).toEqual({ fail: 'fail-first', attempt: 1 });
    expect(i.decide('evt_1', body)).toEqual({ fail: 'fail-first', attempt: 2 });
    expect(i.decide('evt_1', body)).toEqual({ attempt: 3 });
  });

  it('--fail-first without an event id counts deliveries of the same bytes', () => {
    const i = new Injector({ failFirst: 1 });
    expect(i.decide(null, body)?.fail).toBe('fail-first');
    expect(i.decide(null, Buffer.from('other'))?.fail).toBe('fail-first');
    expect(i.decide(null, body)?.fail).toBeUndefined();
  });

  it('--fail-rate fails when the random draw is below the rate', () => {
    const draws = [0.1, 0.9, 0.29, 0.3];
    const i = new Injector({ failRate: 0.3, random: () => draws.shift()! });
    expect([0, 1, 2, 3].map(() => i.decide('e', body)?.fail ?? 'ok')).toEqual(['fail-rate', 'ok', 'fail-rate', 'ok']);
  });

  it('--drop wins over everything; --delay is reported with it', () => {
    expect(new Injector({ drop: true, failFirst: 3, delayMs: 50 }).decide('e', body)).toEqual({ delayMs: 50, drop: true });
    expect(new Injector({ delayMs: 50 }).decide('e', body)).toEqual({ delayMs: 50 });
    expect(new Injector({}).decide('e', body)).toBeUndefined();
  });
});
