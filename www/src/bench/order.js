// The benchmark peers' shared minibatch order, so every engine sees every
// example once per epoch in the same seeded order.

/** A seeded shuffle (xorshift32) of 0..n-1. */
export function shuffled(n, seed) {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i += 1) order[i] = i;
  let s = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i -= 1) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
