//! The doubly symmetric binary source (DSBS): X a fair bit, Y = X flipped
//! with probability p. Its IB curve is known in closed form, so it checks
//! the exact solver (tests/exact_ib.rs, tests/estimators.rs, `ibp
//! anchors`).

use super::exact_ib::Joint;

/// The binary entropy h(p) in bits (0 at p = 0 and p = 1).
pub fn binary_entropy_bits(p: f64) -> f64 {
    if p <= 0.0 || p >= 1.0 {
        0.0
    } else {
        -(p * p.log2() + (1.0 - p) * (1.0 - p).log2())
    }
}

/// h^-1(v) on [0, 1/2] for v in [0, 1] bits, by bisection to the last bit.
pub fn binary_entropy_inverse(v: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, 0.5);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if binary_entropy_bits(mid) < v {
            lo = mid
        } else {
            hi = mid
        }
    }
    0.5 * (lo + hi)
}

/// p(x, y) of the DSBS with crossover `p` (rows x, columns y).
pub fn joint(p: f64) -> Joint {
    Joint::from_rows(&[
        vec![0.5 * (1.0 - p), 0.5 * p],
        vec![0.5 * p, 0.5 * (1.0 - p)],
    ])
    .expect("a 2x2 table of non-negative weights")
}

/// The DSBS IB curve in bits: I(T;Y) = 1 - h(p * h^-1(1 - I(X;T))) with
/// a * b = a(1 - b) + b(1 - a), for I(X;T) in [0, 1] (Mrs Gerber's lemma,
/// Wyner & Ziv 1973).
pub fn ib_curve_ity_bits(p: f64, ixt_bits: f64) -> f64 {
    let d = binary_entropy_inverse(1.0 - ixt_bits);
    1.0 - binary_entropy_bits(p * (1.0 - d) + d * (1.0 - p))
}
