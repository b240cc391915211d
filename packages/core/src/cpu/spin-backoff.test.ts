// The pause policy of a caller that may not block: a split call whose wait exceeds both its own
// compute time and the minimum pauses splitting, for doubling times on repeated bad calls up to the
// maximum; a good call ends the series; short waits never pause.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { firstPauseMs, maxPauseMs, minWaitMs, newBackoff, paused, recordSplit } from "./spin-backoff.js";

describe("spin backoff", () => {
  it("pauses after a call that waited longer than it computed, doubling up to the maximum", () => {
    const b = newBackoff();
    expect(paused(b, 0)).toBe(false);
    recordSplit(b, 1, 3, 100);
    expect(b.pauseMs).toBe(firstPauseMs);
    expect(paused(b, 100 + firstPauseMs - 1)).toBe(true);
    expect(paused(b, 100 + firstPauseMs)).toBe(false);
    const pauses = [];
    for (let i = 0; i < 10; i++) {
      recordSplit(b, 1, 3, 1000 * i);
      pauses.push(b.pauseMs);
    }
    expect([firstPauseMs, maxPauseMs]).toEqual([20, 500]);
    expect(pauses).toEqual([40, 80, 160, 320, 500, 500, 500, 500, 500, 500]);
  });
  it("a good call ends the series; the next bad one pauses for the first time again", () => {
    const b = newBackoff();
    recordSplit(b, 1, 3, 0);
    recordSplit(b, 1, 3, 100);
    expect(b.pauseMs).toBe(2 * firstPauseMs);
    recordSplit(b, 2, 0.1, 300);
    expect(b.pauseMs).toBe(0);
    recordSplit(b, 1, 3, 400);
    expect(b.pauseMs).toBe(firstPauseMs);
  });
  it("never pauses when the wait is under the minimum or under the caller's own compute time", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), (compute, wait) => {
        const b = newBackoff();
        recordSplit(b, compute, wait, 0);
        expect(b.pauseMs > 0).toBe(wait > Math.max(minWaitMs, compute));
      }),
      { seed: 11, numRuns: 200 },
    );
  });
});
