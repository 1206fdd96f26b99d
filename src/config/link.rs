//! The share-link codec: one declarative table of keys drives parsing,
//! formatting, validation and the CLI's documentation.
//!
//! A link is a query string, `v=1&data=var_u&hidden=10,7,5,4,3&act=tanh&k=2`.
//! Keys not given take their defaults; unknown keys, repeated keys and
//! malformed values are errors that name the key. `format` writes every key,
//! so a link stays the same experiment even if a later version changes a
//! default (old links are read by their `v`).

use super::{
    Activation, BetaMode, BetaSchedule, Bottleneck, ConfigError, DataName, Decoder, Estimator,
    Experiment, MAX_BATCH, MAX_BETA, MAX_EVAL_SAMPLES, MAX_HIDDEN_LAYERS, MAX_LATENT, MAX_LR,
    MAX_TOY_POINTS, MAX_UNITS, Objective, VIEWS,
};

/// The link format this build writes (and the newest it reads).
pub const LINK_VERSION: u32 = 1;
/// Links longer than this are refused before they are parsed.
pub const MAX_LINK_BYTES: usize = 4096;

/// One link key: its name, documentation, and how to read, write and check it.
pub struct KeySpec {
    pub name: &'static str,
    /// One line for `ibp --help`, with the allowed values.
    pub doc: &'static str,
    pub get: fn(&Experiment) -> String,
    pub set: fn(&mut Experiment, &str) -> Result<(), String>,
    pub check: fn(&Experiment) -> Result<(), String>,
}

fn ok(_: &Experiment) -> Result<(), String> {
    Ok(())
}

/// Every key, in the order links are written.
pub const KEYS: &[KeySpec] = &[
    KeySpec {
        name: "v",
        doc: "link format version (1)",
        get: |_| LINK_VERSION.to_string(),
        set: |_, t| match t.parse::<u32>() {
            Ok(LINK_VERSION) => Ok(()),
            _ => Err(format!(
                "unsupported link version '{t}' (this build reads {LINK_VERSION})"
            )),
        },
        check: ok,
    },
    KeySpec {
        name: "data",
        doc: "dataset: circle|xor|gaussians|spiral|moons|var_u|digits|mnist|mnist_full|csv",
        get: |e| e.data.name().into(),
        set: |e, t| choice(t, DataName::from_name, DataName::names).map(|v| e.data = v),
        check: ok,
    },
    KeySpec {
        name: "seed",
        doc: "seed of data, initialisation and noise: 0 to 4294967295",
        get: |e| e.seed.to_string(),
        set: |e, t| integer(t, 0, u32::MAX as u64).map(|v| e.seed = v as u32),
        check: ok,
    },
    KeySpec {
        name: "objective",
        doc: "vib (predict the label) | vae (reconstruct the input) | sqib (label, beta * rate^2)",
        get: |e| e.objective.name().into(),
        set: |e, t| choice(t, Objective::from_name, Objective::names).map(|v| e.objective = v),
        check: ok,
    },
    KeySpec {
        name: "beta",
        doc: "weight of the rate (KL) term, standard convention: 0 to 1000",
        get: |e| real_text(e.beta),
        set: |e, t| real(t).map(|v| e.beta = v),
        check: |e| in_range(e.beta, 0.0, MAX_BETA),
    },
    KeySpec {
        name: "beta_schedule",
        doc: "const | linear | log: anneal from beta_start to beta over anneal_steps",
        get: |e| e.beta_schedule.name().into(),
        set: |e, t| {
            choice(t, BetaSchedule::from_name, BetaSchedule::names).map(|v| e.beta_schedule = v)
        },
        check: ok,
    },
    KeySpec {
        name: "beta_start",
        doc: "beta at step 0 when annealing: 0 to 1000",
        get: |e| real_text(e.beta_start),
        set: |e, t| real(t).map(|v| e.beta_start = v),
        check: |e| in_range(e.beta_start, 0.0, MAX_BETA),
    },
    KeySpec {
        name: "anneal_steps",
        doc: "steps to reach beta when annealing: 0 to 10000000",
        get: |e| e.anneal_steps.to_string(),
        set: |e, t| integer(t, 0, 10_000_000).map(|v| e.anneal_steps = v as u32),
        check: ok,
    },
    KeySpec {
        name: "beta_mode",
        doc: "fixed | target: adapt beta so training meets target_rate or target_acc (GECO-style)",
        get: |e| e.beta_mode.name().into(),
        set: |e, t| choice(t, BetaMode::from_name, BetaMode::names).map(|v| e.beta_mode = v),
        check: ok,
    },
    KeySpec {
        name: "target_rate",
        doc: "rate to hold with beta_mode=target, bits: 0 to 1000, or empty",
        get: |e| e.target_rate.map(real_text).unwrap_or_default(),
        set: |e, t| optional_real(t).map(|v| e.target_rate = v),
        check: |e| e.target_rate.map_or(Ok(()), |v| in_range(v, 0.0, 1000.0)),
    },
    KeySpec {
        name: "target_acc",
        doc: "training accuracy to hold with beta_mode=target: above 0, at most 1, or empty",
        get: |e| e.target_acc.map(real_text).unwrap_or_default(),
        set: |e, t| optional_real(t).map(|v| e.target_acc = v),
        check: |e| e.target_acc.map_or(Ok(()), |v| positive_at_most(v, 1.0)),
    },
    KeySpec {
        name: "geco_lr",
        doc: "step size of the beta updates with beta_mode=target: above 0, at most 1",
        get: |e| real_text(e.geco_lr),
        set: |e, t| real(t).map(|v| e.geco_lr = v),
        check: |e| positive_at_most(e.geco_lr, 1.0),
    },
    KeySpec {
        name: "hidden",
        doc: "encoder hidden widths, comma list: '10,7,5' is three layers of 10, 7 and 5 units; \
              empty for none; at most 8 layers of 1 to 4096 units",
        get: |e| {
            e.hidden
                .iter()
                .map(|h| h.to_string())
                .collect::<Vec<_>>()
                .join(",")
        },
        set: |e, t| widths(t).map(|v| e.hidden = v),
        check: |e| {
            if e.hidden.len() > MAX_HIDDEN_LAYERS {
                return Err(format!(
                    "{} layers (allowed: at most {MAX_HIDDEN_LAYERS})",
                    e.hidden.len()
                ));
            }
            match e.hidden.iter().position(|&h| h == 0 || h > MAX_UNITS) {
                Some(i) => Err(format!(
                    "layer {} has {} units (allowed: 1 to {MAX_UNITS})",
                    i + 1,
                    e.hidden[i]
                )),
                None => Ok(()),
            }
        },
    },
    KeySpec {
        name: "act",
        doc: "hidden activation: tanh|relu|gelu|sigmoid|linear",
        get: |e| e.activation.name().into(),
        set: |e, t| choice(t, Activation::from_name, Activation::names).map(|v| e.activation = v),
        check: ok,
    },
    KeySpec {
        name: "k",
        doc: "latent size K: 1 to 1024",
        get: |e| e.latent.to_string(),
        set: |e, t| integer(t, 0, u32::MAX as u64).map(|v| e.latent = v as usize),
        check: |e| count_in_range(e.latent, 1, MAX_LATENT),
    },
    KeySpec {
        name: "bottleneck",
        doc: "joint | feature (one small encoder and code per input feature; hidden and k per feature)",
        get: |e| e.bottleneck.name().into(),
        set: |e, t| choice(t, Bottleneck::from_name, Bottleneck::names).map(|v| e.bottleneck = v),
        check: ok,
    },
    KeySpec {
        name: "decoder",
        doc: "linear | mlp (one hidden layer of dec_hidden units)",
        get: |e| e.decoder.name().into(),
        set: |e, t| choice(t, Decoder::from_name, Decoder::names).map(|v| e.decoder = v),
        check: ok,
    },
    KeySpec {
        name: "dec_hidden",
        doc: "decoder hidden units when decoder=mlp: 1 to 4096",
        get: |e| e.decoder_hidden.to_string(),
        set: |e, t| integer(t, 0, u32::MAX as u64).map(|v| e.decoder_hidden = v as usize),
        check: |e| count_in_range(e.decoder_hidden, 1, MAX_UNITS),
    },
    KeySpec {
        name: "lr",
        doc: "Adam learning rate: above 0, at most 10",
        get: |e| real_text(e.lr),
        set: |e, t| real(t).map(|v| e.lr = v),
        check: |e| positive_at_most(e.lr, MAX_LR),
    },
    KeySpec {
        name: "b1",
        doc: "Adam first-moment decay: 0 to below 1",
        get: |e| real_text(e.adam_beta1),
        set: |e, t| real(t).map(|v| e.adam_beta1 = v),
        check: |e| below_one(e.adam_beta1),
    },
    KeySpec {
        name: "b2",
        doc: "Adam second-moment decay: 0 to below 1",
        get: |e| real_text(e.adam_beta2),
        set: |e, t| real(t).map(|v| e.adam_beta2 = v),
        check: |e| below_one(e.adam_beta2),
    },
    KeySpec {
        name: "lr_decay",
        doc: "learning-rate factor applied every decay_steps: above 0, at most 1",
        get: |e| real_text(e.lr_decay),
        set: |e, t| real(t).map(|v| e.lr_decay = v),
        check: |e| positive_at_most(e.lr_decay, 1.0),
    },
    KeySpec {
        name: "decay_steps",
        doc: "steps between learning-rate decays: 1 to 10000000",
        get: |e| e.decay_steps.to_string(),
        set: |e, t| integer(t, 1, 10_000_000).map(|v| e.decay_steps = v as u32),
        check: |e| count_in_range(e.decay_steps as usize, 1, 10_000_000),
    },
    KeySpec {
        name: "batch",
        doc: "examples per step: 1 to 4096",
        get: |e| e.batch.to_string(),
        set: |e, t| integer(t, 0, u32::MAX as u64).map(|v| e.batch = v as usize),
        check: |e| count_in_range(e.batch, 1, MAX_BATCH),
    },
    KeySpec {
        name: "train",
        doc: "training fraction of the examples: 0.05 to 0.95 (MNIST keeps its own split)",
        get: |e| real_text(e.train_fraction),
        set: |e, t| real(t).map(|v| e.train_fraction = v),
        check: |e| in_range(e.train_fraction, 0.05, 0.95),
    },
    KeySpec {
        name: "points",
        doc: "points generated for the 2-D toys: 10 to 100000",
        get: |e| e.points.to_string(),
        set: |e, t| integer(t, 0, u32::MAX as u64).map(|v| e.points = v as usize),
        check: |e| count_in_range(e.points, 10, MAX_TOY_POINTS),
    },
    KeySpec {
        name: "noise",
        doc: "probability of flipping a toy label: 0 to 0.5",
        get: |e| real_text(e.label_noise),
        set: |e, t| real(t).map(|v| e.label_noise = v),
        check: |e| in_range(e.label_noise, 0.0, 0.5),
    },
    KeySpec {
        name: "report",
        doc: "steps between metric reports: 1 to 1000000",
        get: |e| e.report_every.to_string(),
        set: |e, t| integer(t, 1, 1_000_000).map(|v| e.report_every = v as u32),
        check: |e| count_in_range(e.report_every as usize, 1, 1_000_000),
    },
    KeySpec {
        name: "ema",
        doc: "decay of the weight average used for evaluation (Polyak/EMA): 0 (off) to below 1",
        get: |e| real_text(e.ema),
        set: |e, t| real(t).map(|v| e.ema = v),
        check: |e| below_one(e.ema),
    },
    KeySpec {
        name: "sample",
        doc: "sample the latent (1) or use z = mu (0, the deterministic baseline): 0|1",
        get: |e| (e.noise as u8).to_string(),
        set: |e, t| flag(t).map(|v| e.noise = v),
        check: ok,
    },
    KeySpec {
        name: "samples",
        doc: "softmax samples averaged per prediction at evaluation: 1 to 64",
        get: |e| e.eval_samples.to_string(),
        set: |e, t| integer(t, 0, u32::MAX as u64).map(|v| e.eval_samples = v as usize),
        check: |e| count_in_range(e.eval_samples, 1, MAX_EVAL_SAMPLES),
    },
    KeySpec {
        name: "estimator",
        doc: "information-plane estimator: binning|kde",
        get: |e| e.estimator.name().into(),
        set: |e, t| choice(t, Estimator::from_name, Estimator::names).map(|v| e.estimator = v),
        check: ok,
    },
    KeySpec {
        name: "plane",
        doc: "measure the information plane at each report: 0|1",
        get: |e| (e.info_plane as u8).to_string(),
        set: |e, t| flag(t).map(|v| e.info_plane = v),
        check: ok,
    },
    KeySpec {
        name: "views",
        doc: "the page's views to show, comma list of plane,curves,latent,dims,map,sweep (the CLI ignores it)",
        get: |e| e.views.join(","),
        set: |e, t| {
            let mut views = Vec::new();
            for name in t.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                if !VIEWS.contains(&name) {
                    return Err(format!(
                        "'{}' is not one of {}",
                        printable(name),
                        VIEWS.join("|")
                    ));
                }
                views.push(name.to_string());
            }
            // Kept in display order, each once.
            e.views = VIEWS
                .iter()
                .filter(|v| views.iter().any(|w| w == *v))
                .map(|v| v.to_string())
                .collect();
            Ok(())
        },
        check: ok,
    },
    KeySpec {
        name: "hide",
        doc: "link keys whose controls the page hides, comma list (the CLI ignores it)",
        get: |e| e.hidden_controls.join(","),
        set: |e, t| {
            let mut hidden = Vec::new();
            for name in t.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                if !KEYS.iter().any(|k| k.name == name) {
                    return Err(format!("'{}' is not a link key", printable(name)));
                }
                if !hidden.iter().any(|h: &String| h == name) {
                    hidden.push(name.to_string());
                }
            }
            e.hidden_controls = hidden;
            Ok(())
        },
        check: ok,
    },
];

/// Parses a link query (a leading `?` or `#` is allowed) into a validated
/// experiment.
pub fn parse(query: &str) -> Result<Experiment, ConfigError> {
    if query.len() > MAX_LINK_BYTES {
        return Err(ConfigError::new(
            "link",
            format!(
                "{} bytes is too long (allowed: at most {MAX_LINK_BYTES})",
                query.len()
            ),
        ));
    }
    let query = query.trim().trim_start_matches(['?', '#']);
    let mut experiment = Experiment::default();
    let mut seen = [false; KEYS.len()];
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (raw_key, raw_value) = pair.split_once('=').ok_or_else(|| {
            ConfigError::new(&printable(pair), "has no value (expected key=value)")
        })?;
        if raw_key.is_empty() {
            return Err(ConfigError::new(
                "link",
                format!("'{}' has an empty key", printable(pair)),
            ));
        }
        let key = decode(raw_key).map_err(|m| ConfigError::new(&printable(raw_key), m))?;
        let index = KEYS.iter().position(|k| k.name == key).ok_or_else(|| {
            let known: Vec<_> = KEYS.iter().map(|k| k.name).collect();
            ConfigError::new(
                &printable(&key),
                format!("unknown key (known keys: {})", known.join(", ")),
            )
        })?;
        let spec = &KEYS[index];
        if std::mem::replace(&mut seen[index], true) {
            return Err(ConfigError::new(spec.name, "given more than once"));
        }
        let value = decode(raw_value).map_err(|m| ConfigError::new(spec.name, m))?;
        (spec.set)(&mut experiment, &value).map_err(|m| ConfigError::new(spec.name, m))?;
    }
    experiment.validate()?;
    Ok(experiment)
}

/// Reads a link as the page does: every problem is collected (key and
/// message) and that key alone falls back to its default; a cross-key rule
/// that fails resets the key it names. Never fails.
pub fn parse_lenient(query: &str) -> (Experiment, Vec<ConfigError>) {
    let mut errors = Vec::new();
    if query.len() > MAX_LINK_BYTES {
        errors.push(ConfigError::new(
            "link",
            format!(
                "{} bytes is too long (allowed: at most {MAX_LINK_BYTES})",
                query.len()
            ),
        ));
        return (Experiment::default(), errors);
    }
    let query = query.trim().trim_start_matches(['?', '#']);
    let mut experiment = Experiment::default();
    let mut seen = [false; KEYS.len()];
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let Some((raw_key, raw_value)) = pair.split_once('=') else {
            errors.push(ConfigError::new(
                &printable(pair),
                "has no value (expected key=value)",
            ));
            continue;
        };
        let Ok(key) = decode(raw_key) else {
            errors.push(ConfigError::new(&printable(raw_key), "is not a valid key"));
            continue;
        };
        let Some(index) = KEYS.iter().position(|k| k.name == key) else {
            errors.push(ConfigError::new(&printable(&key), "unknown key (ignored)"));
            continue;
        };
        let spec = &KEYS[index];
        if std::mem::replace(&mut seen[index], true) {
            errors.push(ConfigError::new(
                spec.name,
                "given more than once (the first is used)",
            ));
            continue;
        }
        let mut trial = experiment.clone();
        let result = decode(raw_value)
            .and_then(|v| (spec.set)(&mut trial, &v))
            .and_then(|_| (spec.check)(&trial));
        match result {
            Ok(()) => experiment = trial,
            Err(message) => errors.push(ConfigError::new(
                spec.name,
                format!("{message}; using the default"),
            )),
        }
    }
    let defaults = Experiment::default();
    for _ in 0..KEYS.len() {
        match experiment.validate() {
            Ok(()) => break,
            Err(error) => {
                if let Some(spec) = KEYS.iter().find(|k| k.name == error.key) {
                    let _ = (spec.set)(&mut experiment, &(spec.get)(&defaults));
                } else {
                    experiment = defaults.clone();
                }
                errors.push(ConfigError::new(
                    &error.key,
                    format!("{}; using the default", error.message),
                ));
            }
        }
    }
    (experiment, errors)
}

/// Writes every key of `experiment` as a query string (no leading `?`).
pub fn format(experiment: &Experiment) -> String {
    KEYS.iter()
        .map(|k| format!("{}={}", k.name, (k.get)(experiment)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Shortest text that parses back to the same f64: plain for ordinary
/// magnitudes, exponent form for very small or large ones (`1e-6`).
fn real_text(v: f64) -> String {
    if v == 0.0 || (1e-3..1e6).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Percent-decoding (`%2C` -> `,`, `+` -> space), as browsers encode queries.
fn decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                let byte = hex
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("'{}' has a malformed %-escape", printable(text)))?;
                out.push(byte);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| format!("'{}' is not valid UTF-8", printable(text)))
}

/// A value echoed in an error: bounded in length, control characters escaped.
fn printable(text: &str) -> String {
    const SHOWN: usize = 40;
    let mut shown: String = text
        .chars()
        .take(SHOWN)
        .flat_map(char::escape_default)
        .collect();
    if text.chars().count() > SHOWN {
        shown.push('…');
    }
    shown
}

fn choice<T>(text: &str, from: fn(&str) -> Option<T>, names: fn() -> String) -> Result<T, String> {
    from(text).ok_or_else(|| format!("'{}' is not one of {}", printable(text), names()))
}

/// A switch: 0 or 1.
fn flag(text: &str) -> Result<bool, String> {
    match text {
        "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(format!("'{}' is not 0 or 1", printable(text))),
    }
}

fn real(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("'{}' is not a finite number", printable(text))),
        Err(_) => Err(format!("'{}' is not a number", printable(text))),
    }
}

fn optional_real(text: &str) -> Result<Option<f64>, String> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        real(text).map(Some)
    }
}

fn integer(text: &str, min: u64, max: u64) -> Result<u64, String> {
    let value: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{}' is not a whole number", printable(text)))?;
    if value < min || value > max {
        return Err(format!("{value} is out of range (allowed: {min} to {max})"));
    }
    Ok(value)
}

fn widths(text: &str) -> Result<Vec<usize>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .enumerate()
        .map(|(i, part)| {
            if part.trim().is_empty() {
                return Err(format!(
                    "'{}' has an empty entry at position {}",
                    printable(text),
                    i + 1
                ));
            }
            integer(part, 0, u32::MAX as u64)
                .map(|v| v as usize)
                .map_err(|m| format!("entry {}: {m}", i + 1))
        })
        .collect()
}

fn in_range(v: f64, min: f64, max: f64) -> Result<(), String> {
    if v.is_finite() && v >= min && v <= max {
        Ok(())
    } else {
        Err(format!("{v} is out of range (allowed: {min} to {max})"))
    }
}

fn positive_at_most(v: f64, max: f64) -> Result<(), String> {
    if v.is_finite() && v > 0.0 && v <= max {
        Ok(())
    } else {
        Err(format!(
            "{v} is out of range (allowed: above 0, at most {max})"
        ))
    }
}

fn below_one(v: f64) -> Result<(), String> {
    if v.is_finite() && (0.0..1.0).contains(&v) {
        Ok(())
    } else {
        Err(format!("{v} is out of range (allowed: 0 to below 1)"))
    }
}

fn count_in_range(v: usize, min: usize, max: usize) -> Result<(), String> {
    if v >= min && v <= max {
        Ok(())
    } else {
        Err(format!("{v} is out of range (allowed: {min} to {max})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_text_round_trips() {
        for v in [
            0.0,
            1e-3,
            5e-3,
            0.9,
            0.999,
            1e-6,
            1e-300,
            123456.0,
            1e7,
            0.1 + 0.2,
        ] {
            assert_eq!(real_text(v).parse::<f64>().unwrap(), v, "{}", real_text(v));
        }
        assert_eq!(real_text(1e-6), "1e-6");
        assert_eq!(real_text(0.001), "0.001");
    }

    #[test]
    fn decode_handles_escapes() {
        assert_eq!(decode("10%2C7").unwrap(), "10,7");
        assert_eq!(decode("a+b").unwrap(), "a b");
        assert!(decode("%zz").is_err());
        assert!(decode("%4").is_err());
    }
}
