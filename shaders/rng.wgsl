// rng.wgsl: counter-based random numbers, the WGSL twin of src/rng.rs.
// A library, not a kernel: its text is prepended to the kernels that draw
// noise or shuffle (reparameterize.wgsl, gather.wgsl, rng_test.wgsl).
// Philox4x32-10 with key [seed, stream] and counter [index, draw, 0, 0]; the
// 32x32 -> 64 bit product is split into 16-bit halves so that only u32
// arithmetic is used and the bits equal the CPU's. Uniforms are odd multiples
// of 2^-24 in (0, 1), bit-identical to the CPU; normals use the same f32
// polynomials for ln and cos as the CPU (the device's log/cos may be off by
// 2^-11), so they agree to an ulp or two (fused multiply-adds may differ).
// Bindings: none. Workgroup size: n/a. Dispatch: n/a.

const PHILOX_M0: u32 = 0xD2511F53u;
const PHILOX_M1: u32 = 0xCD9E8D57u;
const PHILOX_W0: u32 = 0x9E3779B9u;
const PHILOX_W1: u32 = 0xBB67AE85u;
const STREAM_NOISE: u32 = 4u;
const STREAM_BATCH: u32 = 5u;
const STREAM_EVAL: u32 = 6u;

fn mul_hi(a: u32, b: u32) -> u32 {
    let a_lo = a & 0xFFFFu;
    let a_hi = a >> 16u;
    let b_lo = b & 0xFFFFu;
    let b_hi = b >> 16u;
    let ll = a_lo * b_lo;
    let lh = a_lo * b_hi;
    let hl = a_hi * b_lo;
    let hh = a_hi * b_hi;
    let carry = ((ll >> 16u) + (lh & 0xFFFFu) + (hl & 0xFFFFu)) >> 16u;
    return hh + (lh >> 16u) + (hl >> 16u) + carry;
}

fn philox4x32(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
    var c = counter;
    var k = key;
    for (var round = 0u; round < 10u; round++) {
        if (round > 0u) {
            k = k + vec2<u32>(PHILOX_W0, PHILOX_W1);
        }
        let hi0 = mul_hi(PHILOX_M0, c.x);
        let lo0 = PHILOX_M0 * c.x;
        let hi1 = mul_hi(PHILOX_M1, c.z);
        let lo1 = PHILOX_M1 * c.z;
        c = vec4<u32>(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
    }
    return c;
}

fn rng_block(seed: u32, stream: u32, index: u32, draw: u32) -> vec4<u32> {
    return philox4x32(vec4<u32>(index, draw, 0u, 0u), vec2<u32>(seed, stream));
}

fn uniform_from_bits(bits: u32) -> f32 {
    let odd = ((bits >> 9u) << 1u) | 1u;
    return f32(odd) * (1.0 / 16777216.0);
}

fn rng_uniform(seed: u32, stream: u32, index: u32, draw: u32) -> f32 {
    return uniform_from_bits(rng_block(seed, stream, index, draw).x);
}

// ln(u) for u in (0, 1] (twin of fmath::ln).
fn ln_unit(u: f32) -> f32 {
    let bits = bitcast<u32>(u);
    var exponent = i32((bits >> 23u) & 0xFFu) - 127;
    var mantissa = bitcast<f32>((bits & 0x007FFFFFu) | 0x3F800000u);
    if (mantissa > 1.4142135) {
        mantissa *= 0.5;
        exponent += 1;
    }
    let s = (mantissa - 1.0) / (mantissa + 1.0);
    let s2 = s * s;
    let series = s * (2.0 + s2 * (2.0 / 3.0 + s2 * (2.0 / 5.0 + s2 * (2.0 / 7.0 + s2 * (2.0 / 9.0)))));
    let e = f32(exponent);
    return e * 0.69314575 + (series + e * 1.4286068e-6);
}

// cos(2 pi t) for t in [0, 1] (twin of fmath::cos_turns).
fn cos_turns(t: f32) -> f32 {
    let w = abs(t - round(t));
    let x = 6.2831855 * (0.25 - w);
    let x2 = x * x;
    return x * (1.0 + x2 * (-1.0 / 6.0 + x2 * (1.0 / 120.0 + x2 * (-1.0 / 5040.0
        + x2 * (1.0 / 362880.0 + x2 * (-1.0 / 39916800.0 + x2 * (1.0 / 6227020800.0)))))));
}

fn rng_normal(seed: u32, stream: u32, index: u32, draw: u32) -> f32 {
    let bits = rng_block(seed, stream, index, draw);
    let u0 = uniform_from_bits(bits.x);
    let u1 = uniform_from_bits(bits.y);
    return sqrt(-2.0 * ln_unit(u0)) * cos_turns(u1);
}

fn hash32(value: u32) -> u32 {
    var x = value;
    x ^= x >> 16u;
    x *= 0x7FEB352Du;
    x ^= x >> 15u;
    x *= 0x846CA68Bu;
    x ^= x >> 16u;
    return x;
}

// The permutation of 0..n used for epoch `draw` (see rng::Permutation).
struct Permutation {
    n: u32,
    half_bits: u32,
    keys_a: vec4<u32>,
    keys_b: vec2<u32>,
}

fn permutation_new(seed: u32, stream: u32, draw: u32, n: u32) -> Permutation {
    let bits = max(32u - countLeadingZeros(n - 1u), 2u);
    let half_bits = (bits + 1u) / 2u;
    let a = rng_block(seed, stream, 0u, draw);
    let b = rng_block(seed, stream, 1u, draw);
    return Permutation(n, half_bits, a, b.xy);
}

fn feistel(p: Permutation, x: u32) -> u32 {
    let mask = (1u << p.half_bits) - 1u;
    var left = x >> p.half_bits;
    var right = x & mask;
    let keys = array<u32, 6>(p.keys_a.x, p.keys_a.y, p.keys_a.z, p.keys_a.w, p.keys_b.x, p.keys_b.y);
    for (var r = 0u; r < 6u; r++) {
        let mixed = left ^ (hash32(right ^ keys[r]) & mask);
        left = right;
        right = mixed;
    }
    return (left << p.half_bits) | right;
}

fn permutation_apply(p: Permutation, index: u32) -> u32 {
    var x = feistel(p, index);
    loop {
        if (x < p.n) {
            break;
        }
        x = feistel(p, x);
    }
    return x;
}
