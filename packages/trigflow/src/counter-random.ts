// A small counter-based random source on plain numbers, so every sampler and Monte-Carlo test in this
// package is reproducible from one integer seed. Draw i of stream s is Philox2x32-10 (Salmon et al.,
// "Parallel random numbers: as easy as 1, 2, 3", SC 2011) of the counter (i, s) under a key derived from
// the seed: no hidden state besides the counter, so streams are independent and a draw can be replayed.
// Uniforms carry 52 random bits and lie strictly inside (0, 1); normals come from Box–Muller.

/** A source of random numbers on plain float64 values. */
export interface RandomSource {
  /** A uniform draw in the open interval (0, 1). */
  uniform(): number;
  /** A standard normal draw N(0, 1). */
  normal(): number;
}

const philoxMultiplier = 0xd256d193;
const philoxWeyl = 0x9e3779b9;

// The high 32 bits of the 64-bit product of two unsigned 32-bit integers.
function mulhi32(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const loLo = aLo * bLo;
  const loHi = aLo * bHi;
  const hiLo = aHi * bLo;
  const middle = (loLo >>> 16) + (loHi & 0xffff) + (hiLo & 0xffff);
  return (aHi * bHi + Math.floor(loHi / 65536) + Math.floor(hiLo / 65536) + Math.floor(middle / 65536)) >>> 0;
}

/**
 * Philox2x32-10: the block `[counter0, counter1]` encrypted under `key` (all unsigned 32-bit integers).
 * Returns two unsigned 32-bit words.
 */
export function philox2x32(counter0: number, counter1: number, key: number): [number, number] {
  let left = counter0 >>> 0;
  let right = counter1 >>> 0;
  let k = key >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi = mulhi32(philoxMultiplier, left);
    const lo = Math.imul(philoxMultiplier, left) >>> 0;
    left = (hi ^ k ^ right) >>> 0;
    right = lo;
    k = (k + philoxWeyl) >>> 0;
  }
  return [left, right];
}

function checkSeed(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`counterRandom: ${name} must be an integer in [0, 2^32 − 1], got ${value}`);
  }
}

/**
 * A counter-based `RandomSource`: draw i of `stream` is Philox2x32-10 of the counter (i, stream) under the
 * key `seed`. The same (seed, stream) always replays the same sequence.
 */
export function counterRandom(seed: number, stream = 0): RandomSource {
  checkSeed("seed", seed);
  checkSeed("stream", stream);
  let counter = 0;
  let spareNormal: number | undefined;
  const uniform = (): number => {
    if (counter > 0xffffffff) {
      throw new RangeError(`counterRandom: stream ${stream} of seed ${seed} is exhausted after 2^32 draws; use another stream`);
    }
    const [hi, lo] = philox2x32(counter, stream, seed);
    counter++;
    // 52 random bits, 26 from each word; the +½ keeps the draw strictly inside (0, 1), exactly.
    return ((hi >>> 6) * 67108864 + (lo >>> 6) + 0.5) / 4503599627370496;
  };
  const normal = (): number => {
    if (spareNormal !== undefined) {
      const value = spareNormal;
      spareNormal = undefined;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(uniform()));
    const angle = 2 * Math.PI * uniform();
    spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
  return { uniform, normal };
}
