// Where the end-to-end tests find a browser: Debian's Chromium (`apt-get install chromium`), or
// CHROMIUM_PATH. Playwright cannot download its own browser here, so it drives this one through
// `executablePath`. The flags are the ones this machine needs: no sandbox as root, no GPU, and no
// background networking (the network is closed).
import { existsSync } from "node:fs";

/** The Chromium executable, or undefined when none is installed. */
export function findChromium(): string | undefined {
  return [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p): p is string => !!p && existsSync(p));
}

/** Whether a missing browser must fail the run (CI, or SCM_REQUIRE_BROWSER=1) rather than skip. */
export function browserRequired(): boolean {
  return !!process.env.CI || process.env.SCM_REQUIRE_BROWSER === "1";
}

/** Command-line flags for headless Chromium on this machine (playwright adds --headless and --no-sandbox). */
export const chromiumArgs = [
  "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
