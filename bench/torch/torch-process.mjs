// The PyTorch side as a child process: finds an interpreter that imports torch (as packages/cli's
// pytorch-parity test does: $SCM_PYTHON, python3 on PATH, Debian's /usr/bin/python3) and talks to
// torch_side.py one JSON line at a time, so the driver decides when each side runs.
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("./torch_side.py", import.meta.url));

/** The first interpreter that imports torch and numpy, or null. */
export function torchPython() {
  for (const py of [process.env.SCM_PYTHON, "python3", "/usr/bin/python3"]) {
    if (py && spawnSync(py, ["-c", "import torch, numpy"], { stdio: "ignore" }).status === 0) return py;
  }
  return null;
}

/** Starts torch_side.py with `threads` intra-op threads; `request(obj)` resolves to its one-line reply. */
export function startTorch(python, threads) {
  const child = spawn(python, [script, String(threads)], { stdio: ["pipe", "pipe", "inherit"] });
  const waiting = [];
  let failure = null;
  const fail = (why) => {
    failure = new Error(`the PyTorch side ${why}`);
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  createInterface({ input: child.stdout }).on("line", (line) => waiting.shift()?.resolve(JSON.parse(line)));
  child.on("exit", (code) => fail(`exited (code ${code}); its error is above`));
  child.on("error", (e) => fail(`could not start: ${e.message}`));
  return {
    request(obj) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(JSON.stringify(obj) + "\n");
      });
    },
    close() {
      child.stdin.end(JSON.stringify({ op: "quit" }) + "\n");
    },
  };
}
