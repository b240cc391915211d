// @scm-ts/metrics/node: the Node-only half of @scm-ts/metrics — reading the MNIST feature network's
// committed weights (`mnistFeatureNet`, the `features` option of `frechetDistance` and `precisionRecall`
// for images [N, 1, 28, 28]) and the classifier's recorded train / held-out split.

/** The MNIST feature network's weights and split, read from the package's files. */
export { loadMnistClassifier, mnistFeatureNet, mnistClassifierRecordedSplit } from "./mnist-weights.js";
