//! The 2-D toy datasets, generated from the seed. Labels alternate (point i
//! has class i % 2) except for xor, whose label follows from the point. All
//! points lie within about [-1.3, 1.3]^2, Gaussian tails aside.

use crate::config::DataName;
use crate::fmath::{cos_turns, sin_turns};
use crate::rng::{Key, Stream};
use ndarray::Array2;

/// Inner disc radius and ring radii of `circle`.
const CIRCLE_INNER: f32 = 0.5;
const RING_FROM: f32 = 0.7;
const RING_TO: f32 = 1.0;
/// Gap kept around the axes by `xor`.
const XOR_PAD: f32 = 0.05;
/// Blob centres (+-) and standard deviation of `gaussians`.
const BLOB_CENTRE: f32 = 0.5;
const BLOB_SD: f32 = 0.3;
/// Turns of each `spiral` arm and the jitter on it.
const SPIRAL_TURNS: f32 = 1.75;
const SPIRAL_SD: f32 = 0.02;
/// Jitter of `moons` and the affine map that centres them.
const MOONS_SD: f32 = 0.1;
const MOONS_SHIFT: (f32, f32) = (-0.5, -0.25);
const MOONS_SCALE: f32 = 0.8;

/// `n` points of the named toy, with labels flipped with probability `noise`.
pub fn generate(name: DataName, n: usize, noise: f64, seed: u32) -> (Array2<f32>, Vec<u32>) {
    let data = Key::new(seed, Stream::Data);
    let flips = Key::new(seed, Stream::LabelNoise);
    let mut x = Array2::zeros((n, 2));
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let index = i as u32;
        let (u0, u1) = (data.uniform(index, 0), data.uniform(index, 1));
        let (g0, g1) = (data.normal(index, 2), data.normal(index, 3));
        let class = (i % 2) as u32;
        let (px, py, label) = match name {
            DataName::Circle => {
                let r = if class == 0 {
                    CIRCLE_INNER * u0
                } else {
                    RING_FROM + (RING_TO - RING_FROM) * u0
                };
                // Angles in turns: cos and sin from `fmath`, the same bits everywhere.
                (r * cos_turns(u1), r * sin_turns(u1), class)
            }
            DataName::Xor => {
                let a = 2.0 * u0 - 1.0;
                let b = 2.0 * u1 - 1.0;
                let (a, b) = (a + XOR_PAD * a.signum(), b + XOR_PAD * b.signum());
                (a, b, (a * b > 0.0) as u32)
            }
            DataName::Gaussians => {
                let c = if class == 0 {
                    -BLOB_CENTRE
                } else {
                    BLOB_CENTRE
                };
                (c + BLOB_SD * g0, c + BLOB_SD * g1, class)
            }
            DataName::Spiral => {
                let turns = SPIRAL_TURNS * u0 + 0.5 * class as f32;
                (
                    u0 * cos_turns(turns) + SPIRAL_SD * g0,
                    u0 * sin_turns(turns) + SPIRAL_SD * g1,
                    class,
                )
            }
            DataName::Moons => {
                let t = 0.5 * u0;
                let (mx, my) = if class == 0 {
                    (cos_turns(t), sin_turns(t))
                } else {
                    (1.0 - cos_turns(t), 0.5 - sin_turns(t))
                };
                (
                    MOONS_SCALE * (mx + MOONS_SD * g0 + MOONS_SHIFT.0),
                    MOONS_SCALE * (my + MOONS_SD * g1 + MOONS_SHIFT.1),
                    class,
                )
            }
            other => panic!("{other} is not a 2-D toy dataset"),
        };
        x[[i, 0]] = px;
        x[[i, 1]] = py;
        let flipped = (flips.uniform(index, 0) as f64) < noise;
        y.push(if flipped { 1 - label } else { label });
    }
    (x, y)
}
