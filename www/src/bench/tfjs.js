// The peer in the benchmark: the same VIB model in TensorFlow.js 4.22 (its
// WebGPU backend, or its WASM backend with SIMD on one thread). Encoder
// layers with the case's activation, sigma = softplus(rho - 5),
// z = mu + sigma * eps, a linear decoder, softmax cross-entropy + beta * KL,
// Adam; minibatches gathered on the device from a shuffled order, the loss
// read back once per report interval, as our engine does.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import plainWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { shuffled } from './order.js';

setWasmPaths({
  'tfjs-backend-wasm.wasm': plainWasm,
  'tfjs-backend-wasm-simd.wasm': simdWasm,
  'tfjs-backend-wasm-threaded-simd.wasm': threadedWasm,
});

/** Creates the peer for case `c` on `backend` ('webgpu' or 'wasm') with `data` (trainingData). */
export async function create(c, backend, data) {
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js could not start its ${backend} backend`);
  await tf.ready();
  const { rows, features, classes } = data;
  const k = c.k;
  const widths = [features, ...c.hidden, 2 * k];
  const dense = (fanIn, fanOut) => ({
    w: tf.variable(tf.randomNormal([fanIn, fanOut], 0, Math.sqrt(2 / (fanIn + fanOut)), 'float32', 7)),
    b: tf.variable(tf.zeros([fanOut])),
  });
  const encoder = widths.slice(1).map((w, i) => dense(widths[i], w));
  const decoder = dense(k, classes);
  const x = tf.tensor2d(data.x, [rows, features]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(data.y), 'int32'), classes).toFloat());
  const optimizer = tf.train.adam(c.lr, c.b1, c.b2, 1e-8);
  const act = c.activation === 'relu' ? tf.relu : tf.tanh;
  let order = shuffled(rows, 1);
  let position = 0;
  let epoch = 1;
  let cost = null;

  function nextBatch() {
    if (position + c.batch > rows) {
      epoch += 1;
      order = shuffled(rows, epoch);
      position = 0;
    }
    const indices = order.subarray(position, position + c.batch);
    position += c.batch;
    return tf.tensor1d(indices, 'int32');
  }

  function step() {
    const indices = nextBatch();
    const loss = optimizer.minimize(() => {
      const xb = tf.gather(x, indices);
      const yb = tf.gather(y, indices);
      let h = xb;
      encoder.forEach((layer, i) => {
        h = tf.add(tf.matMul(h, layer.w), layer.b);
        if (i + 1 < encoder.length) h = act(h);
      });
      const mu = tf.slice(h, [0, 0], [c.batch, k]);
      const rho = tf.slice(h, [0, k], [c.batch, k]);
      const sigma = tf.softplus(tf.sub(rho, 5));
      const z = tf.add(mu, tf.mul(sigma, tf.randomNormal([c.batch, k])));
      const logits = tf.add(tf.matMul(z, decoder.w), decoder.b);
      const ce = tf.losses.softmaxCrossEntropy(yb, logits);
      const klTerms = tf.sub(tf.mul(0.5, tf.sub(tf.add(tf.square(mu), tf.square(sigma)), 1)), tf.log(sigma));
      const kl = tf.mean(tf.sum(klTerms, 1));
      return tf.add(ce, tf.mul(c.beta, kl));
    }, true);
    indices.dispose();
    cost?.dispose();
    cost = loss;
  }

  return {
    label: `TensorFlow.js ${tf.version.tfjs} (${backend})`,
    /** Trains `n` steps and reads the loss back once (bits). */
    async steps(n) {
      for (let i = 0; i < n; i += 1) step();
      const [value] = await cost.data();
      return value / Math.LN2;
    },
    dispose() {
      cost?.dispose();
      for (const layer of [...encoder, decoder]) { layer.w.dispose(); layer.b.dispose(); }
      x.dispose();
      y.dispose();
      optimizer.dispose();
    },
  };
}
