// fast-check arbitraries for engine tests: shapes, broadcast-compatible shape pairs, and host arrays
// whose values lie in a domain (any, positive, unit interval, away from zero, small).
import fc from "fast-check";

/** Value domains of op inputs. */
export type Domain = "any" | "positive" | "unit" | "awayFromZero" | "small";

/** A host array: row-major float64 values and a shape. */
export interface HostArray {
  /** The shape. */
  readonly shape: number[];
  /** The values, row-major. */
  readonly data: Float64Array;
}

/** Shapes with rank in [minRank, maxRank] and dims in [1, maxDim]. */
export function shapeArb(minRank = 0, maxRank = 3, maxDim = 5): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: minRank, maxLength: maxRank });
}

/** Two shapes that broadcast together (numpy rules): some axes of either set to 1, ranks may differ. */
export function broadcastablePairArb(maxRank = 3, maxDim = 4): fc.Arbitrary<[number[], number[]]> {
  return shapeArb(0, maxRank, maxDim).chain((s) =>
    fc.tuple(fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }), fc.integer({ min: 0, max: s.length })).map(([ma, mb, drop]) => {
      const a = s.map((d, i) => (ma[i] ? 1 : d));
      const b = s.map((d, i) => (mb[i] && !ma[i] ? 1 : d)).slice(drop);
      return [a, b] as [number[], number[]];
    }),
  );
}

function valueArb(domain: Domain): fc.Arbitrary<number> {
  const f = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  switch (domain) {
    case "any":
      return f(-3, 3);
    case "positive":
      return f(0.1, 3);
    case "unit":
      return f(-0.9, 0.9);
    case "awayFromZero":
      return fc.tuple(f(0.3, 3), fc.boolean()).map(([v, s]) => (s ? v : -v));
    case "small":
      return f(-1, 1);
  }
}

/** A host array of the given shape with values in a domain. */
export function arrayArb(shape: readonly number[], domain: Domain = "any"): fc.Arbitrary<HostArray> {
  const n = shape.reduce((a, b) => a * b, 1);
  return fc.array(valueArb(domain), { minLength: n, maxLength: n }).map((v) => ({ shape: [...shape], data: Float64Array.from(v) }));
}

/** A host array of a random shape. */
export function anyArrayArb(domain: Domain = "any", maxRank = 3, maxDim = 4): fc.Arbitrary<HostArray> {
  return shapeArb(0, maxRank, maxDim).chain((s) => arrayArb(s, domain));
}

/** The fast-check run parameters of this repository: a fixed seed (FC_SEED overrides) and a run count. */
export function fcParams(numRuns = 25): {
  /** fast-check's seed: 20261127, or the number in the FC_SEED environment variable. */
  seed: number;
  /** How many generated cases each property runs (the argument, default 25). */
  numRuns: number;
} {
  const env = typeof process !== "undefined" ? process.env.FC_SEED : undefined;
  return { seed: env ? Number(env) : 20261127, numRuns };
}
