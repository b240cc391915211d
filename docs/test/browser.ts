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

const quiet = ["--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Command-line flags for headless Chromium on this machine (playwright adds --headless and --no-sandbox): no GPU, so no WebGPU adapter. */
export const chromiumArgs = ["--disable-gpu", ...quiet];

/** The same with WebGPU on SwiftShader, Chromium's CPU implementation of the GPU: `navigator.gpu` gives a (fallback) adapter. */
export const chromiumWebGpuArgs = ["--enable-unsafe-webgpu", "--use-angle=swiftshader", ...quiet];
