import type { Key } from '../core/key.ts';
import type { Timer } from './timer-service.ts';

/** A timer as the timer service keeps it: chained to the other timers of its key in a TimerIndex. */
export class InternalTimer implements Timer {
  deleted = false;
  next: InternalTimer | undefined = undefined;
  constructor(
    readonly timestamp: number,
    readonly key: Key,
    readonly namespace: string,
  ) {}
}

/** Timers a key may chain before its timers are indexed by timestamp. */
const CHAIN_LIMIT = 8;

/**
 * The live timers of one key group and domain, for deduplication and deletion by (key, namespace,
 * timestamp) without building an id per timer: per key, its timers chained through `next` (most
 * keys have a few), or once a key has more than CHAIN_LIMIT, a Map from timestamp to the chain of
 * that timestamp's timers (one per namespace).
 */
export class TimerIndex {
  private readonly byKey = new Map<Key, InternalTimer | Map<number, InternalTimer>>();
  size = 0;

  get(key: Key, timestamp: number, namespace: string): InternalTimer | undefined {
    const e = this.byKey.get(key);
    let t = e instanceof Map ? e.get(timestamp) : e;
    for (; t !== undefined; t = t.next) if (t.timestamp === timestamp && t.namespace === namespace) return t;
    return undefined;
  }

  /** A new timer of `key` at `timestamp` in `namespace`, or undefined when that timer is already there. */
  add(key: Key, timestamp: number, namespace: string): InternalTimer | undefined {
    const e = this.byKey.get(key);
    let t: InternalTimer;
    if (e === undefined) {
      this.byKey.set(key, (t = new InternalTimer(timestamp, key, namespace)));
    } else if (e instanceof Map) {
      const head = e.get(timestamp);
      for (let x = head; x !== undefined; x = x.next) if (x.namespace === namespace) return undefined;
      t = new InternalTimer(timestamp, key, namespace);
      t.next = head;
      e.set(timestamp, t);
    } else {
      let n = 0;
      for (let x: InternalTimer | undefined = e; x !== undefined; x = x.next, n++) if (x.timestamp === timestamp && x.namespace === namespace) return undefined;
      t = new InternalTimer(timestamp, key, namespace);
      if (n < CHAIN_LIMIT) {
        t.next = e;
        this.byKey.set(key, t);
      } else {
        const byTimestamp = new Map<number, InternalTimer>();
        for (let x: InternalTimer | undefined = t; x !== undefined; ) {
          const following: InternalTimer | undefined = x === t ? e : x.next;
          x.next = byTimestamp.get(x.timestamp);
          byTimestamp.set(x.timestamp, x);
          x = following;
        }
        this.byKey.set(key, byTimestamp);
      }
    }
    this.size++;
    return t;
  }

  /** Removes `t`, which is in the index. */
  remove(t: InternalTimer): void {
    const e = this.byKey.get(t.key)!;
    if (e instanceof Map) {
      const head = e.get(t.timestamp)!;
      const rest = unlink(head, t);
      if (rest === undefined) {
        e.delete(t.timestamp);
        if (e.size === 0) this.byKey.delete(t.key);
      } else if (rest !== head) e.set(t.timestamp, rest);
    } else {
      const rest = unlink(e, t);
      if (rest === undefined) this.byKey.delete(t.key);
      else if (rest !== e) this.byKey.set(t.key, rest);
    }
    t.next = undefined;
    this.size--;
  }

  *values(): IterableIterator<InternalTimer> {
    for (const e of this.byKey.values()) {
      for (const head of e instanceof Map ? e.values() : [e]) for (let t: InternalTimer | undefined = head; t !== undefined; t = t.next) yield t;
    }
  }
}

/** The chain starting at `head` without `t` (which is in it): its new head, or undefined when empty. */
function unlink(head: InternalTimer, t: InternalTimer): InternalTimer | undefined {
  if (head === t) return t.next;
  let p = head;
  while (p.next !== t) p = p.next!;
  p.next = t.next;
  return head;
}
