//! Adam (Kingma & Ba) with bias correction, over every parameter tensor.

use crate::model::{Params, Real, Shape, real};
use ndarray::Zip;

/// The epsilon added to sqrt(v_hat).
pub const ADAM_EPSILON: f64 = 1e-8;

/// Hyper-parameters of one update.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamStep {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
}

/// First and second moments and the update count.
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<F> {
    pub m: Params<F>,
    pub v: Params<F>,
    pub t: u32,
}

impl<F: Real> Adam<F> {
    pub fn new(shape: &Shape) -> Self {
        Adam {
            m: Params::zeros(shape),
            v: Params::zeros(shape),
            t: 0,
        }
    }

    /// One update: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
    /// p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
    pub fn update(&mut self, params: &mut Params<F>, grads: &Params<F>, step: AdamStep) {
        self.t += 1;
        let t = self.t as i32;
        let (b1, b2) = (real::<F>(step.beta1), real::<F>(step.beta2));
        let correction1 = real::<F>(1.0 - step.beta1.powi(t));
        let correction2 = real::<F>(1.0 - step.beta2.powi(t));
        let (lr, eps) = (real::<F>(step.lr), real::<F>(ADAM_EPSILON));
        let (one_b1, one_b2) = (F::one() - b1, F::one() - b2);
        let update = |p: &mut F, &g: &F, m: &mut F, v: &mut F| {
            *m = b1 * *m + one_b1 * g;
            *v = b2 * *v + one_b2 * g * g;
            *p -= lr * (*m / correction1) / ((*v / correction2).sqrt() + eps);
        };
        let layers = params.layers_mut().into_iter().zip(grads.layers());
        let moments = self.m.layers_mut().into_iter().zip(self.v.layers_mut());
        for ((p, g), (m, v)) in layers.zip(moments) {
            Zip::from(&mut p.w)
                .and(&g.w)
                .and(&mut m.w)
                .and(&mut v.w)
                .for_each(update);
            Zip::from(&mut p.b)
                .and(&g.b)
                .and(&mut m.b)
                .and(&mut v.b)
                .for_each(update);
        }
    }
}
