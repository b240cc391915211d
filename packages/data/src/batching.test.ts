// Shuffling and batching: a permutation is a permutation, fixed by its key and different across keys; an
// epoch covers every example exactly once (or every example but the dropped tail), batches carry the
// matching labels, and a stream of epochs is reproducible from its key with a fresh order each epoch;
// bad batch sizes are refused with a clear message.
import { random } from "@scm-ts/core";
import { describe, expect, test } from "vitest";
import { arrayDataset } from "./array-dataset.js";
import { batchStream, epochBatches, type Batch } from "./batching.js";
import { permutation } from "./permutation.js";

// Example i has values [i, −i] and label 100 + i, so a batch row shows where it came from.
function numbered(n: number) {
  return arrayDataset(Float32Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? k / 2 : -(k - 1) / 2)), [n, 2], Int32Array.from({ length: n }, (_, i) => 100 + i));
}

async function collect(batches: AsyncGenerator<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

describe("permutation", () => {
  test("is a permutation of 0 … n−1, the same for the same key and different for another key", async () => {
    const a = await permutation(random.key(7), 1000);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(await permutation(random.key(7), 1000)).toEqual(a);
    const b = await permutation(random.key(8), 1000);
    expect(b).not.toEqual(a);
    // A random order: few fixed points (≈ 1 expected) and no long sorted prefix.
    expect(a.filter((v, i) => v === i).length).toBeLessThan(8);
  });

  test("handles n = 0 and 1 and rejects negative or fractional n", async () => {
    expect(await permutation(random.key(0), 0)).toEqual(new Int32Array(0));
    expect(await permutation(random.key(0), 1)).toEqual(Int32Array.of(0));
    await expect(permutation(random.key(0), -1)).rejects.toThrow(/non-negative integer/);
    await expect(permutation(random.key(0), 2.5)).rejects.toThrow(/non-negative integer/);
  });

  test("each position is roughly uniform over many keys (first element of a 4-permutation)", async () => {
    const counts = [0, 0, 0, 0];
    const keys = random.split(random.key(3), 400);
    for (const k of keys) counts[(await permutation(k, 4))[0]!]!++;
    for (const c of counts) expect(Math.abs(c - 100)).toBeLessThan(40); // ±4σ of Binomial(400, ¼)
  });
});

describe("epochBatches", () => {
  test("covers every example exactly once, with matching rows and labels, deterministically per key", async () => {
    const data = numbered(103);
    const batches = await collect(epochBatches(data, random.key(1), { batchSize: 10, dropLast: false }));
    expect(batches.map((b) => b.x.shape[0])).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
    const seen = batches.flatMap((b) => [...b.indices]);
    expect([...seen].sort((x, y) => x - y)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    for (const b of batches) {
      const x = await b.x.data();
      const labels = await b.labels!.data();
      b.indices.forEach((i, row) => {
        expect([x[2 * row], x[2 * row + 1], labels[row]]).toEqual([i, -i, 100 + i]);
      });
      expect(b.epoch).toBe(0);
    }
    expect(batches.map((b) => b.step)).toEqual(Array.from({ length: 11 }, (_, i) => i));
    const again = await collect(epochBatches(data, random.key(1), { batchSize: 10, dropLast: false }));
    expect(again.flatMap((b) => [...b.indices])).toEqual(seen);
    const other = await collect(epochBatches(data, random.key(2), { batchSize: 10, dropLast: false }));
    expect(other.flatMap((b) => [...b.indices])).not.toEqual(seen);
  });

  test("drops the ragged tail by default and keeps order without shuffling", async () => {
    const data = numbered(25);
    const batches = await collect(epochBatches(data, random.key(4), { batchSize: 8 }));
    expect(batches.map((b) => b.x.shape)).toEqual([[8, 2], [8, 2], [8, 2]]);
    expect(new Set(batches.flatMap((b) => [...b.indices])).size).toBe(24);
    const ordered = await collect(epochBatches(data, random.key(4), { batchSize: 5, shuffle: false }));
    expect(ordered.flatMap((b) => [...b.indices])).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  test("float64 batches and datasets without labels", async () => {
    const data = arrayDataset(Float32Array.of(1, 2, 3, 4, 5, 6), [3, 2]);
    const [b] = await collect(epochBatches(data, random.key(0), { batchSize: 3, dtype: "float64" }));
    expect(b!.x.dtype).toBe("float64");
    expect(b!.labels).toBeUndefined();
  });

  test("rejects batch sizes that are not positive integers or that leave no batch", () => {
    const data = numbered(5);
    expect(() => epochBatches(data, random.key(0), { batchSize: 0 })).toThrow(/batchSize must be a positive integer, got 0/);
    expect(() => epochBatches(data, random.key(0), { batchSize: 2.5 })).toThrow(/positive integer/);
    expect(() => epochBatches(data, random.key(0), { batchSize: 6 })).toThrow(/batchSize 6 exceeds the 5 examples/);
    expect(() => batchStream(data, random.key(0), { batchSize: 2, epochs: 0 })).toThrow(/epochs must be a positive integer/);
  });
});

describe("batchStream", () => {
  test("each epoch covers every example once, epochs differ, and the stream is reproducible from its key", async () => {
    const data = numbered(12);
    const stream = await collect(batchStream(data, random.key(5), { batchSize: 4, epochs: 3 }));
    expect(stream.map((b) => [b.epoch, b.step])).toEqual([[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2], [2, 0], [2, 1], [2, 2]]);
    const orders = [0, 1, 2].map((e) => stream.filter((b) => b.epoch === e).flatMap((b) => [...b.indices]));
    for (const order of orders) expect([...order].sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(orders[0]).not.toEqual(orders[1]);
    expect(orders[1]).not.toEqual(orders[2]);
    const again = await collect(batchStream(data, random.key(5), { batchSize: 4, epochs: 3 }));
    expect(again.flatMap((b) => [...b.indices])).toEqual(orders.flat());
  });

  test("runs without end by default", async () => {
    let count = 0;
    for await (const b of batchStream(numbered(3), random.key(0), { batchSize: 3 })) {
      if (++count === 7) {
        expect(b.epoch).toBe(6);
        break;
      }
    }
    expect(count).toBe(7);
  });
});
