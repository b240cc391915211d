// `scm train`'s flag values checked before anything is loaded or trained: each bad value is a usage
// error (exit 2) naming its flag, so a typo costs nothing — not the data loading, and not a run that
// fails at its first checkpoint. Checks that need the data or the teacher stay where those are read.
import { nonNegativeInt, positiveInt, positiveNumber, UsageError, type Flags } from "./args.js";

const fraction = (name: string, v: unknown): void => {
  if (v !== undefined && !(typeof v === "number" && v >= 0 && v < 1)) throw new UsageError(`scm train: --${name} must lie in [0, 1), got ${String(v)}`);
};

/** Checks the values of the flags given to `scm train` (undefined: not given). */
export function checkTrainFlags(f: Flags): void {
  for (const name of ["steps", "batch", "checkpoint-every", "width", "depth", "discrete-steps"]) if (f[name] !== undefined) positiveInt("train", name, f[name]);
  for (const name of ["lr", "p-std", "tangent-c", "sigma-data", "ema-std"]) if (f[name] !== undefined) positiveNumber("train", name, f[name]);
  if (f.warmup !== undefined) nonNegativeInt("train", "warmup", f.warmup);
  // The training key is seed + 1: it must stay a safe integer too.
  if (f.seed !== undefined && nonNegativeInt("train", "seed", f.seed) >= Number.MAX_SAFE_INTEGER) throw new UsageError(`scm train: --seed must be below ${Number.MAX_SAFE_INTEGER}, got ${String(f.seed)}`);
  for (const name of ["ema", "dropout", "p-uncond"]) fraction(name, f[name]);
  if (f.out !== undefined && String(f.out).trim() === "") throw new UsageError("scm train: --out must name a folder, got ''");
}
