// Small seeded generators for test data (mulberry32 uniforms, Box–Muller normals), independent of
// the engine's PRNG so that tests of the engine do not rely on the engine.

/** Uniforms in [0, 1) from a 32-bit seed (mulberry32). */
export function uniformStream(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normals from a seed. */
export function normalStream(seed: number): () => number {
  const u = uniformStream(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** `n` values drawn from `gen`. */
export function draw(n: number, gen: () => number): Float64Array {
  return Float64Array.from({ length: n }, gen);
}
