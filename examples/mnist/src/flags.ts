// Command-line flags of the example scripts, parsed by the CLI's own parser (`@scm-ts/cli/args`: the
// same syntax, checks and help layout as `scm train`), with the values typed from the declarations.
// `--help` prints the flags and returns undefined; an unknown flag or a bad value is a `UsageError`
// that names the flag, which `runMain` prints as one line with exit code 2.
import { helpText, parseFlags, UsageError, type FlagSpec } from "@scm-ts/cli/args";

export { UsageError, type FlagSpec };

/** The values of parsed flags, every one declared with a default. */
export type FlagValues<S extends Record<string, FlagSpec>> = { [K in keyof S]: S[K] extends { kind: "number" } ? number : S[K] extends { kind: "boolean" } ? boolean : string };

/** Parses argv against specs for the script run as `invocation`; undefined (after printing the help) when --help was asked. */
export function parseExampleFlags<S extends Record<string, FlagSpec>>(argv: readonly string[], specs: S, invocation: string, summary: string, print: (s: string) => void = console.log): FlagValues<S> | undefined {
  if (argv.includes("--help")) {
    print(helpText(invocation, summary, specs));
    return undefined;
  }
  return parseFlags(invocation, argv, specs) as FlagValues<S>;
}

/** Runs a script's main: usage errors print one line and exit 2, other failures exit 1. */
export function runMain(main: () => Promise<unknown>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e instanceof UsageError ? e.message : e);
      process.exit(e instanceof UsageError ? 2 : 1);
    },
  );
}
