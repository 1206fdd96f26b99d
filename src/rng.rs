//! Counter-based random numbers: Philox4x32-10 (Salmon et al., SC 2011).
//!
//! Every random number in the playground is a pure function of
//! `(seed, stream, counter)`, so a run is reproducible from its seed alone and
//! any element can be drawn independently (on the CPU or in a GPU thread).
//! Only `u32` arithmetic is used (the 32x32 -> 64 bit product is split into
//! 16-bit halves), so the WGSL twin `shaders/rng.wgsl` gives identical bits.
//!
//! Conventions: the Philox key is `[seed, stream]`, the counter is
//! `[index, draw, 0, 0]`, where `index` is the element (example, weight,
//! coordinate) and `draw` separates repeated draws (training step, layer,
//! evaluation sample).

const PHILOX_M0: u32 = 0xD251_1F53;
const PHILOX_M1: u32 = 0xCD9E_8D57;
const PHILOX_W0: u32 = 0x9E37_79B9;
const PHILOX_W1: u32 = 0xBB67_AE85;
const PHILOX_ROUNDS: usize = 10;
/// Number of Feistel rounds of the index permutation (4 suffice for a
/// pseudo-random permutation with good round functions; 6 for margin).
const FEISTEL_ROUNDS: usize = 6;

/// Independent random streams. The values are part of the reproducibility
/// contract: changing one changes every run that uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Stream {
    /// Weight initialisation (index = element, draw = layer).
    Init = 1,
    /// Train/test split permutation.
    Split = 2,
    /// Generated datasets (index = point, draw = coordinate).
    Data = 3,
    /// Reparameterisation noise in training (index = element, draw = step).
    Noise = 4,
    /// Minibatch order (draw = epoch).
    Batch = 5,
    /// Reparameterisation noise at evaluation (index = element, draw = sample).
    Eval = 6,
    /// Label flips of the toy datasets.
    LabelNoise = 7,
}

/// A Philox key: the experiment seed and a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub seed: u32,
    pub stream: u32,
}

impl Key {
    pub fn new(seed: u32, stream: Stream) -> Self {
        Key {
            seed,
            stream: stream as u32,
        }
    }

    /// Four random words for element `index` of draw `draw`.
    pub fn block(self, index: u32, draw: u32) -> [u32; 4] {
        philox4x32([index, draw, 0, 0], [self.seed, self.stream])
    }

    /// A uniform sample in the open interval (0, 1).
    pub fn uniform(self, index: u32, draw: u32) -> f32 {
        uniform_from_bits(self.block(index, draw)[0])
    }

    /// A standard-normal sample (Box-Muller on the first two words).
    pub fn normal(self, index: u32, draw: u32) -> f32 {
        let bits = self.block(index, draw);
        box_muller(uniform_from_bits(bits[0]), uniform_from_bits(bits[1]))
    }
}

/// High and low 32 bits of `a * b`. WGSL has no 64-bit integers, so `mul_hi`
/// in shaders/rng.wgsl builds it from 16-bit halves (`mul_hi_lo_as_wgsl`
/// in the tests checks that method against this one): the same words.
#[inline]
pub fn mul_hi_lo(a: u32, b: u32) -> (u32, u32) {
    let wide = a as u64 * b as u64;
    ((wide >> 32) as u32, wide as u32)
}

/// Philox4x32 with 10 rounds, as in Random123.
pub fn philox4x32(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut c = counter;
    let mut k = key;
    for round in 0..PHILOX_ROUNDS {
        if round > 0 {
            k[0] = k[0].wrapping_add(PHILOX_W0);
            k[1] = k[1].wrapping_add(PHILOX_W1);
        }
        let (hi0, lo0) = mul_hi_lo(PHILOX_M0, c[0]);
        let (hi1, lo1) = mul_hi_lo(PHILOX_M1, c[2]);
        c = [hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0];
    }
    c
}

/// Maps 32 random bits to an odd multiple of 2^-24 in (0, 1): exact in f32,
/// never 0 (so `ln` is finite) and never 1.
#[inline]
pub fn uniform_from_bits(bits: u32) -> f32 {
    let odd = ((bits >> 9) << 1) | 1;
    odd as f32 * (1.0 / 16_777_216.0)
}

/// Box-Muller: one standard-normal sample from two uniforms in (0, 1).
/// The logarithm and cosine are `fmath`'s own f32 polynomials, written
/// identically in WGSL: GPU `log`/`cos` may be off by up to 2^-11 absolute,
/// which would make the devices draw visibly different noise.
#[inline]
pub fn box_muller(u0: f32, u1: f32) -> f32 {
    (-2.0 * crate::fmath::ln(u0)).sqrt() * crate::fmath::cos_turns(u1)
}

/// A pseudo-random permutation of `0..n`: a balanced Feistel network on the
/// smallest even-bit power of two >= n, with cycle walking back into range.
/// Counter-based like the rest: `Permutation::new(key, draw, n).apply(i)`
/// needs no table, so a GPU thread can compute its own shuffled index.
#[derive(Clone, Debug)]
pub struct Permutation {
    n: u32,
    half_bits: u32,
    round_keys: [u32; FEISTEL_ROUNDS],
}

impl Permutation {
    pub fn new(key: Key, draw: u32, n: u32) -> Self {
        assert!(n > 0, "a permutation needs at least one element");
        let bits = (32 - (n - 1).leading_zeros()).max(2);
        let half_bits = bits.div_ceil(2);
        let a = key.block(0, draw);
        let b = key.block(1, draw);
        let round_keys = [a[0], a[1], a[2], a[3], b[0], b[1]];
        Permutation {
            n,
            half_bits,
            round_keys,
        }
    }

    pub fn len(&self) -> u32 {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The image of `index` (must be < n).
    pub fn apply(&self, index: u32) -> u32 {
        debug_assert!(index < self.n);
        let mut x = index;
        loop {
            x = self.feistel(x);
            if x < self.n {
                return x;
            }
        }
    }

    fn feistel(&self, x: u32) -> u32 {
        let mask = (1u32 << self.half_bits) - 1;
        let mut left = x >> self.half_bits;
        let mut right = x & mask;
        for &round_key in &self.round_keys {
            let mixed = left ^ (hash32(right ^ round_key) & mask);
            left = right;
            right = mixed;
        }
        (left << self.half_bits) | right
    }
}

/// A 32-bit integer mixer ("lowbias32", C. Wellons): full avalanche, u32 only.
#[inline]
pub fn hash32(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7FEB_352D);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846C_A68B);
    x ^= x >> 16;
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shaders' method (`mul_hi` in shaders/rng.wgsl; the low word is
    /// the wrapping product): 32-bit operations only.
    fn mul_hi_lo_as_wgsl(a: u32, b: u32) -> (u32, u32) {
        let (a_lo, a_hi) = (a & 0xFFFF, a >> 16);
        let (b_lo, b_hi) = (b & 0xFFFF, b >> 16);
        let ll = a_lo * b_lo;
        let lh = a_lo * b_hi;
        let hl = a_hi * b_lo;
        let hh = a_hi * b_hi;
        let carry = ((ll >> 16) + (lh & 0xFFFF) + (hl & 0xFFFF)) >> 16;
        let hi = hh + (lh >> 16) + (hl >> 16) + carry;
        (hi, a.wrapping_mul(b))
    }

    #[test]
    fn mul_hi_lo_matches_the_shaders_32_bit_method() {
        let key = Key::new(9, Stream::Data);
        let mut cases = vec![
            (0, 0),
            (u32::MAX, u32::MAX),
            (PHILOX_M0, u32::MAX),
            (1, u32::MAX),
        ];
        for i in 0..10_000 {
            let b = key.block(i, 0);
            cases.push((b[0], b[1]));
        }
        for (a, b) in cases {
            let wide = a as u64 * b as u64;
            let want = ((wide >> 32) as u32, wide as u32);
            assert_eq!(mul_hi_lo(a, b), want, "a={a} b={b}");
            assert_eq!(mul_hi_lo_as_wgsl(a, b), want, "a={a} b={b}");
        }
    }

    #[test]
    fn own_ln_and_cos_are_accurate() {
        let key = Key::new(2, Stream::Data);
        for i in 0..100_000 {
            let u = key.uniform(i, 0);
            let ln = crate::fmath::ln(u) as f64;
            let exact = (u as f64).ln();
            assert!(
                (ln - exact).abs() <= 2.5e-7 * exact.abs().max(1e-3),
                "ln({u}) = {ln} vs {exact}"
            );
            let cos = crate::fmath::cos_turns(u) as f64;
            let exact = (std::f64::consts::TAU * u as f64).cos();
            assert!(
                (cos - exact).abs() <= 2e-7,
                "cos(2 pi {u}) = {cos} vs {exact}"
            );
        }
        assert_eq!(crate::fmath::ln(1.0), 0.0);
        assert_eq!(crate::fmath::cos_turns(0.25).abs(), 0.0);
    }

    #[test]
    fn uniform_is_open_interval() {
        assert_eq!(uniform_from_bits(0), 1.0 / 16_777_216.0);
        assert!(uniform_from_bits(u32::MAX) < 1.0);
        assert_eq!(uniform_from_bits(u32::MAX), 1.0 - 1.0 / 16_777_216.0);
    }

    #[test]
    fn permutation_is_a_bijection_for_awkward_sizes() {
        for n in [1u32, 2, 3, 7, 63, 64, 65, 257, 1000, 4096] {
            let p = Permutation::new(Key::new(5, Stream::Batch), 3, n);
            let mut seen = vec![false; n as usize];
            for i in 0..n {
                let j = p.apply(i) as usize;
                assert!(!seen[j], "n={n}: {j} hit twice");
                seen[j] = true;
            }
        }
    }
}
