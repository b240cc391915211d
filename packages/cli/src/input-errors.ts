// Failures of what the user gave (a missing or corrupt file, a tensor of the wrong shape) arrive from
// @scm-ts/io and @scm-ts/data as rejections with an `IoError` or a `DataError`, whose message already
// names the file and what to do. Where such a failure is the user's to fix, the CLI reports it as a
// usage error (one line, exit code 2) with the flag it came from in front; anything else propagates.
import { DataError } from "@scm-ts/data";
import { IoError } from "@scm-ts/io";
import { UsageError } from "./args.js";

/** `promise`, with an `IoError` or `DataError` rejection rethrown as a `UsageError` reading `<context>: <message>`. */
export async function asUsage<T>(promise: Promise<T>, context: string): Promise<T> {
  try {
    return await promise;
  } catch (e) {
    if (e instanceof IoError || e instanceof DataError) throw new UsageError(`${context}: ${e.message}`);
    throw e;
  }
}
