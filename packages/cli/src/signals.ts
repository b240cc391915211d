// Ctrl-C and kill during training: the first SIGINT or SIGTERM asks the loop to finish its step and
// write a checkpoint, after which the command exits 130 (SIGINT) or 143 (SIGTERM), the shell's codes
// for "ended by that signal"; a second one stops at once, removing the run's lock and this process's
// temporary files first, so nothing is left that a later run would have to clean up.

/** The run ended early on a signal, after writing its checkpoint. */
export class Interrupted extends Error {
  /** "Interrupted". */
  override readonly name = "Interrupted";
  /** The exit code: 128 + the signal's number (130 for SIGINT, 143 for SIGTERM). */
  readonly exitCode: number;
  /**
   * @param signal - the signal that ended the run
   * @param message - the line to print
   */
  constructor(
    /** The signal that ended the run. */
    readonly signal: "SIGINT" | "SIGTERM",
    message: string,
  ) {
    super(message);
    this.exitCode = signal === "SIGINT" ? 130 : 143;
  }
}

/** A stop request raised by a signal, while installed. */
export interface SignalWatch {
  /** The signal received, if any. */
  readonly received: () => "SIGINT" | "SIGTERM" | undefined;
  /** Removes the handlers (the default behaviour returns). */
  readonly dispose: () => void;
}

/**
 * Installs SIGINT and SIGTERM handlers for a run: the first signal is recorded (the loop polls
 * `received`); the second calls `cleanUp` and exits at once with the signal's code.
 */
export function watchSignals(log: (line: string) => void, cleanUp: () => void): SignalWatch {
  let received: "SIGINT" | "SIGTERM" | undefined;
  const on = (signal: "SIGINT" | "SIGTERM") => {
    if (received) {
      cleanUp();
      process.exit(signal === "SIGINT" ? 130 : 143);
    }
    received = signal;
    log(`${signal}: finishing this step and writing a checkpoint (send it again to stop at once, without one)`);
  };
  const onInt = () => on("SIGINT");
  const onTerm = () => on("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return {
    received: () => received,
    dispose: () => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    },
  };
}
