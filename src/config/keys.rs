//! The key table: one declarative entry per link key (`KeySpec`, `KEYS`)
//! drives parsing, formatting, validation, the CLI's documentation and the
//! page's controls. Each entry names the key, says what it means, bounds its
//! values (`Kind`) and reads and writes its field of `Experiment`; the
//! link codec (`link.rs`) walks the table.

use super::Invalid;
use super::link::LINK_VERSION;
use super::live::{format_schedule, parse_schedule};
use super::schema::{Interval, Kind, subset};
use super::values::{choice, flag, integer, optional_real, printable, real, real_text, widths};
use super::{
    Activation, BetaMode, BetaSchedule, Bottleneck, DataName, Decoder, Estimator, Experiment, Init,
    Inputs, MAX_BATCH, MAX_BETA, MAX_EVAL_SAMPLES, MAX_HIDDEN_LAYERS, MAX_LATENT, MAX_LR,
    MAX_TOY_POINTS, MAX_UNITS, Objective, VIEWS,
};

/// One link key: its name, what it means, the values it takes, and how to
/// read and write it. `set` parses the text into the field (bounded by the
/// field's type only); `kind` holds the limits every check reads.
pub struct KeySpec {
    pub name: &'static str,
    /// What the page calls the key: its controls, the lessons' notes and
    /// the pins' labels ("Learning rate", "β"), one table for all of them.
    pub label: &'static str,
    /// What the key means (the allowed values come from `kind`).
    pub doc: &'static str,
    pub kind: Kind,
    /// Changes while the model trains; other keys restart the run.
    pub live: bool,
    pub get: fn(&Experiment) -> String,
    pub set: fn(&mut Experiment, &str) -> Result<(), Invalid>,
}

impl KeySpec {
    /// Checks the key's value in `experiment` against its kind.
    pub fn check(&self, experiment: &Experiment) -> Result<(), Invalid> {
        self.kind.check(&(self.get)(experiment))
    }
}

/// A whole number that fits a u32 (the kind checks the key's own range).
fn whole(text: &str) -> Result<u32, Invalid> {
    integer(text, 0, u32::MAX as u64).map(|v| v as u32)
}

fn names<T: Copy>(all: &'static [T], name: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|&c| name(c)).collect()
}

/// Every key, in the order links are written.
pub const KEYS: &[KeySpec] = &[
    KeySpec {
        name: "v",
        label: "Link version",
        doc: "link format version",
        kind: Kind::Version,
        live: false,
        get: |_| LINK_VERSION.to_string(),
        set: |_, t| match t.parse::<u32>() {
            Ok(LINK_VERSION) => Ok(()),
            _ => Err(invalid!(
                "unsupported link version '{}' (this build reads {LINK_VERSION})",
                printable(t)
            )),
        },
    },
    KeySpec {
        name: "data",
        label: "Dataset",
        doc: "dataset",
        kind: Kind::Choice(|| names(DataName::ALL, DataName::name)),
        live: false,
        get: |e| e.data.name().into(),
        set: |e, t| choice(t, DataName::from_name, DataName::names).map(|v| e.data = v),
    },
    KeySpec {
        name: "seed",
        label: "Seed",
        doc: "seed of the data, the initialisation and every noise sample",
        kind: Kind::Integer {
            min: 0,
            max: u32::MAX as u64,
        },
        live: false,
        get: |e| e.seed.to_string(),
        set: |e, t| whole(t).map(|v| e.seed = v),
    },
    KeySpec {
        name: "objective",
        label: "Objective",
        doc: "vib predicts the label, vae reconstructs the input, sqib predicts the label with beta * rate^2",
        kind: Kind::Choice(|| names(Objective::ALL, Objective::name)),
        live: false,
        get: |e| e.objective.name().into(),
        set: |e, t| choice(t, Objective::from_name, Objective::names).map(|v| e.objective = v),
    },
    KeySpec {
        name: "beta",
        label: "β",
        doc: "weight of the rate (KL) term, standard convention (not scaled by ln 2)",
        kind: Kind::Real(Interval::closed(0.0, MAX_BETA).log(1e-6, 10.0)),
        live: true,
        get: |e| real_text(e.beta),
        set: |e, t| real(t).map(|v| e.beta = v),
    },
    KeySpec {
        name: "beta_schedule",
        label: "β annealing",
        doc: "anneal beta from beta_start to beta over anneal_steps (const: no annealing)",
        kind: Kind::Choice(|| names(BetaSchedule::ALL, BetaSchedule::name)),
        live: false,
        get: |e| e.beta_schedule.name().into(),
        set: |e, t| {
            choice(t, BetaSchedule::from_name, BetaSchedule::names).map(|v| e.beta_schedule = v)
        },
    },
    KeySpec {
        name: "beta_start",
        label: "β at the start",
        doc: "beta at step 0 when annealing",
        kind: Kind::Real(Interval::closed(0.0, MAX_BETA)),
        live: false,
        get: |e| real_text(e.beta_start),
        set: |e, t| real(t).map(|v| e.beta_start = v),
    },
    KeySpec {
        name: "anneal_steps",
        label: "Annealing steps",
        doc: "steps to reach beta when annealing",
        kind: Kind::Integer {
            min: 0,
            max: 10_000_000,
        },
        live: false,
        get: |e| e.anneal_steps.to_string(),
        set: |e, t| whole(t).map(|v| e.anneal_steps = v),
    },
    KeySpec {
        name: "beta_mode",
        label: "β mode",
        doc: "fixed, or target: adapt beta so training meets target_rate or target_acc (GECO-style)",
        kind: Kind::Choice(|| names(BetaMode::ALL, BetaMode::name)),
        live: false,
        get: |e| e.beta_mode.name().into(),
        set: |e, t| choice(t, BetaMode::from_name, BetaMode::names).map(|v| e.beta_mode = v),
    },
    KeySpec {
        name: "target_rate",
        label: "Target rate",
        doc: "rate to hold with beta_mode=target, bits",
        kind: Kind::OptionalReal(Interval::closed(0.0, 1000.0)),
        live: false,
        get: |e| e.target_rate.map(real_text).unwrap_or_default(),
        set: |e, t| optional_real(t).map(|v| e.target_rate = v),
    },
    KeySpec {
        name: "target_acc",
        label: "Target accuracy",
        doc: "training accuracy to hold with beta_mode=target",
        kind: Kind::OptionalReal(Interval::above(0.0, 1.0)),
        live: false,
        get: |e| e.target_acc.map(real_text).unwrap_or_default(),
        set: |e, t| optional_real(t).map(|v| e.target_acc = v),
    },
    KeySpec {
        name: "geco_lr",
        label: "β adaptation rate",
        doc: "step size of the beta updates with beta_mode=target",
        kind: Kind::Real(Interval::above(0.0, 1.0)),
        live: false,
        get: |e| real_text(e.geco_lr),
        set: |e, t| real(t).map(|v| e.geco_lr = v),
    },
    KeySpec {
        name: "hidden",
        label: "Hidden layers",
        doc: "encoder hidden widths: '10,7,5' is three layers of 10, 7 and 5 units; empty for none",
        kind: Kind::Widths {
            max_layers: MAX_HIDDEN_LAYERS,
            max_units: MAX_UNITS,
        },
        live: false,
        get: |e| {
            let widths: Vec<String> = e.hidden.iter().map(|h| h.to_string()).collect();
            widths.join(",")
        },
        set: |e, t| widths(t).map(|v| e.hidden = v),
    },
    KeySpec {
        name: "act",
        label: "Activation",
        doc: "activation of the hidden layers",
        kind: Kind::Choice(|| names(Activation::ALL, Activation::name)),
        live: false,
        get: |e| e.activation.name().into(),
        set: |e, t| choice(t, Activation::from_name, Activation::names).map(|v| e.activation = v),
    },
    KeySpec {
        name: "init",
        label: "Initialisation",
        doc: "initial weights: auto (He for relu and gelu hidden layers, Glorot elsewhere) or \
              glorot (Glorot everywhere, as the VIB notebooks); biases start at zero",
        kind: Kind::Choice(|| names(Init::ALL, Init::name)),
        live: false,
        get: |e| e.init.name().into(),
        set: |e, t| choice(t, Init::from_name, Init::names).map(|v| e.init = v),
    },
    KeySpec {
        name: "k",
        label: "Latent size K",
        doc: "latent size K (per input feature with bottleneck=feature)",
        kind: Kind::Integer {
            min: 1,
            max: MAX_LATENT as u64,
        },
        live: false,
        get: |e| e.latent.to_string(),
        set: |e, t| whole(t).map(|v| e.latent = v as usize),
    },
    KeySpec {
        name: "bottleneck",
        label: "Bottleneck",
        doc: "joint, or feature: one small encoder and code per input feature (hidden and k per feature)",
        kind: Kind::Choice(|| names(Bottleneck::ALL, Bottleneck::name)),
        live: false,
        get: |e| e.bottleneck.name().into(),
        set: |e, t| choice(t, Bottleneck::from_name, Bottleneck::names).map(|v| e.bottleneck = v),
    },
    KeySpec {
        name: "decoder",
        label: "Decoder",
        doc: "linear, or mlp: one hidden layer of dec_hidden units",
        kind: Kind::Choice(|| names(Decoder::ALL, Decoder::name)),
        live: false,
        get: |e| e.decoder.name().into(),
        set: |e, t| choice(t, Decoder::from_name, Decoder::names).map(|v| e.decoder = v),
    },
    KeySpec {
        name: "dec_hidden",
        label: "Decoder hidden units",
        doc: "decoder hidden units when decoder=mlp",
        kind: Kind::Integer {
            min: 1,
            max: MAX_UNITS as u64,
        },
        live: false,
        get: |e| e.decoder_hidden.to_string(),
        set: |e, t| whole(t).map(|v| e.decoder_hidden = v as usize),
    },
    KeySpec {
        name: "lr",
        label: "Learning rate",
        doc: "Adam learning rate",
        kind: Kind::Real(Interval::above(0.0, MAX_LR).log(1e-5, 1.0)),
        live: true,
        get: |e| real_text(e.lr),
        set: |e, t| real(t).map(|v| e.lr = v),
    },
    KeySpec {
        name: "b1",
        label: "Adam β1",
        doc: "Adam first-moment decay",
        kind: Kind::Real(Interval::below(0.0, 1.0)),
        live: false,
        get: |e| real_text(e.adam_beta1),
        set: |e, t| real(t).map(|v| e.adam_beta1 = v),
    },
    KeySpec {
        name: "b2",
        label: "Adam β2",
        doc: "Adam second-moment decay",
        kind: Kind::Real(Interval::below(0.0, 1.0)),
        live: false,
        get: |e| real_text(e.adam_beta2),
        set: |e, t| real(t).map(|v| e.adam_beta2 = v),
    },
    KeySpec {
        name: "lr_decay",
        label: "Learning-rate decay",
        doc: "learning-rate factor applied every decay_steps",
        kind: Kind::Real(Interval::above(0.0, 1.0)),
        live: false,
        get: |e| real_text(e.lr_decay),
        set: |e, t| real(t).map(|v| e.lr_decay = v),
    },
    KeySpec {
        name: "decay_steps",
        label: "Decay steps",
        doc: "steps between learning-rate decays",
        kind: Kind::Integer {
            min: 1,
            max: 10_000_000,
        },
        live: false,
        get: |e| e.decay_steps.to_string(),
        set: |e, t| whole(t).map(|v| e.decay_steps = v),
    },
    KeySpec {
        name: "batch",
        label: "Batch size",
        doc: "examples per training step",
        kind: Kind::Integer {
            min: 1,
            max: MAX_BATCH as u64,
        },
        live: false,
        get: |e| e.batch.to_string(),
        set: |e, t| whole(t).map(|v| e.batch = v as usize),
    },
    KeySpec {
        name: "train",
        label: "Training fraction",
        doc: "training fraction of the examples (MNIST keeps its own split)",
        kind: Kind::Real(Interval::closed(0.05, 0.95)),
        live: false,
        get: |e| real_text(e.train_fraction),
        set: |e, t| real(t).map(|v| e.train_fraction = v),
    },
    KeySpec {
        name: "points",
        label: "Points",
        doc: "points generated for the 2-D toys",
        kind: Kind::Integer {
            min: 10,
            max: MAX_TOY_POINTS as u64,
        },
        live: false,
        get: |e| e.points.to_string(),
        set: |e, t| whole(t).map(|v| e.points = v as usize),
    },
    KeySpec {
        name: "noise",
        label: "Label noise",
        doc: "probability of flipping a toy label",
        kind: Kind::Real(Interval::closed(0.0, 0.5)),
        live: false,
        get: |e| real_text(e.label_noise),
        set: |e, t| real(t).map(|v| e.label_noise = v),
    },
    KeySpec {
        name: "inputs",
        label: "Inputs",
        doc: "what the encoder is fed: unit (as stored) or centered (pixels in [0, 1] mapped to \
              [-1, 1] by 2x - 1, as the VIB notebooks feed MNIST; var_u, digits and MNIST)",
        kind: Kind::Choice(|| names(Inputs::ALL, Inputs::name)),
        live: false,
        get: |e| e.inputs.name().into(),
        set: |e, t| choice(t, Inputs::from_name, Inputs::names).map(|v| e.inputs = v),
    },
    KeySpec {
        name: "report",
        label: "Report every",
        doc: "steps between metric reports",
        kind: Kind::Integer {
            min: 1,
            max: 1_000_000,
        },
        live: false,
        get: |e| e.report_every.to_string(),
        set: |e, t| whole(t).map(|v| e.report_every = v),
    },
    KeySpec {
        name: "ema",
        label: "Weight averaging",
        doc: "decay of the weight average used for evaluation (Polyak/EMA; 0 is off)",
        kind: Kind::Real(Interval::below(0.0, 1.0)),
        live: false,
        get: |e| real_text(e.ema),
        set: |e, t| real(t).map(|v| e.ema = v),
    },
    KeySpec {
        name: "sample",
        label: "Sampled code",
        doc: "sample the latent (1) or use z = mu (0, the deterministic baseline)",
        kind: Kind::Flag,
        live: false,
        get: |e| (e.sample_latent as u8).to_string(),
        set: |e, t| flag(t).map(|v| e.sample_latent = v),
    },
    KeySpec {
        name: "samples",
        label: "Evaluation samples",
        doc: "softmax samples averaged per prediction at evaluation",
        kind: Kind::Integer {
            min: 1,
            max: MAX_EVAL_SAMPLES as u64,
        },
        live: false,
        get: |e| e.eval_samples.to_string(),
        set: |e, t| whole(t).map(|v| e.eval_samples = v as usize),
    },
    KeySpec {
        name: "train_samples",
        label: "Training samples",
        doc: "noise samples of z per training example, their losses averaged (CPU backend)",
        kind: Kind::Integer {
            min: 1,
            max: MAX_EVAL_SAMPLES as u64,
        },
        live: false,
        get: |e| e.train_samples.to_string(),
        set: |e, t| whole(t).map(|v| e.train_samples = v as usize),
    },
    KeySpec {
        name: "quant",
        label: "Quantized (bits)",
        doc: "bits per hidden activation of the encoder, rounded to 2^quant levels over tanh [-1, 1], \
              sigmoid [0, 1] or relu [0, 4] (clipped) with a straight-through gradient; 0: not \
              quantized",
        kind: Kind::Integer { min: 0, max: 16 },
        live: false,
        get: |e| e.quant.to_string(),
        set: |e, t| whole(t).map(|v| e.quant = v),
    },
    KeySpec {
        name: "estimator",
        label: "Plane estimator",
        doc: "estimator of the information plane",
        kind: Kind::Choice(|| names(Estimator::ALL, Estimator::name)),
        live: false,
        get: |e| e.estimator.name().into(),
        set: |e, t| choice(t, Estimator::from_name, Estimator::names).map(|v| e.estimator = v),
    },
    KeySpec {
        name: "bins",
        label: "Plane bins",
        doc: "bins per unit of the binning estimator (fewer bins see compression sooner)",
        kind: Kind::Integer { min: 2, max: 1000 },
        live: false,
        get: |e| e.bins.to_string(),
        set: |e, t| whole(t).map(|v| e.bins = v),
    },
    KeySpec {
        name: "plane",
        label: "Information plane",
        doc: "measure the information plane at each report",
        kind: Kind::Flag,
        live: false,
        get: |e| (e.info_plane as u8).to_string(),
        set: |e, t| flag(t).map(|v| e.info_plane = v),
    },
    KeySpec {
        name: "views",
        label: "Views",
        doc: "the page's views to show (the CLI ignores it)",
        kind: Kind::Set(&VIEWS),
        live: false,
        get: |e| e.views.join(","),
        set: |e, t| {
            let allowed = format!("one of {}", VIEWS.join("|"));
            subset(t, &VIEWS, &allowed).map(|v| e.views = v)
        },
    },
    KeySpec {
        name: "hide",
        label: "Hidden controls",
        doc: "link keys whose controls the page hides (the CLI ignores it)",
        kind: Kind::Keys,
        live: false,
        get: |e| e.hidden_controls.join(","),
        set: |e, t| {
            let keys: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
            let mut chosen = Vec::new();
            for name in t.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                if !keys.contains(&name) {
                    return Err(invalid!("'{}' is not a link key", printable(name)));
                }
                if !chosen.iter().any(|h: &String| h == name) {
                    chosen.push(name.to_string());
                }
            }
            e.hidden_controls = chosen;
            Ok(())
        },
    },
    KeySpec {
        name: "live",
        label: "Live changes",
        doc: "changes made while training, replayed at their steps, steps ascending ('1000:beta:0.01' sets beta to 0.01 from step 1000)",
        kind: Kind::Schedule,
        live: false,
        get: |e| format_schedule(&e.live),
        set: |e, t| parse_schedule(t).map(|v| e.live = v),
    },
];
