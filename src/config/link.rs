//! The share-link codec: reads and writes an experiment as a link, driven
//! by the key table (`keys.rs`).
//!
//! A link is a query string, `v=1&data=var_u&hidden=10,7,5,4,3&act=tanh&k=2`.
//! Keys not given take their defaults; unknown keys, repeated keys and
//! malformed values are errors that name the key. `format` writes the
//! canonical short form: `v=1` and the keys that differ from their
//! defaults, in the table's order. The `v=1` defaults never change (a test
//! holds them), so a short link keeps its meaning.

use super::keys::{KEYS, KeySpec};
use super::values::{decode, printable};
use super::{ConfigError, Experiment};

/// The link format this build writes (and the newest it reads).
pub const LINK_VERSION: u32 = 1;
/// Links longer than this are refused before they are parsed.
pub const MAX_LINK_BYTES: usize = 4096;

/// Links the page holds for its own run, whose live changes may outgrow a
/// shareable link (`MAX_LINK_BYTES`); never read from a stranger.
pub const MAX_HELD_LINK_BYTES: usize = 65_536;

/// Parses a link query (a leading `?` or `#` is allowed) into a validated
/// experiment.
pub fn parse(query: &str) -> Result<Experiment, ConfigError> {
    parse_bounded(query, MAX_LINK_BYTES)
}

/// `parse` with `max_bytes` as the length limit.
pub fn parse_bounded(query: &str, max_bytes: usize) -> Result<Experiment, ConfigError> {
    if let Some(error) = too_long(query, max_bytes) {
        return Err(error);
    }
    let mut experiment = Experiment::default();
    for pair in pairs(query, false) {
        let (spec, raw_value) = pair?;
        let value = decode(raw_value).map_err(|m| ConfigError::new(spec.name, m))?;
        (spec.set)(&mut experiment, &value).map_err(|m| ConfigError::new(spec.name, m))?;
    }
    experiment.validate()?;
    Ok(experiment)
}

/// The error for a link longer than `max_bytes`, or None.
fn too_long(query: &str, max_bytes: usize) -> Option<ConfigError> {
    (query.len() > max_bytes).then(|| {
        ConfigError::new(
            "link",
            format!(
                "{} bytes is too long (allowed: at most {max_bytes})",
                query.len()
            ),
        )
    })
}

/// The `key=value` pairs of a link (a leading `?` or `#` allowed), in
/// order: each its key's spec and its raw value, or what is wrong with the
/// pair (no `=`, an empty, badly escaped or unknown key, a key given
/// again). Both readers walk this one loop; `lenient` words the errors for
/// the page, which ignores the pair and goes on.
fn pairs(query: &str, lenient: bool) -> Vec<Result<(&'static KeySpec, &str), ConfigError>> {
    let ignored = |message: String| {
        if lenient {
            format!("{message} (ignored)")
        } else {
            message
        }
    };
    let mut seen = [false; KEYS.len()];
    let query = query.trim().trim_start_matches(['?', '#']);
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (raw_key, raw_value) = pair.split_once('=').ok_or_else(|| {
                ConfigError::new(&printable(pair), "has no value (expected key=value)")
            })?;
            if raw_key.is_empty() {
                let message = format!("'{}' has an empty key", printable(pair));
                return Err(ConfigError::new("link", ignored(message)));
            }
            let key =
                decode(raw_key).map_err(|m| ConfigError::new(&printable(raw_key), ignored(m.0)))?;
            let index = KEYS.iter().position(|k| k.name == key).ok_or_else(|| {
                let known: Vec<_> = KEYS.iter().map(|k| k.name).collect();
                let message = if lenient {
                    "unknown key (ignored)".to_string()
                } else {
                    format!("unknown key (known keys: {})", known.join(", "))
                };
                ConfigError::new(&printable(&key), message)
            })?;
            let spec = &KEYS[index];
            if std::mem::replace(&mut seen[index], true) {
                let message = if lenient {
                    "given more than once (the first is used)"
                } else {
                    "given more than once"
                };
                return Err(ConfigError::new(spec.name, message));
            }
            Ok((spec, raw_value))
        })
        .collect()
}

/// Reads a link as the page does: every problem is collected (key and
/// message) and that key alone falls back to its default; a cross-key rule
/// that fails resets the key it names. Never fails.
pub fn parse_lenient(query: &str) -> (Experiment, Vec<ConfigError>) {
    if let Some(error) = too_long(query, MAX_LINK_BYTES) {
        return (Experiment::default(), vec![error]);
    }
    let mut errors = Vec::new();
    let mut experiment = Experiment::default();
    for pair in pairs(query, true) {
        let (spec, raw_value) = match pair {
            Ok(pair) => pair,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        let mut trial = experiment.clone();
        let result = decode(raw_value)
            .and_then(|v| (spec.set)(&mut trial, &v))
            .and_then(|_| spec.check(&trial));
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

/// `experiment` with link key `key` set to `value` (plain text, not
/// percent-encoded), validated as a whole.
pub fn with_key(
    experiment: &Experiment,
    key: &str,
    value: &str,
) -> Result<Experiment, ConfigError> {
    let spec = KEYS
        .iter()
        .find(|k| k.name == key)
        .ok_or_else(|| ConfigError::new(&printable(key), "unknown key"))?;
    let mut changed = experiment.clone();
    (spec.set)(&mut changed, value).map_err(|m| ConfigError::new(spec.name, m))?;
    changed.validate()?;
    Ok(changed)
}

/// The canonical link of `experiment` (no leading `?`): `v=1` and every
/// key whose value differs from its default, in the table's order.
pub fn format(experiment: &Experiment) -> String {
    let defaults = Experiment::default();
    KEYS.iter()
        .filter(|k| k.name == "v" || (k.get)(experiment) != (k.get)(&defaults))
        .map(|k| format!("{}={}", k.name, (k.get)(experiment)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Every key of `experiment`, defaults included (`ibp --help`, tests).
pub fn format_full(experiment: &Experiment) -> String {
    KEYS.iter()
        .map(|k| format!("{}={}", k.name, (k.get)(experiment)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::values::real_text;

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
        assert_eq!(decode("1e+0").unwrap(), "1e+0");
        assert_eq!(decode("1e%2B0").unwrap(), "1e+0");
        assert!(decode("%zz").is_err());
        assert!(decode("%4").is_err());
    }
}
