// The second peer in the benchmark: the same VIB model in jax-js 0.1.25 (its
// WebGPU or WebAssembly device), the whole training step (forward, gradient
// by valueAndGrad, Adam) compiled by jit into one function. Encoder layers
// with the case's activation, sigma = softplus(rho - 5), z = mu + sigma eps,
// a linear decoder, softmax cross-entropy + beta * KL; minibatches gathered
// on the device from a shuffled order; the loss read back once per report
// interval, as the other engines do.
import { init, defaultDevice, jit, valueAndGrad, numpy as np, nn, random, tree } from '@jax-js/jax';
import { shuffled } from './order.js';

const VERSION = '0.1.25';

/** Seeded normal draws (Box-Muller over xorshift32) for the initial weights. */
function normals(count, scale, seed) {
  const out = new Float32Array(count);
  let s = seed >>> 0 || 1;
  const uniform = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  for (let i = 0; i < count; i += 1) {
    out[i] = scale * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  }
  return out;
}

/** The VIB objective (nats) of a minibatch; takes ownership of its arguments. */
function objective(c, params, xb, yb, eps) {
  const act = c.activation === 'relu' ? nn.relu : np.tanh;
  let h = xb;
  params.encoder.forEach((layer, i) => {
    h = np.matmul(h, layer.w).add(layer.b);
    if (i + 1 < params.encoder.length) h = act(h);
  });
  const [mu, rho] = np.split(h, 2, 1);
  const sigma = nn.softplus(rho.sub(5));
  const z = mu.ref.add(sigma.ref.mul(eps));
  const logits = np.matmul(z, params.decoder.w).add(params.decoder.b);
  const ce = yb.mul(nn.logSoftmax(logits, 1)).sum(1).mean().neg();
  const kl = np.square(mu).add(np.square(sigma.ref)).sub(1).mul(0.5).sub(np.log(sigma)).sum(1).mean();
  return ce.add(kl.mul(c.beta));
}

/** Creates the peer for case `c` on `backend` ('webgpu' or 'wasm') with `data` (trainingData). */
export async function create(c, backend, data) {
  const available = await init(backend);
  if (!available.includes(backend)) throw new Error(`jax-js could not start its ${backend} device`);
  defaultDevice(backend);
  const { rows, features, classes } = data;
  const widths = [features, ...c.hidden, 2 * c.k];
  const dense = (fanIn, fanOut, seed) => ({
    w: np.array(normals(fanIn * fanOut, Math.sqrt(2 / (fanIn + fanOut)), seed)).reshape([fanIn, fanOut]),
    b: np.zeros([fanOut]),
  });
  let params = {
    encoder: widths.slice(1).map((w, i) => dense(widths[i], w, 7 + i)),
    decoder: dense(c.k, classes, 99),
  };
  let m = tree.map((p) => np.zeros(p.shape), tree.ref(params));
  let v = tree.map((p) => np.zeros(p.shape), tree.ref(params));
  const x = np.array(Float32Array.from(data.x)).reshape([rows, features]);
  const oneHot = new Float32Array(rows * classes);
  data.y.forEach((label, i) => { oneHot[i * classes + label] = 1; });
  const y = np.array(oneHot).reshape([rows, classes]);
  const lossAndGrads = valueAndGrad((p, xb, yb, eps) => objective(c, p, xb, yb, eps));
  // One compiled step: gradient, Adam (lr already bias-corrected), the loss.
  const step = jit((p, mo, ve, xb, yb, key, lrT) => {
    const eps = random.normal(key, [c.batch, c.k]);
    const [loss, grads] = lossAndGrads(tree.ref(p), xb, yb, eps);
    const m2 = tree.map((mi, g) => mi.mul(c.b1).add(g.mul(1 - c.b1)), mo, tree.ref(grads));
    const v2 = tree.map((vi, g) => vi.mul(c.b2).add(np.square(g).mul(1 - c.b2)), ve, grads);
    const p2 = tree.map(
      (pi, mi, vi) => pi.sub(mi.mul(lrT.ref).div(np.sqrt(vi).add(1e-8))),
      p, tree.ref(m2), tree.ref(v2),
    );
    lrT.dispose();
    return [p2, m2, v2, loss];
  });
  let order = shuffled(rows, 1);
  let position = 0;
  let epoch = 1;
  let t = 0;
  let loss = null;

  function nextBatch() {
    if (position + c.batch > rows) {
      epoch += 1;
      order = shuffled(rows, epoch);
      position = 0;
    }
    const indices = np.array(order.slice(position, position + c.batch), { dtype: np.int32 });
    position += c.batch;
    return indices;
  }

  function trainStep() {
    t += 1;
    const indices = nextBatch();
    const xb = np.take(x.ref, indices.ref, 0);
    const yb = np.take(y.ref, indices, 0);
    const lrT = c.lr * Math.sqrt(1 - c.b2 ** t) / (1 - c.b1 ** t);
    const out = step(params, m, v, xb, yb, random.key(t), np.array(lrT));
    [params, m, v] = out;
    loss?.dispose();
    loss = out[3];
  }

  return {
    label: `jax-js ${VERSION} (${backend})`,
    /** Trains `n` steps and reads the loss back once (bits). */
    async steps(n) {
      for (let i = 0; i < n; i += 1) trainStep();
      const [value] = await loss.ref.data();
      return value / Math.LN2;
    },
    dispose() {
      loss?.dispose();
      tree.dispose([params, m, v]);
      x.dispose();
      y.dispose();
      step.dispose();
    },
  };
}
