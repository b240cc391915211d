// Command-line flags of the example scripts on node:util's parseArgs: each flag has a default and a
// help line, numbers are checked, and an unknown flag or a bad value stops the script with one message
// that names the flag (exit code 2), `--help` prints the list.
import { parseArgs } from "node:util";

/** One flag: a number or a string with its default and help. */
export type FlagSpec = { readonly kind: "number"; readonly default: number; readonly help: string; readonly integer?: boolean; readonly min?: number } | { readonly kind: "string"; readonly default: string; readonly help: string; readonly choices?: readonly string[] };

/** The values of parsed flags. */
export type FlagValues<S extends Record<string, FlagSpec>> = { [K in keyof S]: S[K] extends { kind: "number" } ? number : string };

/** A bad command line (the scripts print its message and exit with 2). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The --help text. */
export function helpText(usage: string, specs: Record<string, FlagSpec>): string {
  const rows = Object.entries(specs).map(([k, s]) => `  --${k.padEnd(18)} ${s.help} (default ${s.default}${s.kind === "string" && s.choices ? `; one of ${s.choices.join(", ")}` : ""})`);
  return [usage, "", "Flags:", ...rows, "  --help               print this"].join("\n");
}

/** Parses argv against specs; returns undefined when --help was asked. */
export function parseFlags<S extends Record<string, FlagSpec>>(argv: readonly string[], specs: S, usage: string, print: (s: string) => void = console.log): FlagValues<S> | undefined {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...Object.fromEntries(Object.keys(specs).map((k) => [k, { type: "string" as const }])), help: { type: "boolean" } }, strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}; run with --help for the flags`);
  }
  if (parsed.values.help) {
    print(helpText(usage, specs));
    return undefined;
  }
  const out: Record<string, number | string> = {};
  for (const [k, s] of Object.entries(specs)) {
    const raw = (parsed.values as Record<string, unknown>)[k] as string | undefined;
    if (s.kind === "string") {
      const v = raw ?? s.default;
      if (s.choices && !s.choices.includes(v)) throw new UsageError(`--${k} ${v}: use one of ${s.choices.join(", ")}`);
      out[k] = v;
      continue;
    }
    const v = raw === undefined ? s.default : Number(raw);
    if (!Number.isFinite(v)) throw new UsageError(`--${k} '${raw}': expected a number`);
    if (s.integer && !Number.isSafeInteger(v)) throw new UsageError(`--${k} ${v}: expected an integer`);
    if (s.min !== undefined && v < s.min) throw new UsageError(`--${k} ${v}: must be at least ${s.min}`);
    out[k] = v;
  }
  return out as FlagValues<S>;
}

/** Runs a script's main: usage errors print one line and exit 2, other failures exit 1. */
export function runMain(main: () => Promise<unknown>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e instanceof UsageError ? `error: ${e.message}` : e);
      process.exit(e instanceof UsageError ? 2 : 1);
    },
  );
}
