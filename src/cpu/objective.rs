//! The objective on a batch: forward, loss parts and the full backward pass,
//! written out by hand (no autodiff). Generic over f32 (training) and f64
//! (gradient checks).

use super::layers::{self, StackCache};
use crate::config::Objective;
use crate::data::Likelihood;
use crate::model::{Model, Params, Real, kl_term, real, sigma_of_rho, sigmoid, softplus};
use ndarray::{Array2, Axis, Zip, concatenate, s};

/// 0.5 * ln(2 pi): the constant of a unit-variance Gaussian log-likelihood.
const HALF_LN_TAU: f64 = 0.918_938_533_204_672_8;

/// Batch means of the loss, in nats.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LossParts<F> {
    /// data term + beta * KL (`sqib`: data term + beta * KL^2).
    pub total: F,
    /// Cross-entropy (`vib`) or reconstruction negative log-likelihood (`vae`).
    pub data: F,
    /// KL(p(z|x) || N(0, I)).
    pub kl: F,
    /// Examples whose logits' argmax is the label (`vib`, `sqib`).
    pub correct: usize,
}

/// The objective's total from its parts: data + beta KL, or data + beta KL^2
/// for `sqib`.
pub fn total<F: Real>(objective: Objective, data: F, kl: F, beta: F) -> F {
    match objective {
        Objective::Sqib => data + beta * kl * kl,
        Objective::Vib | Objective::Vae => data + beta * kl,
    }
}

/// Rows of `out` whose argmax is the label (first maximum on ties).
fn count_correct<F: Real>(model: &Model, out: &Array2<F>, labels: &[u32]) -> usize {
    if !model.objective.predicts_label() {
        return 0;
    }
    out.rows()
        .into_iter()
        .zip(labels)
        .filter(|(row, y)| {
            let mut best = 0;
            for (c, &v) in row.iter().enumerate() {
                if v > row[best] {
                    best = c;
                }
            }
            best == **y as usize
        })
        .count()
}

/// The encoder's outputs for a batch.
#[derive(Clone, Debug)]
pub struct Encoded<F> {
    pub mu: Array2<F>,
    pub rho: Array2<F>,
    pub sigma: Array2<F>,
    pub cache: StackCache<F>,
}

/// Runs the encoder: mean, raw scale and sigma = softplus(rho - 5).
pub fn encode<F: Real>(params: &Params<F>, model: &Model, x: Array2<F>) -> Encoded<F> {
    let (out, cache) = layers::forward_quantized(&params.encoder, model.activation, model.quant, x);
    let k = model.shape.latent;
    let mu = out.slice(s![.., ..k]).to_owned();
    let rho = out.slice(s![.., k..]).to_owned();
    let sigma = rho.mapv(sigma_of_rho);
    Encoded {
        mu,
        rho,
        sigma,
        cache,
    }
}

/// z = mu + sigma * eps.
pub fn reparameterize<F: Real>(enc: &Encoded<F>, eps: &Array2<F>) -> Array2<F> {
    let mut z = enc.mu.clone();
    Zip::from(&mut z)
        .and(&enc.sigma)
        .and(eps)
        .for_each(|z, &s, &e| *z += s * e);
    z
}

/// The noisy codes of a batch with S samples per example: `eps` holds
/// (batch * S) rows, sample s of example i in row i * S + s, and
/// z = mu_i + sigma_i * eps_row. With S = 1, `reparameterize` exactly.
pub fn sampled_code<F: Real>(enc: &Encoded<F>, eps: &Array2<F>) -> Array2<F> {
    let samples = samples_per_example(enc.mu.nrows(), eps);
    if samples == 1 {
        return reparameterize(enc, eps);
    }
    Array2::from_shape_fn(eps.raw_dim(), |(j, d)| {
        let i = j / samples;
        enc.mu[[i, d]] + enc.sigma[[i, d]] * eps[[j, d]]
    })
}

/// S, the rows of `eps` per example of a batch of `batch`.
fn samples_per_example<F: Real>(batch: usize, eps: &Array2<F>) -> usize {
    let samples = eps.nrows() / batch.max(1);
    assert_eq!(
        samples * batch,
        eps.nrows(),
        "eps: whole samples per example"
    );
    samples.max(1)
}

/// Each run of `times` consecutive rows summed in order (the first row,
/// then the others added): (rows / times) rows.
fn sum_row_runs<F: Real>(a: Array2<F>, times: usize) -> Array2<F> {
    if times == 1 {
        return a;
    }
    let mut out = a.slice(s![..;times, ..]).to_owned();
    for (i, mut row) in out.rows_mut().into_iter().enumerate() {
        for t in 1..times {
            row += &a.row(i * times + t);
        }
    }
    out
}

/// Row i of `labels`, and of `x` where the data term reads it (`vae`),
/// repeated `times` times, for S samples per example (borrowed as they are
/// for S = 1; `vib` and `sqib` never read `x` there, so it is not copied).
fn per_sample<'a, F: Real>(
    model: &Model,
    x: &'a Array2<F>,
    labels: &'a [u32],
    times: usize,
) -> (std::borrow::Cow<'a, Array2<F>>, std::borrow::Cow<'a, [u32]>) {
    use std::borrow::Cow;
    if times == 1 {
        return (Cow::Borrowed(x), Cow::Borrowed(labels));
    }
    let rows: Vec<usize> = (0..x.nrows() * times).map(|j| j / times).collect();
    let labels = rows.iter().map(|&i| labels[i]).collect::<Vec<_>>();
    let x = match model.objective {
        Objective::Vae => Cow::Owned(x.select(Axis(0), &rows)),
        Objective::Vib | Objective::Sqib => Cow::Borrowed(x),
    };
    (x, Cow::Owned(labels))
}

/// KL of each example (row), in nats.
pub fn kl_per_example<F: Real>(enc: &Encoded<F>) -> Vec<F> {
    Zip::from(enc.mu.rows())
        .and(enc.sigma.rows())
        .map_collect(|mu, sigma| {
            mu.iter()
                .zip(sigma)
                .map(|(&m, &s)| kl_term(m, s))
                .fold(F::zero(), |a, b| a + b)
        })
        .to_vec()
}

/// Data term of each example, in nats, and optionally its gradient w.r.t. the
/// decoder output (per example, not divided by the batch size).
pub fn data_term<F: Real>(
    model: &Model,
    out: &Array2<F>,
    x: &Array2<F>,
    labels: &[u32],
    want_grad: bool,
) -> (Vec<F>, Option<Array2<F>>) {
    let mut grad = want_grad.then(|| Array2::zeros(out.raw_dim()));
    let mut losses = Vec::with_capacity(out.nrows());
    for (i, row) in out.rows().into_iter().enumerate() {
        let loss = match model.objective {
            Objective::Vib | Objective::Sqib => {
                let max = row.fold(F::neg_infinity(), |m, &v| m.max(v));
                let sum_exp: F = row.iter().map(|&v| (v - max).det_exp()).sum();
                let label = labels[i] as usize;
                if let Some(g) = grad.as_mut() {
                    for (c, &v) in row.iter().enumerate() {
                        g[[i, c]] = (v - max).det_exp() / sum_exp
                            - if c == label { F::one() } else { F::zero() };
                    }
                }
                max + sum_exp.det_ln() - row[label]
            }
            Objective::Vae => {
                let target = x.row(i);
                let mut loss = F::zero();
                for (d, (&o, &t)) in row.iter().zip(target).enumerate() {
                    let (term, slope) = match model.likelihood {
                        Likelihood::Bernoulli => (softplus(o) - t * o, sigmoid(o) - t),
                        Likelihood::Gaussian => {
                            let diff = o - t;
                            (real::<F>(0.5) * diff * diff + real(HALF_LN_TAU), diff)
                        }
                    };
                    loss += term;
                    if let Some(g) = grad.as_mut() {
                        g[[i, d]] = slope;
                    }
                }
                loss
            }
        };
        losses.push(loss);
    }
    (losses, grad)
}

fn mean<F: Real>(v: &[F]) -> F {
    v.iter().copied().sum::<F>() / real(v.len() as f64)
}

/// Loss of a batch with fixed noise `eps` ((B * S) x K: S samples per
/// example, whose data terms are averaged; `correct` counts the B * S rows).
pub fn loss<F: Real>(
    params: &Params<F>,
    model: &Model,
    x: &Array2<F>,
    labels: &[u32],
    eps: &Array2<F>,
    beta: F,
) -> LossParts<F> {
    let enc = encode(params, model, x.clone());
    let z = sampled_code(&enc, eps);
    let (x, labels) = per_sample(model, x, labels, samples_per_example(x.nrows(), eps));
    let (out, _) = layers::forward(&params.decoder, model.activation, z);
    let (data, _) = data_term(model, &out, &x, &labels, false);
    let (data, kl) = (mean(&data), mean(&kl_per_example(&enc)));
    LossParts {
        total: total(model.objective, data, kl, beta),
        data,
        kl,
        correct: count_correct(model, &out, &labels),
    }
}

/// Loss of a batch and the gradient of its total w.r.t. every parameter;
/// `eps` as in `loss`.
pub fn loss_and_grads<F: Real>(
    params: &Params<F>,
    model: &Model,
    x: &Array2<F>,
    labels: &[u32],
    eps: &Array2<F>,
    beta: F,
) -> (LossParts<F>, Params<F>) {
    // Every layer's gradient is assigned whole by the backward passes.
    let mut grads = Params::placeholder(&model.shape);
    let batch = x.nrows();
    let inv_batch = F::one() / real(batch as f64);

    let samples = samples_per_example(batch, eps);
    let enc = encode(params, model, x.clone());
    let z = sampled_code(&enc, eps);
    let (out, dec_cache) = layers::forward(&params.decoder, model.activation, z);
    let (x_rows, row_labels) = per_sample(model, x, labels, samples);
    let (data, d_out) = data_term(model, &out, &x_rows, &row_labels, true);
    let kl = kl_per_example(&enc);
    let parts = {
        let (data, kl) = (mean(&data), mean(&kl));
        LossParts {
            total: total(model.objective, data, kl, beta),
            data,
            kl,
            correct: count_correct(model, &out, &row_labels),
        }
    };

    // The data term is the mean over all B * S rows.
    let inv_rows = F::one() / real((batch * samples) as f64);
    let d_out = d_out.expect("gradient requested") * inv_rows;
    let dz = layers::backward(
        &params.decoder,
        model.activation,
        &dec_cache,
        d_out,
        &mut grads.decoder,
        true,
    )
    .expect("decoder input gradient");

    // For sqib, d(beta KL^2) = 2 beta KL dKL: the KL's gradient with beta
    // replaced by 2 beta KL (KL the batch mean).
    let effective_beta = match model.objective {
        Objective::Sqib => real::<F>(2.0) * beta * parts.kl,
        Objective::Vib | Objective::Vae => beta,
    };
    let d_enc = encoder_output_grad(&enc, eps, dz, effective_beta * inv_batch);
    layers::backward_quantized(
        &params.encoder,
        model.activation,
        model.quant,
        &enc.cache,
        d_enc,
        &mut grads.encoder,
        false,
    );
    // A per-feature bottleneck's encoder is block-diagonal: weights across
    // features do not exist, so they get no gradient (and stay at 0).
    if model.shape.features.is_some() {
        for (l, layer) in grads.encoder.iter_mut().enumerate() {
            for ((r, c), g) in layer.w.indexed_iter_mut() {
                if !model.shape.allowed(l, r, c) {
                    *g = F::zero();
                }
            }
        }
    }
    (parts, grads)
}

/// The gradient w.r.t. the encoder's output [mu, rho] (B x 2K) from the
/// decoder's input gradient `dz` ((B * S) x K) and the KL's, `scale` =
/// beta / B: d/dmu = sum_s dz + scale * mu; d/dsigma = sum_s dz * eps +
/// scale * (sigma - 1/sigma); d/drho = d/dsigma * sigmoid(rho - 5). Each
/// example's S rows add up in sample order.
fn encoder_output_grad<F: Real>(
    enc: &Encoded<F>,
    eps: &Array2<F>,
    dz: Array2<F>,
    scale: F,
) -> Array2<F> {
    let samples = samples_per_example(enc.mu.nrows(), eps);
    let mut dz_eps = dz.clone();
    Zip::from(&mut dz_eps).and(eps).for_each(|d, &e| *d *= e);
    let mut d_mu = sum_row_runs(dz, samples);
    Zip::from(&mut d_mu)
        .and(&enc.mu)
        .for_each(|d, &m| *d += scale * m);
    let mut d_rho = sum_row_runs(dz_eps, samples);
    Zip::from(&mut d_rho)
        .and(&enc.sigma)
        .and(&enc.rho)
        .for_each(|d, &s, &r| {
            let d_sigma = *d + scale * (s - F::one() / s);
            *d = d_sigma * sigmoid(r - real(crate::model::SIGMA_SHIFT));
        });
    concatenate(Axis(1), &[d_mu.view(), d_rho.view()]).expect("same batch")
}
