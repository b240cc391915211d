// When the calling thread may not block (a browser's main thread), it spins while it waits for the
// workers; on a busy machine a worker it waits for can be descheduled for a whole OS time slice while
// the spinning caller holds a core the worker needs, and the split then costs more than one thread
// would (measured in Chromium next to another busy process: 17 GFLOP/s split against 45 alone). So
// such a caller keeps account of its split calls: one where it waited longer than it computed, and
// over `minWaitMs`, pauses splitting — the next calls run on the calling thread alone — for
// `firstPauseMs`, doubling with each such call in a row up to `maxPauseMs`; a split call that goes
// well ends the series. The pauses are short: a probe that goes badly costs a few milliseconds, and
// one that goes well gives the threads back soon. A caller that can sleep in Atomics.wait yields its
// core while it waits and needs none of this.

/** A wait shorter than this never pauses splitting (ms). */
export const minWaitMs = 0.5;
/** The first pause, and the longest (ms). */
export const firstPauseMs = 20, maxPauseMs = 500;

/** The state of one caller's account: splitting is paused until `until` (ms, performance.now's clock). */
export interface Backoff {
  until: number;
  pauseMs: number;
}

/** A fresh account: splitting allowed. */
export const newBackoff = (): Backoff => ({ until: 0, pauseMs: 0 });

/** Whether splitting is paused at time `now`. */
export const paused = (b: Backoff, now: number): boolean => now < b.until;

/** Records a split call in which the caller computed for `computeMs` and then waited `waitMs`, ending at `now`. */
export function recordSplit(b: Backoff, computeMs: number, waitMs: number, now: number): void {
  if (waitMs > Math.max(minWaitMs, computeMs)) {
    b.pauseMs = b.pauseMs ? Math.min(maxPauseMs, 2 * b.pauseMs) : firstPauseMs;
    b.until = now + b.pauseMs;
  } else {
    b.pauseMs = 0;
  }
}
