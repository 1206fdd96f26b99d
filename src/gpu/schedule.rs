//! The per-submission schedule buffer (twin of `shaders/schedule.wgsl`):
//! seeds, and for each step recorded in a submission its step number, epoch,
//! position in the epoch, learning rate, Adam bias corrections, the weight
//! of the moving average of the weights, and every
//! replica's beta, all computed on the CPU exactly as the CPU backend does.

use crate::config::Experiment;

pub const HEADER_WORDS: usize = 4;
pub const ROW_WORDS: usize = 8;
/// Steps one submission can hold.
pub const MAX_STEPS_PER_SUBMIT: usize = 64;

/// Words of the schedule buffer for `replicas` replicas.
pub fn words(replicas: usize) -> usize {
    HEADER_WORDS + replicas + MAX_STEPS_PER_SUBMIT * (ROW_WORDS + replicas)
}

/// Where step `step` starts in the stream of training examples:
/// (epoch, position within the epoch) of its first example.
pub fn epoch_position(step: u32, batch: usize, n_train: usize) -> (u32, u32) {
    let first = step as u64 * batch as u64;
    (
        (first / n_train as u64) as u32,
        (first % n_train as u64) as u32,
    )
}

/// The schedule for steps `first .. first + count` of `experiment`, with the
/// replicas' seeds and beta targets (each replica follows the experiment's
/// schedule towards its own beta).
pub fn build(
    experiment: &Experiment,
    n_train: usize,
    seeds: &[u32],
    betas: &[f64],
    first: u32,
    count: usize,
) -> Vec<u32> {
    assert!(count <= MAX_STEPS_PER_SUBMIT && seeds.len() == betas.len());
    let m = seeds.len();
    let mut out = vec![0u32; words(m)];
    out[1] = m as u32;
    out[2] = MAX_STEPS_PER_SUBMIT as u32;
    out[HEADER_WORDS..HEADER_WORDS + m].copy_from_slice(seeds);
    let rows = HEADER_WORDS + m;
    let beta_base = rows + MAX_STEPS_PER_SUBMIT * ROW_WORDS;
    for i in 0..count {
        let step = first + i as u32;
        let t = step as i32 + 1;
        let (epoch, position) = epoch_position(step, experiment.batch, n_train);
        let row = &mut out[rows + i * ROW_WORDS..rows + (i + 1) * ROW_WORDS];
        row[0] = step;
        row[1] = epoch;
        row[2] = position;
        row[4] = (experiment.lr_at(step) as f32).to_bits();
        row[5] = ((1.0 - experiment.adam_beta1.powi(t)) as f32).to_bits();
        row[6] = ((1.0 - experiment.adam_beta2.powi(t)) as f32).to_bits();
        if experiment.ema > 0.0 {
            row[7] = (experiment.ema_weight(t as u32) as f32).to_bits();
        }
        for (r, &beta) in betas.iter().enumerate() {
            out[beta_base + i * m + r] = (experiment.beta_toward(beta, step) as f32).to_bits();
        }
    }
    out
}
