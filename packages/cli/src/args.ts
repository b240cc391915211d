// Command-line flags: `--name value`, `--name=value` and boolean `--name`, checked against each
// command's declared flags (unknown flags, missing values and values of the wrong kind are errors
// that name the flag and the command), and the help text generated from the same declarations.
// Numbers are read strictly as decimals (so `0x3`, `''` and ` 5` are errors, not 3, 0 and 5), and a
// boolean takes only true/false/1/0 after `=`, so `--resume=0` does not mean "resume". The example
// scripts parse their flags with the same code (the `@scm-ts/cli/args` subpath, which imports nothing),
// naming themselves by their invocation ("node dist/sct.js") where the CLI's commands read `scm train`.

/** A declared flag. */
export interface FlagSpec {
  /** How the value is parsed: kept as text, read as a finite number, or a switch that takes no value. */
  readonly kind: "string" | "number" | "boolean";
  /** One line for the generated help text. */
  readonly help: string;
  /** The value when the flag is absent (absent: undefined); shown in the help. */
  readonly default?: string | number | boolean;
  /** Allowed values of a string flag. */
  readonly choices?: readonly string[];
  /** A number flag must be a whole number. */
  readonly integer?: boolean;
  /** The least value a number flag may take. */
  readonly min?: number;
}

/** A command's flags by name. */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** Parsed flag values. */
export type Flags = Record<string, string | number | boolean | undefined>;

/** How messages name a command: "train" reads `scm train`; a label with a space ("node dist/sct.js") is used as it is. */
function invocation(command: string): string {
  return command.includes(" ") ? command : `scm ${command}`;
}

/** A usage error: printed as one line, exit code 2. */
export class UsageError extends Error {
  /** "UsageError": how the CLI tells a usage error (one line, exit code 2) from a failure. */
  override readonly name = "UsageError";
}

// A decimal number: digits with an optional point and exponent (what a person types), nothing else.
const decimal = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal number from text, or undefined when the text is not one (hex, empty, spaces, Infinity). */
export function parseDecimal(raw: string): number | undefined {
  if (!decimal.test(raw)) return undefined;
  const v = Number(raw);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * Parses argv (without the command name) against the specs; fills the declared defaults unless
 * `fillDefaults` is false (`scm train` tells the flags given from its defaults: resume compares only those).
 * `command` is the name after `scm`, or a whole invocation such as "node dist/sct.js" (see `invocation`).
 */
export function parseFlags(command: string, argv: readonly string[], specs: FlagSpecs, fillDefaults = true): Flags {
  const out: Flags = {};
  const who = invocation(command);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new UsageError(`${who}: unexpected argument '${arg}'; flags start with --, see ${who} --help`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = specs[name];
    if (!spec) throw new UsageError(`${who}: unknown flag --${name}; see ${who} --help`);
    let raw: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
    if (spec.kind === "boolean") {
      const on = raw === undefined || raw === "true" || raw === "1" ? true : raw === "false" || raw === "0" ? false : undefined;
      if (on === undefined) throw new UsageError(`${who}: --${name} is a switch: give it alone, or as --${name}=true or --${name}=false; got '${raw}'`);
      out[name] = on;
      continue;
    }
    if (raw === undefined) {
      raw = argv[++i];
      if (raw === undefined || raw.startsWith("--")) throw new UsageError(`${who}: --${name} needs a value`);
    }
    if (spec.kind === "number") {
      const v = parseDecimal(raw);
      if (v === undefined) throw new UsageError(`${who}: --${name} must be a number, got '${raw}'`);
      if (spec.integer && !Number.isSafeInteger(v)) throw new UsageError(`${who}: --${name} must be a whole number, got ${raw}`);
      if (spec.min !== undefined && v < spec.min) throw new UsageError(`${who}: --${name} must be at least ${spec.min}, got ${raw}`);
      out[name] = v;
    } else {
      if (spec.choices && !spec.choices.includes(raw)) throw new UsageError(`${who}: --${name} must be one of ${spec.choices.join(", ")}; got '${raw}'`);
      out[name] = raw;
    }
  }
  if (fillDefaults) return withDefaults(specs, out);
  return out;
}

/** The flags with the declared defaults filled where a flag is absent. */
export function withDefaults(specs: FlagSpecs, given: Flags): Flags {
  const out: Flags = { ...given };
  for (const [name, spec] of Object.entries(specs)) if (out[name] === undefined && spec.default !== undefined) out[name] = spec.default;
  return out;
}

/** Help text of a command. */
export function helpText(command: string, summary: string, specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const head = `  --${name}${s.kind === "boolean" ? "" : ` <${s.choices ? s.choices.join("|") : s.kind}>`}`;
    const def = s.default !== undefined ? ` (default ${String(s.default)})` : "";
    return `${head.padEnd(44)} ${s.help}${def}`;
  });
  return [`${invocation(command)} — ${summary}`, "", "Flags:", ...rows, "  --help".padEnd(45) + "show this help"].join("\n");
}

/** A non-negative integer flag value (a seed, a count that may be 0), or a usage error naming it. */
export function nonNegativeInt(command: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw new UsageError(`${invocation(command)}: --${name} must be a whole number ≥ 0, got ${String(v)}`);
  return v;
}

/** A positive finite number flag value (a rate, a standard deviation), or a usage error naming it. */
export function positiveNumber(command: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) throw new UsageError(`${invocation(command)}: --${name} must be a positive number, got ${String(v)}`);
  return v;
}

/** A positive integer flag value, or a usage error naming it. */
export function positiveInt(command: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new UsageError(`${invocation(command)}: --${name} must be a positive integer, got ${String(v)}`);
  return v;
}
