//! The exact information bottleneck of a discrete joint p(x, y) (Tishby,
//! Pereira & Bialek 1999): minimise I(X;T) - beta I(T;Y) over encoders
//! p(t|x) by the self-consistent equations
//!   p(t|x) ∝ p(t) exp(-beta KL[p(y|x) || p(y|t)])
//!   p(t) = sum_x p(x) p(t|x),   p(y|t) = sum_x p(y|x) p(t|x) p(x) / p(t),
//! iterated to a fixed point. Only local optima are guaranteed, so every beta
//! of the grid is solved from several starts (annealed down from the
//! identity encoder, annealed up from random encoders, and fresh random
//! encoders) and the best Lagrangian is kept; the curve is the upper concave
//! hull of the solutions (`curve.rs`, re-exported here). Standard beta (not
//! scaled by ln 2); bits out.
//!
//! The generalised form (Strouse & Schwab 2017) takes `alpha`:
//! p(t|x) ∝ exp((log p(t) - beta KL) / alpha); alpha = 1 is the IB above and
//! alpha = 0 the deterministic IB (hard assignments; its cost is H(T)).

// Index loops over (x, t, y) mirror the formulas; iterators would hide them.
#![allow(clippy::needless_range_loop)]

use crate::error::Error;
use crate::rng::Key;

/// Largest table `ib-curve` accepts (the solver costs |X|^2 |Y| per iteration).
pub const MAX_OUTCOMES: usize = 256;
const LN2: f64 = std::f64::consts::LN_2;

/// A normalised joint distribution p(x, y), row-major (x rows, y columns).
#[derive(Clone, Debug, PartialEq)]
pub struct Joint {
    pub nx: usize,
    pub ny: usize,
    pub p: Vec<f64>,
}

impl Joint {
    /// From non-negative weights (normalised here); rows are x, columns y.
    /// Errors name the row and column (1-based, as in a spreadsheet).
    pub fn from_rows(rows: &[Vec<f64>]) -> Result<Joint, Error> {
        let nx = rows.len();
        if nx == 0 {
            return Err(Error::data("the table has no rows"));
        }
        let ny = rows[0].len();
        if ny == 0 {
            return Err(Error::data("row 1 is empty"));
        }
        if nx > MAX_OUTCOMES || ny > MAX_OUTCOMES {
            return Err(Error::data(format!(
                "{nx} x {ny} outcomes (allowed: at most {MAX_OUTCOMES} x {MAX_OUTCOMES})"
            )));
        }
        let mut p = Vec::with_capacity(nx * ny);
        for (i, row) in rows.iter().enumerate() {
            if row.len() != ny {
                return Err(Error::data(format!(
                    "row {} has {} columns, expected {ny}",
                    i + 1,
                    row.len()
                )));
            }
            for (j, &v) in row.iter().enumerate() {
                if !v.is_finite() || v < 0.0 {
                    return Err(Error::data(format!(
                        "row {}, column {}: {v} is not a non-negative number",
                        i + 1,
                        j + 1
                    )));
                }
            }
            if row.iter().all(|&v| v == 0.0) {
                return Err(Error::data(format!(
                    "row {} is all zeros (every x needs p(x) > 0)",
                    i + 1
                )));
            }
            p.extend(row);
        }
        // Scale by the largest weight first, so that huge weights (1e308)
        // cannot overflow the sum.
        let largest = p.iter().copied().fold(0.0, f64::max);
        p.iter_mut().for_each(|v| *v /= largest);
        let total: f64 = p.iter().sum();
        p.iter_mut().for_each(|v| *v /= total);
        Ok(Joint { nx, ny, p })
    }

    pub fn px(&self) -> Vec<f64> {
        (0..self.nx)
            .map(|x| self.p[x * self.ny..(x + 1) * self.ny].iter().sum())
            .collect()
    }

    pub fn py(&self) -> Vec<f64> {
        (0..self.ny)
            .map(|y| (0..self.nx).map(|x| self.p[x * self.ny + y]).sum())
            .collect()
    }

    /// H(X) in bits.
    pub fn hx_bits(&self) -> f64 {
        entropy_bits(&self.px())
    }

    /// I(X;Y) in bits.
    pub fn ixy_bits(&self) -> f64 {
        let (px, py) = (self.px(), self.py());
        let mut total = 0.0;
        for x in 0..self.nx {
            for y in 0..self.ny {
                let v = self.p[x * self.ny + y];
                if v > 0.0 {
                    total += v * (v / (px[x] * py[y])).ln();
                }
            }
        }
        total / LN2
    }
}

/// Shannon entropy in bits of a distribution.
pub fn entropy_bits(p: &[f64]) -> f64 {
    -p.iter()
        .filter(|&&v| v > 0.0)
        .map(|&v| v * v.ln())
        .sum::<f64>()
        / LN2
}

/// Solver settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// The betas to solve, ascending.
    pub betas: Vec<f64>,
    /// 1 for the IB, 0 for the deterministic IB.
    pub alpha: f64,
    /// Fresh random starts per beta (besides the two annealing passes).
    pub restarts: usize,
    pub max_iterations: usize,
    /// Stop when no p(t|x) moves by more than this.
    pub tolerance: f64,
    pub seed: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            betas: log_grid(0.1, 1000.0, 121),
            alpha: 1.0,
            restarts: 3,
            max_iterations: 10_000,
            tolerance: 1e-12,
            seed: 1,
        }
    }
}

/// `n` log-spaced values from `lo` to `hi`.
pub fn log_grid(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| (lo.ln() + (hi.ln() - lo.ln()) * i as f64 / (n - 1).max(1) as f64).exp())
        .collect()
}

/// A fixed point: the encoder and where it sits on the information plane.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    pub beta: f64,
    pub ixt_bits: f64,
    pub ity_bits: f64,
    /// p(t|x), (nx, nt) row-major.
    pub encoder: Vec<f64>,
    /// The minimised cost: I(X;T) - beta I(T;Y) (alpha = 1) or
    /// H(T) - beta I(T;Y) (alpha = 0), in bits.
    pub cost: f64,
}

struct Stats {
    pt: Vec<f64>,
    /// p(y|t), (nt, ny).
    pyt: Vec<f64>,
}

fn stats(joint: &Joint, px: &[f64], q: &[f64], nt: usize) -> Stats {
    let ny = joint.ny;
    let mut pt = vec![0.0; nt];
    let mut pyt = vec![0.0; nt * ny];
    for x in 0..joint.nx {
        for t in 0..nt {
            let w = q[x * nt + t];
            if w == 0.0 {
                continue;
            }
            pt[t] += px[x] * w;
            for y in 0..ny {
                pyt[t * ny + y] += joint.p[x * ny + y] * w;
            }
        }
    }
    for t in 0..nt {
        if pt[t] > 0.0 {
            pyt[t * ny..(t + 1) * ny]
                .iter_mut()
                .for_each(|v| *v /= pt[t]);
        }
    }
    Stats { pt, pyt }
}

/// I(X;T), I(T;Y) and H(T) in bits of an encoder.
pub(super) fn measure(
    joint: &Joint,
    px: &[f64],
    py: &[f64],
    q: &[f64],
    nt: usize,
) -> (f64, f64, f64) {
    let s = stats(joint, px, q, nt);
    let mut ixt = 0.0;
    for x in 0..joint.nx {
        for t in 0..nt {
            let w = q[x * nt + t];
            if w > 0.0 && s.pt[t] > 0.0 {
                ixt += px[x] * w * (w / s.pt[t]).ln();
            }
        }
    }
    let mut ity = 0.0;
    for t in 0..nt {
        for y in 0..joint.ny {
            let v = s.pyt[t * joint.ny + y];
            if v > 0.0 && s.pt[t] > 0.0 {
                ity += s.pt[t] * v * (v / py[y]).ln();
            }
        }
    }
    (ixt.max(0.0) / LN2, ity.max(0.0) / LN2, entropy_bits(&s.pt))
}

/// Iterates the self-consistent equations from `start` at one beta.
pub fn solve(joint: &Joint, beta: f64, start: Vec<f64>, options: &Options) -> Solution {
    let (nx, ny) = (joint.nx, joint.ny);
    let nt = start.len() / nx;
    let (px, py) = (joint.px(), joint.py());
    let mut q = start;
    let mut logits = vec![0.0; nt];
    for _ in 0..options.max_iterations {
        let s = stats(joint, &px, &q, nt);
        let mut moved = 0f64;
        for x in 0..nx {
            for t in 0..nt {
                if s.pt[t] <= 0.0 {
                    logits[t] = f64::NEG_INFINITY;
                    continue;
                }
                let mut kl = 0.0;
                for y in 0..ny {
                    let a = joint.p[x * ny + y] / px[x];
                    if a > 0.0 {
                        kl += a * (a / s.pyt[t * ny + y].max(1e-300)).ln();
                    }
                }
                logits[t] = s.pt[t].ln() - beta * kl;
            }
            let best = (0..nt)
                .max_by(|&a, &b| logits[a].total_cmp(&logits[b]))
                .unwrap_or(0);
            let row = &mut q[x * nt..(x + 1) * nt];
            if options.alpha == 0.0 {
                for (t, v) in row.iter_mut().enumerate() {
                    let new = (t == best) as u8 as f64;
                    moved = moved.max((new - *v).abs());
                    *v = new;
                }
            } else {
                let top = logits[best];
                let weights: Vec<f64> = logits
                    .iter()
                    .map(|&l| ((l - top) / options.alpha).exp())
                    .collect();
                let total: f64 = weights.iter().sum();
                for (v, w) in row.iter_mut().zip(weights) {
                    let new = w / total;
                    moved = moved.max((new - *v).abs());
                    *v = new;
                }
            }
        }
        if moved < options.tolerance {
            break;
        }
    }
    let (ixt, ity, ht) = measure(joint, &px, &py, &q, nt);
    let cost = if options.alpha == 0.0 {
        ht - beta * ity
    } else {
        ixt - beta * ity
    };
    Solution {
        beta,
        ixt_bits: ixt,
        ity_bits: ity,
        encoder: q,
        cost,
    }
}

/// A random encoder, each row a random point of the simplex.
pub(super) fn random_encoder(nx: usize, nt: usize, key: Key, draw: u32) -> Vec<f64> {
    let mut q: Vec<f64> = (0..nx * nt)
        .map(|i| key.uniform(i as u32, draw) as f64 + 1e-3)
        .collect();
    for row in q.chunks_mut(nt) {
        let total: f64 = row.iter().sum();
        row.iter_mut().for_each(|v| *v /= total);
    }
    q
}

/// Mixes a little noise into an encoder so merged clusters can separate.
pub(super) fn perturb(q: &[f64], nt: usize, key: Key, draw: u32, amount: f64) -> Vec<f64> {
    let noise = random_encoder(q.len() / nt, nt, key, draw);
    q.iter()
        .zip(noise)
        .map(|(a, b)| (1.0 - amount) * a + amount * b)
        .collect()
}

/// The identity encoder (T = X), which attains (H(X), I(X;Y)).
pub fn identity_encoder(nx: usize) -> Vec<f64> {
    (0..nx * nx)
        .map(|i| (i / nx == i % nx) as u8 as f64)
        .collect()
}

pub use super::curve::{Curve, CurveJson, Point, curve, upper_hull};
pub use super::tables::{MAX_PXY_BYTES, parse_pxy};
