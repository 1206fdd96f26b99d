//! The exact information bottleneck's curve: every beta of the grid solved
//! from several starts (annealed down from the identity encoder, annealed
//! up from a random encoder, fresh random starts), the best Lagrangian kept,
//! and the upper concave hull of the solutions from (0, 0) to
//! (H(X), I(X;Y)); with its JSON form for the CLI and the page. The solver
//! and the measures are in `exact_ib.rs`, which re-exports these items.

use super::exact_ib::{
    Joint, Options, Solution, identity_encoder, measure, perturb, random_encoder, solve,
};
use crate::rng::{Key, Stream};

/// The curve: the best solution found at every beta, and their hull.
#[derive(Clone, Debug)]
pub struct Curve {
    pub hx_bits: f64,
    pub ixy_bits: f64,
    /// Best solution per beta, in the order of `Options::betas`.
    pub solutions: Vec<Solution>,
    /// Upper concave hull of the solutions, from (0, 0) to (H(X), I(X;Y)),
    /// increasing in both coordinates.
    pub hull: Vec<Solution>,
}

/// Solves every beta of the grid with annealing and restarts.
pub fn curve(joint: &Joint, options: &Options) -> Curve {
    let nx = joint.nx;
    let nt = nx;
    let key = Key::new(options.seed, Stream::Init);
    let n = options.betas.len();
    let mut best: Vec<Option<Solution>> = vec![None; n];
    let mut keep = |i: usize, s: Solution| {
        if best[i].as_ref().is_none_or(|b| s.cost < b.cost - 1e-12) {
            best[i] = Some(s);
        }
    };
    // Annealed down from the identity encoder.
    let mut q = perturb(&identity_encoder(nx), nt, key, 1, 1e-6);
    for i in (0..n).rev() {
        let s = solve(joint, options.betas[i], q, options);
        q = perturb(&s.encoder, nt, key, 2 + i as u32, 1e-3);
        keep(i, s);
    }
    // Annealed up from a random encoder.
    let mut q = random_encoder(nx, nt, key, 10_000);
    for i in 0..n {
        let s = solve(joint, options.betas[i], q, options);
        q = perturb(&s.encoder, nt, key, 20_000 + i as u32, 1e-3);
        keep(i, s);
    }
    // Fresh random starts.
    for r in 0..options.restarts {
        for i in 0..n {
            let start = random_encoder(nx, nt, key, 30_000 + (r * n + i) as u32);
            keep(i, solve(joint, options.betas[i], start, options));
        }
    }
    let solutions: Vec<Solution> = best
        .into_iter()
        .map(|s| s.expect("every beta solved"))
        .collect();
    let mut candidates = solutions.clone();
    let top_beta = options.betas.last().copied().unwrap_or(1.0);
    let (px, py) = (joint.px(), joint.py());
    let identity = identity_encoder(nx);
    let (ixt, ity, _) = measure(joint, &px, &py, &identity, nx);
    // The identity encoder attains the curve's end, (H(X), I(X;Y)): the
    // limit beta -> infinity, which no beta of the grid produced.
    candidates.push(Solution {
        beta: f64::INFINITY,
        ixt_bits: ixt,
        ity_bits: ity,
        encoder: identity,
        cost: ixt - top_beta * ity,
    });
    Curve {
        hx_bits: joint.hx_bits(),
        ixy_bits: joint.ixy_bits(),
        hull: upper_hull(candidates),
        solutions,
    }
}

/// The upper concave hull through (0, 0), increasing, ending at the highest
/// I(T;Y) (at the least I(X;T) that reaches it).
pub fn upper_hull(mut points: Vec<Solution>) -> Vec<Solution> {
    // Trivial solutions (T independent of X) are the origin itself.
    points.retain(|p| p.ixt_bits > 1e-12);
    points.push(Solution {
        beta: 0.0,
        ixt_bits: 0.0,
        ity_bits: 0.0,
        encoder: Vec::new(),
        cost: 0.0,
    });
    points.sort_by(|a, b| {
        a.ixt_bits
            .total_cmp(&b.ixt_bits)
            .then(b.ity_bits.total_cmp(&a.ity_bits))
    });
    let mut hull: Vec<Solution> = Vec::new();
    for p in points {
        if hull
            .last()
            .is_some_and(|last| p.ity_bits <= last.ity_bits + 1e-12)
        {
            continue;
        }
        while hull.len() >= 2 {
            let (a, b) = (&hull[hull.len() - 2], &hull[hull.len() - 1]);
            let cross = (b.ixt_bits - a.ixt_bits) * (p.ity_bits - a.ity_bits)
                - (b.ity_bits - a.ity_bits) * (p.ixt_bits - a.ixt_bits);
            if cross >= 0.0 {
                hull.pop();
            } else {
                break;
            }
        }
        hull.push(p);
    }
    hull
}

/// One point of the curve as the CLI prints it and the page draws it:
/// `beta` is the beta whose solution it is, null for the closing point
/// (H(X), I(X;Y)), the limit beta -> infinity.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Point {
    pub beta: Option<f64>,
    pub ixt_bits: f64,
    pub ity_bits: f64,
}

/// The curve as JSON: `{ixy_bits, hx_bits, alpha, beta_convention, points}`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CurveJson {
    pub ixy_bits: f64,
    pub hx_bits: f64,
    pub alpha: f64,
    pub beta_convention: &'static str,
    pub points: Vec<Point>,
}

impl Curve {
    /// The hull's points and the table's entropies, for output.
    pub fn to_json(&self, alpha: f64) -> CurveJson {
        CurveJson {
            ixy_bits: self.ixy_bits,
            hx_bits: self.hx_bits,
            alpha,
            beta_convention: "standard: minimise I(X;T) - beta I(T;Y) (not scaled by ln 2)",
            points: self
                .hull
                .iter()
                .map(|s| Point {
                    beta: s.beta.is_finite().then_some(s.beta),
                    ixt_bits: s.ixt_bits,
                    ity_bits: s.ity_bits,
                })
                .collect(),
        }
    }
}
