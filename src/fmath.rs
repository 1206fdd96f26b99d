//! f32 exp, ln, tanh, log1p and cos/sin of turns written out in plain f32
//! arithmetic, so that the CPU backend computes the same bits natively and
//! in WebAssembly (the platforms' libm differ in the last bit); and f64 exp
//! and ln (`exp_f64`, `ln_f64`) for the information measures, for the same
//! reason. Accurate to a few ulp; Rust never fuses the multiply-adds, so the
//! order below is the order computed everywhere.

const LN2_HI: f32 = 0.693_145_75;
const LN2_LO: f32 = 1.428_606_8e-6;
const LOG2_E: f32 = std::f32::consts::LOG2_E;

/// 2^n as f32 for n in [-126, 127].
#[inline]
fn pow2(n: i32) -> f32 {
    f32::from_bits(((n + 127) as u32) << 23)
}

/// e^x: x = n ln 2 + r with |r| <= ln(2)/2, a degree-7 Taylor polynomial for
/// e^r (the next term is below 6e-9 relative), then scaled by 2^n.
#[inline]
pub fn exp(x: f32) -> f32 {
    if x.is_nan() {
        return x;
    }
    if x > 88.722_83 {
        return f32::INFINITY;
    }
    if x < -103.972_08 {
        return 0.0;
    }
    let n = (x * LOG2_E).round();
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0
                    + r * (1.0 / 24.0
                        + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0)))))));
    let n = n as i32;
    if n < -126 {
        // Two steps keep the subnormal range reachable.
        p * pow2(n + 64) * pow2(-64)
    } else if n > 127 {
        p * pow2(n - 1) * 2.0
    } else {
        p * pow2(n)
    }
}

/// ln x for x > 0 (NaN below 0, -inf at 0): the exponent times ln 2 plus
/// 2 atanh(s) of the mantissa in [sqrt(1/2), sqrt(2)), s = (m-1)/(m+1).
#[inline]
pub fn ln(x: f32) -> f32 {
    if x.is_nan() || x < 0.0 {
        return f32::NAN;
    }
    if x == 0.0 {
        return f32::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    let (x, shift) = if x < f32::MIN_POSITIVE {
        (x * 8_388_608.0, -23)
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    let mut exponent = ((bits >> 23) & 0xFF) as i32 - 127 + shift;
    let mut mantissa = f32::from_bits((bits & 0x007F_FFFF) | 0x3F80_0000);
    if mantissa > std::f32::consts::SQRT_2 {
        mantissa *= 0.5;
        exponent += 1;
    }
    let s = (mantissa - 1.0) / (mantissa + 1.0);
    let s2 = s * s;
    let series =
        s * (2.0 + s2 * (2.0 / 3.0 + s2 * (2.0 / 5.0 + s2 * (2.0 / 7.0 + s2 * (2.0 / 9.0)))));
    let e = exponent as f32;
    e * LN2_HI + (series + e * LN2_LO)
}

/// ln(1 + t) for t >= 0, accurate for small t: 2 atanh(t / (2 + t)) summed
/// for t <= 1 (nine terms), `ln` beyond.
#[inline]
pub fn ln_1p(t: f32) -> f32 {
    if t > 1.0 {
        return ln(1.0 + t);
    }
    let s = t / (2.0 + t);
    let s2 = s * s;
    let mut term = s;
    let mut sum = s;
    let mut n = 3.0f32;
    while n < 19.0 {
        term *= s2;
        sum += term / n;
        n += 2.0;
    }
    2.0 * sum
}

/// tanh x = sign(x) (1 - e^{-2|x|}) / (1 + e^{-2|x|}).
#[inline]
pub fn tanh(x: f32) -> f32 {
    let t = exp(-2.0 * x.abs());
    let v = (1.0 - t) / (1.0 + t);
    if x < 0.0 { -v } else { v }
}

/// cos(2 pi t) for any t: reduced exactly to sin(2 pi y) with
/// y = 1/4 - |t - round(t)| in [-1/4, 1/4], then a Taylor polynomial to x^13
/// (next term below 7e-10). The Box-Muller normals use it too.
#[inline]
pub fn cos_turns(t: f32) -> f32 {
    let w = (t - t.round()).abs();
    let x = std::f32::consts::TAU * (0.25 - w);
    let x2 = x * x;
    x * (1.0
        + x2 * (-1.0 / 6.0
            + x2 * (1.0 / 120.0
                + x2 * (-1.0 / 5040.0
                    + x2 * (1.0 / 362_880.0
                        + x2 * (-1.0 / 39_916_800.0 + x2 * (1.0 / 6_227_020_800.0)))))))
}

/// sin(2 pi t) for any t.
#[inline]
pub fn sin_turns(t: f32) -> f32 {
    cos_turns(t - 0.25)
}

// The high part of ln 2 as fdlibm writes it; the literal rounds to the
// intended double, so its extra digits change no bit.
#[allow(clippy::excessive_precision)]
const LN2_HI_F64: f64 = 6.931_471_803_691_238_2e-1;
const LN2_LO_F64: f64 = 1.908_214_929_270_587_7e-10;

/// 2^n as f64 for n in [-1022, 1023].
#[inline]
fn pow2_f64(n: i64) -> f64 {
    f64::from_bits(((n + 1023) as u64) << 52)
}

/// e^x in f64: x = n ln 2 + r with |r| <= ln(2)/2, a degree-13 Taylor
/// polynomial for e^r (the next term is below 5e-18 relative), scaled by
/// 2^n.
pub fn exp_f64(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.782_712_893_384 {
        return f64::INFINITY;
    }
    if x < -745.133_219_101_941_1 {
        return 0.0;
    }
    let n = (x * std::f64::consts::LOG2_E).round();
    let r = (x - n * LN2_HI_F64) - n * LN2_LO_F64;
    let q = 1.0 + r * taylor_exp_tail(r);
    let n = n as i64;
    if n < -1022 {
        q * pow2_f64(n + 512) * pow2_f64(-512)
    } else if n > 1023 {
        q * pow2_f64(n - 1) * 2.0
    } else {
        q * pow2_f64(n)
    }
}

/// (e^r - 1) / r to degree 12 in r, Horner's rule from the highest term.
#[inline]
fn taylor_exp_tail(r: f64) -> f64 {
    // 1/(k+1)! for k = 0..12: 1, 1/2, 1/6, ..., 1/13!
    const INVERSE_FACTORIALS: [f64; 13] = [
        1.0,
        0.5,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
        1.0 / 6_227_020_800.0,
    ];
    INVERSE_FACTORIALS
        .iter()
        .rev()
        .fold(0.0, |sum, &c| sum * r + c)
}

/// ln x in f64 for x > 0 (NaN below 0, -inf at 0): the exponent times ln 2
/// plus 2 atanh(s) of the mantissa m in [sqrt(1/2), sqrt(2)),
/// s = (m - 1)/(m + 1), |s| <= 0.172, the series to s^25 (the next term is
/// below 2e-18 relative).
pub fn ln_f64(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    let (x, shift) = if x < f64::MIN_POSITIVE {
        (x * 4_503_599_627_370_496.0, -52)
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    let mut exponent = ((bits >> 52) & 0x7FF) as i64 - 1023 + shift;
    let mut mantissa = f64::from_bits((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000);
    if mantissa > std::f64::consts::SQRT_2 {
        mantissa *= 0.5;
        exponent += 1;
    }
    let s = (mantissa - 1.0) / (mantissa + 1.0);
    let s2 = s * s;
    // 2 / (2k + 1) for k = 0..12, Horner's rule from the highest term.
    let series = (0..13)
        .rev()
        .fold(0.0, |sum, k| sum * s2 + 2.0 / (2 * k + 1) as f64);
    let e = exponent as f64;
    e * LN2_HI_F64 + (s * series + e * LN2_LO_F64)
}

/// log2 x in f64 (`ln_f64` / ln 2).
pub fn log2_f64(x: f64) -> f64 {
    ln_f64(x) / std::f64::consts::LN_2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f32, b: f64) -> f64 {
        let b32 = b as f32;
        ((a as f64 - b).abs()) / (b32.abs().max(f32::MIN_POSITIVE) as f64 * f32::EPSILON as f64)
    }

    #[test]
    fn functions_are_accurate_to_a_few_ulp() {
        let key = crate::rng::Key::new(4, crate::rng::Stream::Data);
        for i in 0..200_000u32 {
            let u = key.uniform(i, 0);
            let x = (u - 0.5) * 160.0;
            assert!(
                ulps(exp(x), (x as f64).exp()) < 4.0,
                "exp({x}) = {} vs {}",
                exp(x),
                (x as f64).exp()
            );
            let y = u * 1e3 + 1e-30;
            assert!(
                ulps(ln(y), (y as f64).ln()) < 4.0 || (ln(y) as f64 - (y as f64).ln()).abs() < 1e-6,
                "ln({y})"
            );
            let t = u;
            assert!(ulps(ln_1p(t), (t as f64).ln_1p()) < 4.0, "ln_1p({t})");
            let z = (u - 0.5) * 20.0;
            assert!(
                (tanh(z) as f64 - (z as f64).tanh()).abs() < 3e-7,
                "tanh({z})"
            );
            let w = (u - 0.5) * 7.0;
            assert!(
                (cos_turns(w) as f64 - (std::f64::consts::TAU * w as f64).cos()).abs() < 1e-6,
                "cos({w})"
            );
            assert!(
                (sin_turns(w) as f64 - (std::f64::consts::TAU * w as f64).sin()).abs() < 1e-6,
                "sin({w})"
            );
        }
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(exp(-200.0), 0.0);
        assert!(exp(100.0).is_infinite() && ln(0.0) == f32::NEG_INFINITY && ln(-1.0).is_nan());
        assert!(ulps(exp(-90.0), (-90f64).exp()) < 8.0, "subnormal exp");
    }

    /// Distance in f64 ulps.
    fn ulps_f64(a: f64, b: f64) -> f64 {
        (a - b).abs() / (b.abs().max(f64::MIN_POSITIVE) * f64::EPSILON)
    }

    #[test]
    fn f64_functions_are_accurate_to_a_few_ulp() {
        let key = crate::rng::Key::new(5, crate::rng::Stream::Data);
        for i in 0..200_000u32 {
            let (u, v) = (key.uniform(i, 0) as f64, key.uniform(i, 1) as f64);
            let x = (u - 0.5) * 1400.0 + v * 1e-3;
            let want = x.exp();
            if want.is_normal() {
                assert!(
                    ulps_f64(exp_f64(x), want) < 4.0,
                    "exp({x}) = {} vs {want}",
                    exp_f64(x)
                );
            }
            // Magnitudes from 1e-300 to 1e300, and probabilities near 1.
            let y = 10f64.powf((u - 0.5) * 600.0) * (1.0 + v);
            assert!(
                ulps_f64(ln_f64(y), y.ln()) < 4.0 || (ln_f64(y) - y.ln()).abs() < 1e-15,
                "ln({y})"
            );
            let p = 1.0 - v * 1e-6;
            assert!((ln_f64(p) - p.ln()).abs() <= 4.0 * f64::EPSILON, "ln({p})");
        }
        assert_eq!((exp_f64(0.0), ln_f64(1.0)), (1.0, 0.0));
        assert_eq!(log2_f64(1024.0), 10.0);
        assert!(exp_f64(710.0).is_infinite() && exp_f64(-746.0) == 0.0);
        assert!(ln_f64(0.0) == f64::NEG_INFINITY && ln_f64(-1.0).is_nan());
        assert!(
            ulps_f64(exp_f64(-740.0), (-740f64).exp()) < 4.0,
            "subnormal exp"
        );
        assert!(
            ulps_f64(ln_f64(5e-324), (5e-324f64).ln()) < 4.0,
            "subnormal ln"
        );
    }
}
