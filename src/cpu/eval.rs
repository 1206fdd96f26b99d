//! Evaluation of the bounds and accuracy on a split, in chunks so memory
//! stays bounded. Prediction averages the softmax over S noise samples; the
//! data term is averaged over the same samples.

use super::layers;
use super::objective::{Encoded, data_term, encode, kl_per_example};
use crate::config::Experiment;
use crate::data::Split;
use crate::fmath;
use crate::model::{Model, Params, kl_term};
use crate::report::SplitSums;
use crate::rng::{Key, Stream};
use ndarray::{Array2, Axis, s};

/// Rows evaluated at once.
const EVAL_CHUNK: usize = 1000;

/// Means over a split, in nats.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub data_nats: f64,
    pub kl_nats: f64,
    /// Mean KL of each latent dimension, nats.
    pub kl_dims_nats: Vec<f64>,
    /// Fraction correct (`vib` only).
    pub accuracy: Option<f64>,
    /// Fraction correct with the first noise sample alone (`vib` only).
    pub accuracy_single: Option<f64>,
}

/// Evaluates `params` on `split` with the experiment's `samples` noise
/// draws per example (none with `sample=0`: z = mu): means in nats.
pub fn evaluate(params: &Params<f32>, model: &Model, split: &Split, e: &Experiment) -> Evaluation {
    let sums = split_sums(params, model, split, e);
    let n = sums.examples.max(1) as f64;
    Evaluation {
        data_nats: sums.data_mean(),
        kl_nats: sums.kl_mean(),
        kl_dims_nats: sums.kl_dims_nats.iter().map(|v| v / n).collect(),
        accuracy: sums.accuracy(),
        accuracy_single: sums.accuracy_single(),
    }
}

/// The sums a report is assembled from (`Report::from_sums`), over `split`.
pub fn split_sums(params: &Params<f32>, model: &Model, split: &Split, e: &Experiment) -> SplitSums {
    let samples = e.eval_samples as u32;
    let k = model.shape.latent;
    let (mut data_sum, mut kl_sum, mut correct) = (0f64, 0f64, 0usize);
    let mut correct_single = 0usize;
    let mut kl_dims = vec![0f64; k];
    let labels_predicted = model.objective.predicts_label();
    for start in (0..split.len()).step_by(EVAL_CHUNK) {
        let end = (start + EVAL_CHUNK).min(split.len());
        let x = split.x.slice(s![start..end, ..]).to_owned();
        let labels = &split.y[start..end];
        let enc = encode(params, model, x.clone());
        kl_sum += kl_per_example(&enc).iter().map(|&v| v as f64).sum::<f64>();
        for ((i, d), &mu) in enc.mu.indexed_iter() {
            kl_dims[d] += kl_term(mu, enc.sigma[[i, d]]) as f64;
        }
        let mut probabilities = Array2::<f32>::zeros((end - start, model.shape.output));
        for sample in 0..samples {
            let out = decode_sample(params, model, &enc, start, sample, e);
            let (losses, _) = data_term(model, &out, &x, labels, false);
            data_sum += losses.iter().map(|&v| v as f64).sum::<f64>();
            if labels_predicted {
                add_softmax(&mut probabilities, &out);
                if sample == 0 {
                    correct_single += count_correct(&probabilities, labels);
                }
            }
        }
        if labels_predicted {
            correct += count_correct(&probabilities, labels);
        }
    }
    SplitSums {
        examples: split.len(),
        samples: samples as usize,
        data_nats: data_sum,
        kl_nats: kl_sum,
        kl_dims_nats: kl_dims,
        correct: labels_predicted.then_some(correct as f64),
        correct_single: labels_predicted.then_some(correct_single as f64),
    }
}

/// Rows whose largest probability is at their label.
fn count_correct(probabilities: &Array2<f32>, labels: &[u32]) -> usize {
    probabilities
        .axis_iter(Axis(0))
        .zip(labels)
        .filter(|(p, y)| argmax(p.as_slice().unwrap()) == **y as usize)
        .count()
}

/// The predicted class probabilities of rows `first_row ..` of a split
/// (`x` holds them): the mean of the softmax over noise samples `samples`.
/// The prediction of `evaluate` is its argmax with samples `0..S`.
pub fn predict(
    params: &Params<f32>,
    model: &Model,
    x: &Array2<f32>,
    first_row: usize,
    samples: std::ops::Range<u32>,
    e: &Experiment,
) -> Array2<f32> {
    let enc = encode(params, model, x.clone());
    let mut probabilities = Array2::<f32>::zeros((x.nrows(), model.shape.output));
    let count = samples.len() as f32;
    for sample in samples {
        let out = decode_sample(params, model, &enc, first_row, sample, e);
        add_softmax(&mut probabilities, &out);
    }
    probabilities.mapv_inplace(|p| p / count);
    probabilities
}

/// Decoder output for noise sample `sample`: z = mu + sigma eps with
/// eps of row r, dimension k `Key(seed, Eval).normal(r * K + k, sample)`,
/// r counted from the start of the split.
fn decode_sample(
    params: &Params<f32>,
    model: &Model,
    enc: &Encoded<f32>,
    first_row: usize,
    sample: u32,
    e: &Experiment,
) -> Array2<f32> {
    let key = Key::new(e.seed, Stream::Eval);
    let (k, scale) = (model.shape.latent, e.noise_scale());
    let mut z = enc.mu.clone();
    for ((i, j), z) in z.indexed_iter_mut() {
        let eps = scale * key.normal(((first_row + i) * k + j) as u32, sample);
        *z += enc.sigma[[i, j]] * eps;
    }
    layers::forward(&params.decoder, model.activation, z).0
}

/// Adds the softmax of each row of `logits` to `probabilities`.
fn add_softmax(probabilities: &mut Array2<f32>, logits: &Array2<f32>) {
    for (mut p, logits) in probabilities.rows_mut().into_iter().zip(logits.rows()) {
        let max = logits.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        let total: f32 = logits.iter().map(|&v| fmath::exp(v - max)).sum();
        p.zip_mut_with(&logits, |p, &v| *p += fmath::exp(v - max) / total);
    }
}

/// Index of the largest value (the first on ties; NaN never wins).
pub fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}
