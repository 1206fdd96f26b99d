//! Polyak averaging of the weights (the evaluation weights of Alemi et al.):
//! after each Adam update, s <- s + w (p - s), with the weight
//! w = (1 - d) / (1 - d^t) of `Experiment::ema_weight` (1 at the first
//! update, so the average starts at the trained weights, not at zero).
//! GPU twin: the EMA branch of `shaders/adam.wgsl`.

use crate::model::{Params, Real};
use ndarray::Zip;

/// Moves `shadow` toward `params` by `weight`.
pub fn update<F: Real>(shadow: &mut Params<F>, params: &Params<F>, weight: F) {
    for (s, p) in shadow.layers_mut().into_iter().zip(params.layers()) {
        Zip::from(&mut s.w)
            .and(&p.w)
            .for_each(|s, &p| *s += weight * (p - *s));
        Zip::from(&mut s.b)
            .and(&p.b)
            .for_each(|s, &p| *s += weight * (p - *s));
    }
}
