// Random permutations from an explicit PRNG key (JAX's `random.permutation`): the order that sorts n
// uint32 draws of `random.bits(key, [n])`, ties broken by index. The draws come from the engine's
// counter-based threefry stream, so the permutation depends only on the key and n — the same on every
// backend and every run — and different keys give independent shuffles.
import { random, type Tensor } from "@scm-ts/core";

/** A uniformly random permutation of 0 … n−1 determined by `key` (a uint32[2] key from `random.key`/`random.split`). */
export async function permutation(key: Tensor, n: number): Promise<Int32Array> {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`permutation: n must be a non-negative integer, got ${n}`);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (n < 2) return order;
  const draws = random.bits(key, [n]);
  const bits = await draws.data();
  draws.dispose();
  return order.sort((a, b) => bits[a]! - bits[b]! || a - b);
}
