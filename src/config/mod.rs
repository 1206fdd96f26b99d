//! `Experiment`: every knob of a run, its defaults and its validation.
//!
//! The share link (`link.rs`, over the key table in `keys.rs`) is the one
//! serialisation of an experiment: the page keeps it in the URL fragment and
//! the CLI takes it with `--link`.
//! Validation names the key, the value and the allowed range; nothing is
//! silently replaced by a default.

/// `Invalid(format!(...))`.
macro_rules! invalid {
    ($($arg:tt)*) => {
        $crate::config::Invalid(format!($($arg)*))
    };
}

mod choices;
mod keys;
mod link;
mod live;
mod pasted;
mod schema;
mod values;

pub use choices::{
    Activation, BetaMode, BetaSchedule, Bottleneck, DataName, Decoder, Estimator, Init, Inputs,
    Objective,
};
pub use keys::{KEYS, KeySpec};
pub use link::{
    LINK_VERSION, MAX_HELD_LINK_BYTES, MAX_LINK_BYTES, format_full, parse_bounded, parse_lenient,
    with_key,
};
pub use live::{LiveChange, copy_live, live_keys};
pub use pasted::experiment_query;
pub use schema::{Interval, KeySchema, Kind, schema};
pub(crate) use values::real_text;

use std::fmt;

/// An error in an experiment: which key, what was given, what is allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

impl ConfigError {
    pub fn new(key: &str, message: impl Into<String>) -> Self {
        ConfigError {
            key: key.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Why a value is refused, before the key it was given for is attached
/// (`Invalid::for_key`): a short phrase such as "'x' is not a number". The
/// value readers, the key table's setters and checks return it.
#[derive(Clone, Debug, PartialEq)]
pub struct Invalid(pub String);

impl Invalid {
    /// The refusal as an error of link key `key`.
    pub fn for_key(self, key: &str) -> ConfigError {
        ConfigError::new(key, self.0)
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Invalid> for String {
    fn from(invalid: Invalid) -> String {
        invalid.0
    }
}

/// Limits shared by validation and the docs (`ibp --help`).
pub const MAX_HIDDEN_LAYERS: usize = 8;
pub const MAX_UNITS: usize = 4096;
pub const MAX_LATENT: usize = 1024;
pub const MAX_BATCH: usize = 4096;
/// Most rows of noise a training step may draw: batch x train_samples.
pub const MAX_TRAIN_ROWS: usize = 16_384;
pub const MAX_TOY_POINTS: usize = 100_000;
pub const MAX_BETA: f64 = 1000.0;
pub const MAX_LR: f64 = 10.0;
pub const MAX_EVAL_SAMPLES: usize = 64;

/// One experiment: data, model, objective, optimiser and seed.
///
/// Example (the share-link form): `data=circle&hidden=16,16&k=2&beta=1e-3`
/// is the circle toy, two hidden layers of 16 units, a 2-D latent, beta 1e-3.
#[derive(Clone, Debug, PartialEq)]
pub struct Experiment {
    /// Dataset name.
    pub data: DataName,
    /// Points generated for the 2-D toys (other datasets have fixed sizes).
    pub points: usize,
    /// Probability that a toy label is flipped, in [0, 0.5].
    pub label_noise: f64,
    /// Fraction of examples used for training (the rest is the test set);
    /// MNIST keeps its official split.
    pub train_fraction: f64,
    /// Seed of the data, the initialisation and every noise sample.
    pub seed: u32,
    /// What the decoder predicts: labels (`vib`) or the input (`vae`).
    pub objective: Objective,
    /// Weight of the KL (rate) term, in the standard convention.
    pub beta: f64,
    /// How beta moves from `beta_start` to `beta` over `anneal_steps`.
    pub beta_schedule: BetaSchedule,
    pub beta_start: f64,
    pub anneal_steps: u32,
    /// Fixed beta, or beta adapted as a Lagrange multiplier towards
    /// `target_rate` (bits) or `target_acc` (training accuracy): after each
    /// step, beta *= exp(geco_lr * c), c the moving average (decay 0.99) of
    /// rate - target (bits) or 100 (accuracy - target).
    pub beta_mode: BetaMode,
    pub target_rate: Option<f64>,
    pub target_acc: Option<f64>,
    pub geco_lr: f64,
    /// Encoder hidden layer widths: `[10, 7, 5]` means three hidden layers of
    /// 10, 7 and 5 units; empty means the encoder is a single linear map.
    pub hidden: Vec<usize>,
    /// Activation of every hidden layer (encoder and decoder).
    pub activation: Activation,
    /// How the weights start (link key `init`).
    pub init: Init,
    /// What the encoder is fed (link key `inputs`): as stored, or 2x - 1.
    pub inputs: Inputs,
    /// Latent size K (the encoder outputs 2K numbers: mean and raw scale);
    /// per input feature with `bottleneck=feature`.
    pub latent: usize,
    /// One encoder for the whole input, or one per input feature (then
    /// `hidden` and `k` are per feature).
    pub bottleneck: Bottleneck,
    /// Linear decoder, or one hidden layer of `decoder_hidden` units.
    pub decoder: Decoder,
    pub decoder_hidden: usize,
    /// Adam: learning rate and moment decays.
    pub lr: f64,
    pub adam_beta1: f64,
    pub adam_beta2: f64,
    /// Staircase learning-rate decay: multiply by `lr_decay` every `decay_steps`.
    pub lr_decay: f64,
    pub decay_steps: u32,
    /// Polyak averaging of the weights for evaluation: 0 is off; otherwise
    /// the decay d of the debiased exponential moving average
    /// s_t = s_{t-1} + (1 - d) / (1 - d^t) (p_t - s_{t-1}), which every report
    /// measures instead of the live weights (checkpoints and saved weights
    /// keep the live ones, from which training continues).
    pub ema: f64,
    /// Sample the latent (1) or use z = mu (0: the deterministic baseline,
    /// with beta = 0). Link key `sample`.
    pub sample_latent: bool,
    /// Examples per training step.
    pub batch: usize,
    /// Steps between metric reports.
    pub report_every: u32,
    /// Softmax samples averaged for a prediction at evaluation.
    pub eval_samples: usize,
    /// Noise samples of z per training example, their losses averaged (1
    /// in the paper's text; 12 in the authors' JAX notebook). The CPU
    /// backend trains them; the GPU kernels draw one. Link key
    /// `train_samples`.
    pub train_samples: usize,
    /// Bits per hidden activation of the encoder: each rounded to 2^quant
    /// levels over the activation's range (0: not quantized). Link key
    /// `quant`; `estimator=exact` counts such a plane exactly.
    pub quant: u32,
    /// Estimator of the information plane.
    pub estimator: Estimator,
    /// Bins per unit of the binning estimator.
    pub bins: u32,
    /// Measure the information plane (every hidden layer's I(X;T), I(T;Y))
    /// at each report.
    pub info_plane: bool,
    /// The page's views to show (the CLI ignores it): a subset of
    /// `VIEWS`, in that order.
    pub views: Vec<String>,
    /// Link keys whose controls the page hides (the CLI ignores it).
    pub hidden_controls: Vec<String>,
    /// Changes of live keys made while training, steps ascending (link key
    /// `live`): a run applies each at its step, so the link replays the
    /// run on screen. `at(step)` gives the values in force.
    pub live: Vec<LiveChange>,
}

/// The page's views, in the order links list them (the page lays them out).
pub const VIEWS: [&str; 7] = [
    "plane", "curves", "latent", "dims", "map", "sweep", "diagram",
];

impl Default for Experiment {
    fn default() -> Self {
        Experiment {
            data: DataName::Circle,
            points: 1000,
            label_noise: 0.0,
            train_fraction: 0.8,
            seed: 1,
            objective: Objective::Vib,
            beta: 1e-3,
            beta_schedule: BetaSchedule::Constant,
            beta_start: 1e-6,
            anneal_steps: 1000,
            beta_mode: BetaMode::Fixed,
            target_rate: None,
            target_acc: None,
            geco_lr: 0.002,
            hidden: vec![16, 16],
            activation: Activation::Tanh,
            init: Init::Auto,
            inputs: Inputs::Unit,
            latent: 2,
            bottleneck: Bottleneck::Joint,
            decoder: Decoder::Linear,
            decoder_hidden: 32,
            lr: 5e-3,
            adam_beta1: 0.9,
            adam_beta2: 0.999,
            lr_decay: 1.0,
            decay_steps: 1000,
            ema: 0.0,
            sample_latent: true,
            batch: 64,
            report_every: 100,
            eval_samples: 12,
            train_samples: 1,
            quant: 0,
            estimator: Estimator::Binning,
            bins: 30,
            info_plane: false,
            views: VIEWS.iter().map(|v| v.to_string()).collect(),
            hidden_controls: Vec::new(),
            live: Vec::new(),
        }
    }
}

impl Experiment {
    /// Parses a share-link query string (see [`link`](self::KEYS)).
    pub fn from_link(query: &str) -> Result<Self, ConfigError> {
        link::parse(query)
    }

    /// The canonical share link: `v=1` and the keys that differ from their
    /// defaults; `from_link(e.to_link()) == e`.
    pub fn to_link(&self) -> String {
        link::format(self)
    }

    /// Beta at training step `step` under the schedule.
    pub fn beta_at(&self, step: u32) -> f64 {
        self.beta_toward(self.beta, step)
    }

    /// Beta at `step` when the schedule ends at `target` instead of `beta`
    /// (replicas of a beta sweep follow the same schedule to their own beta).
    pub fn beta_toward(&self, target: f64, step: u32) -> f64 {
        let progress = if self.anneal_steps == 0 {
            1.0
        } else {
            (step as f64 / self.anneal_steps as f64).min(1.0)
        };
        if progress >= 1.0 {
            return target;
        }
        match self.beta_schedule {
            BetaSchedule::Constant => target,
            BetaSchedule::Linear => self.beta_start + (target - self.beta_start) * progress,
            BetaSchedule::Log => {
                (self.beta_start.ln() + (target.ln() - self.beta_start.ln()) * progress).exp()
            }
        }
    }

    /// Learning rate at training step `step` (staircase decay).
    pub fn lr_at(&self, step: u32) -> f64 {
        self.lr * self.lr_decay.powi((step / self.decay_steps) as i32)
    }

    /// Weight of the new parameters in the moving average after update `t`
    /// (1-based): (1 - d) / (1 - d^t), so the first update copies the
    /// weights and the average is never biased toward its start.
    pub fn ema_weight(&self, t: u32) -> f64 {
        (1.0 - self.ema) / (1.0 - self.ema.powi(t as i32))
    }

    /// Multiplier of the reparameterisation noise: 1, or 0 with `sample=0`.
    pub fn noise_scale(&self) -> f32 {
        if self.sample_latent { 1.0 } else { 0.0 }
    }

    /// Checks every value against its range and the cross-key rules.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for spec in KEYS {
            spec.check(self)
                .map_err(|message| ConfigError::new(spec.name, message))?;
        }
        if self.beta_schedule == BetaSchedule::Log && (self.beta <= 0.0 || self.beta_start <= 0.0) {
            return Err(ConfigError::new(
                "beta_schedule",
                format!(
                    "log annealing needs beta > 0 and beta_start > 0 (got beta={}, beta_start={})",
                    self.beta, self.beta_start
                ),
            ));
        }
        if self.batch * self.train_samples > MAX_TRAIN_ROWS {
            return Err(ConfigError::new(
                "train_samples",
                format!(
                    "batch {} x train_samples {} is {} rows of noise a step, more than {MAX_TRAIN_ROWS}: \
                     lower batch or train_samples",
                    self.batch,
                    self.train_samples,
                    self.batch * self.train_samples
                ),
            ));
        }
        self.validate_quantization()?;
        self.validate_inputs()?;
        if self.beta_mode == BetaMode::Target
            && self.target_rate.is_some() == self.target_acc.is_some()
        {
            return Err(ConfigError::new(
                "beta_mode",
                "target needs exactly one of target_rate (bits) and target_acc (fraction)",
            ));
        }
        if self.beta_mode == BetaMode::Target
            && !self.objective.predicts_label()
            && self.target_acc.is_some()
        {
            return Err(ConfigError::new(
                "target_acc",
                format!("objective={} has no accuracy to target", self.objective),
            ));
        }
        self.validate_schedule()
    }
}

impl Experiment {
    /// `inputs=centered` maps inputs in [0, 1]; a decoder that reconstructs
    /// x would then be asked for values outside its Bernoulli range.
    fn validate_inputs(&self) -> Result<(), ConfigError> {
        if self.inputs != Inputs::Centered {
            return Ok(());
        }
        let in_unit_interval = matches!(
            self.data,
            DataName::VarU | DataName::Digits | DataName::Mnist | DataName::MnistFull
        );
        if !in_unit_interval {
            return Err(ConfigError::new(
                "inputs",
                format!(
                    "inputs=centered maps inputs in [0, 1] to [-1, 1]; data={}'s are not in [0, 1]: \
                     use var_u, digits or mnist, or remove inputs=centered",
                    self.data
                ),
            ));
        }
        if !self.objective.predicts_label() {
            return Err(ConfigError::new(
                "inputs",
                format!(
                    "inputs=centered feeds the encoder 2x - 1, but objective={} reconstructs x in [0, 1]: \
                     use objective=vib or sqib, or remove inputs=centered",
                    self.objective
                ),
            ));
        }
        Ok(())
    }

    /// `quant` needs an activation with a fixed range; `estimator=exact`
    /// needs `quant`.
    fn validate_quantization(&self) -> Result<(), ConfigError> {
        if self.quant > 0 && matches!(self.activation, Activation::Gelu | Activation::Linear) {
            return Err(ConfigError::new(
                "quant",
                format!(
                    "quant={} rounds activations over a fixed range: act={} has none; use tanh, sigmoid or relu",
                    self.quant, self.activation
                ),
            ));
        }
        if self.estimator == Estimator::Exact && self.quant == 0 {
            return Err(ConfigError::new(
                "estimator",
                "estimator=exact counts the codes of a quantized encoder: add quant (e.g. quant=8), \
                 or choose estimator=binning or kde",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid() {
        Experiment::default().validate().unwrap();
    }

    #[test]
    fn schedules_interpolate_between_start_and_target() {
        let mut e = Experiment {
            beta: 1e-2,
            beta_start: 1e-4,
            anneal_steps: 100,
            ..Default::default()
        };
        e.beta_schedule = BetaSchedule::Linear;
        assert_eq!(e.beta_at(0), 1e-4);
        assert!((e.beta_at(50) - 0.00505).abs() < 1e-12);
        assert_eq!(e.beta_at(500), 1e-2);
        e.beta_schedule = BetaSchedule::Log;
        assert!((e.beta_at(50) - 1e-3).abs() < 1e-12);
        e.beta_schedule = BetaSchedule::Constant;
        assert_eq!(e.beta_at(0), 1e-2);
    }

    #[test]
    fn staircase_decay() {
        let e = Experiment {
            lr: 1.0,
            lr_decay: 0.5,
            decay_steps: 10,
            ..Default::default()
        };
        assert_eq!(e.lr_at(9), 1.0);
        assert_eq!(e.lr_at(10), 0.5);
        assert_eq!(e.lr_at(25), 0.25);
    }
}
