//! Adam (Kingma & Ba) with bias correction, over every parameter tensor.

use crate::model::{Params, Real, real};

pub use crate::state::{ADAM_EPSILON, Adam};

/// Hyper-parameters of one update.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamStep {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
}

impl<F: Real> Adam<F> {
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
        let rule = Rule {
            b1,
            b2,
            one_b1,
            one_b2,
            correction1,
            correction2,
            lr,
            eps,
        };
        let layers = params.layers_mut().into_iter().zip(grads.layers());
        let moments = self.m.layers_mut().into_iter().zip(self.v.layers_mut());
        for ((p, g), (m, v)) in layers.zip(moments) {
            for (p, g, m, v) in [
                (
                    p.w.as_slice_mut(),
                    g.w.as_slice(),
                    m.w.as_slice_mut(),
                    v.w.as_slice_mut(),
                ),
                (
                    p.b.as_slice_mut(),
                    g.b.as_slice(),
                    m.b.as_slice_mut(),
                    v.b.as_slice_mut(),
                ),
            ] {
                let contiguous = "parameters, gradients and moments are contiguous";
                rule.apply(
                    p.expect(contiguous),
                    g.expect(contiguous),
                    m.expect(contiguous),
                    v.expect(contiguous),
                );
            }
        }
    }
}

/// One Adam update, the same arithmetic for every element.
#[derive(Clone, Copy)]
struct Rule<F> {
    b1: F,
    b2: F,
    one_b1: F,
    one_b2: F,
    correction1: F,
    correction2: F,
    lr: F,
    eps: F,
}

impl<F: Real> Rule<F> {
    #[inline(always)]
    fn element(&self, p: &mut F, g: F, m: &mut F, v: &mut F) {
        *m = self.b1 * *m + self.one_b1 * g;
        *v = self.b2 * *v + self.one_b2 * g * g;
        *p -= self.lr * (*m / self.correction1) / ((*v / self.correction2).sqrt() + self.eps);
    }

    /// Updates slices of parameters and moments in place. Each element's
    /// arithmetic is the scalar rule's (sqrt and division are exact in
    /// every lane), so AVX2 and any split among threads keep the bits.
    fn apply(&self, p: &mut [F], g: &[F], m: &mut [F], v: &mut [F]) {
        const CHUNK: usize = 1 << 16;
        let parts = if p.len() >= 4 * CHUNK {
            super::parallel::threads()
        } else {
            1
        };
        let per = p.len().div_ceil(parts.max(1));
        if parts <= 1 || per == 0 {
            return self.run(p, g, m, v);
        }
        std::thread::scope(|scope| {
            let chunks = p
                .chunks_mut(per)
                .zip(g.chunks(per))
                .zip(m.chunks_mut(per).zip(v.chunks_mut(per)));
            for ((p, g), (m, v)) in chunks {
                scope.spawn(move || self.run(p, g, m, v));
            }
        });
    }

    fn run(&self, p: &mut [F], g: &[F], m: &mut [F], v: &mut [F]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above).
            return unsafe { self.run_avx2(p, g, m, v) };
        }
        self.run_portable(p, g, m, v);
    }

    #[inline(always)]
    fn run_portable(&self, p: &mut [F], g: &[F], m: &mut [F], v: &mut [F]) {
        for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
            self.element(p, g, m, v);
        }
    }

    /// `run_portable` compiled for AVX2 (8 lanes; multiplies and adds, never FMA).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn run_avx2(&self, p: &mut [F], g: &[F], m: &mut [F], v: &mut [F]) {
        self.run_portable(p, g, m, v);
    }
}
