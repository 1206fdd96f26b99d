//! What values each link key takes (`Kind`): the one place its limits are
//! written. Validation, `ibp --help` and the page's controls (through
//! `schema()`) all read them from here.

use super::Invalid;
use super::values::{integer, optional_real, printable, real, widths};
use super::{DataName, Experiment, KEYS};
use serde::Serialize;

/// A range of real numbers; an open end excludes its bound.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub min: f64,
    pub max: f64,
    pub min_open: bool,
    pub max_open: bool,
    /// Spans decades: the page offers a logarithmic slider over this range
    /// (a number box takes any value of the interval).
    pub log_slider: Option<(f64, f64)>,
}

impl Interval {
    /// [min, max].
    pub const fn closed(min: f64, max: f64) -> Interval {
        Interval {
            min,
            max,
            min_open: false,
            max_open: false,
            log_slider: None,
        }
    }

    /// (min, max]: above min, at most max.
    pub const fn above(min: f64, max: f64) -> Interval {
        Interval {
            min_open: true,
            ..Interval::closed(min, max)
        }
    }

    /// [min, max): min to below max.
    pub const fn below(min: f64, max: f64) -> Interval {
        Interval {
            max_open: true,
            ..Interval::closed(min, max)
        }
    }

    /// The same interval, with a log slider over [lo, hi].
    pub const fn log(self, lo: f64, hi: f64) -> Interval {
        Interval {
            log_slider: Some((lo, hi)),
            ..self
        }
    }

    fn contains(&self, v: f64) -> bool {
        let low = if self.min_open {
            v > self.min
        } else {
            v >= self.min
        };
        let high = if self.max_open {
            v < self.max
        } else {
            v <= self.max
        };
        v.is_finite() && low && high
    }

    /// "0 to 1000", "above 0, at most 10", "0 to below 1".
    pub fn describe(&self) -> String {
        match (self.min_open, self.max_open) {
            (false, false) => format!("{} to {}", self.min, self.max),
            (true, false) => format!("above {}, at most {}", self.min, self.max),
            (false, true) => format!("{} to below {}", self.min, self.max),
            (true, true) => format!("above {}, below {}", self.min, self.max),
        }
    }

    fn check(&self, v: f64) -> Result<(), Invalid> {
        if self.contains(v) {
            Ok(())
        } else {
            Err(invalid!(
                "{v} is out of range (allowed: {})",
                self.describe()
            ))
        }
    }
}

/// The values a key takes.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// The link format version.
    Version,
    /// One of named choices.
    Choice(fn() -> Vec<&'static str>),
    /// A whole number from `min` to `max`.
    Integer { min: u64, max: u64 },
    /// A real number in the interval.
    Real(Interval),
    /// A real number in the interval, or empty.
    OptionalReal(Interval),
    /// 0 or 1.
    Flag,
    /// Layer widths, a comma list.
    Widths { max_layers: usize, max_units: usize },
    /// A subset of these names, a comma list.
    Set(&'static [&'static str]),
    /// Link keys, a comma list.
    Keys,
    /// Live changes, `STEP:KEY:VALUE` entries (see `live`).
    Schedule,
}

impl Kind {
    /// Checks the text a key writes (`KeySpec::get`) against the limits.
    pub fn check(&self, text: &str) -> Result<(), Invalid> {
        match self {
            Kind::Integer { min, max } => integer(text, *min, *max).map(|_| ()),
            Kind::Real(range) => range.check(real(text)?),
            Kind::OptionalReal(range) => match optional_real(text)? {
                Some(v) => range.check(v),
                None => Ok(()),
            },
            Kind::Widths {
                max_layers,
                max_units,
            } => check_widths(&widths(text)?, *max_layers, *max_units),
            _ => Ok(()),
        }
    }

    /// The allowed values, for `ibp --help`.
    pub fn describe(&self) -> String {
        match self {
            Kind::Version => "1".into(),
            Kind::Choice(options) => options().join("|"),
            Kind::Integer { min, max } => format!("{min} to {max}"),
            Kind::Real(range) => range.describe(),
            Kind::OptionalReal(range) => format!("{}, or empty", range.describe()),
            Kind::Flag => "0|1".into(),
            Kind::Widths {
                max_layers,
                max_units,
            } => format!("at most {max_layers} layers of 1 to {max_units} units"),
            Kind::Set(names) => format!("comma list of {}", names.join(",")),
            Kind::Keys => "comma list of link keys".into(),
            Kind::Schedule => {
                let keys: Vec<_> = super::live::live_keys().map(|k| k.name).collect();
                format!(
                    "comma list of STEP:KEY:VALUE, KEY one of {}",
                    keys.join("|")
                )
            }
        }
    }
}

fn check_widths(widths: &[usize], max_layers: usize, max_units: usize) -> Result<(), Invalid> {
    if widths.len() > max_layers {
        return Err(invalid!(
            "{} layers (allowed: at most {max_layers})",
            widths.len()
        ));
    }
    match widths.iter().position(|&h| h == 0 || h > max_units) {
        Some(i) => Err(invalid!(
            "layer {} has {} units (allowed: 1 to {max_units})",
            i + 1,
            widths[i]
        )),
        None => Ok(()),
    }
}

/// Reads a comma list of names, each one of `allowed` (`what` names them in
/// errors); returns them in `allowed`'s order, each once.
pub(super) fn subset(text: &str, allowed: &[&str], what: &str) -> Result<Vec<String>, Invalid> {
    let mut chosen = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !allowed.contains(&name) {
            return Err(invalid!("'{}' is not {what}", printable(name)));
        }
        chosen.push(name);
    }
    Ok(allowed
        .iter()
        .filter(|a| chosen.contains(a))
        .map(|a| a.to_string())
        .collect())
}

/// One key as the page builds its control from it.
#[derive(Clone, Debug, Serialize)]
pub struct KeySchema {
    pub name: &'static str,
    /// What the page calls the key (`KeySpec::label`).
    pub label: &'static str,
    /// version, choice, integer, real, flag, widths, set, keys, schedule.
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<&'static str>>,
    /// The options the page's menu offers (some need the CLI, or a file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_options: Option<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// The bound itself is not allowed.
    pub min_open: bool,
    pub max_open: bool,
    /// Empty text is allowed (no value).
    pub optional: bool,
    /// The range of a logarithmic slider, when the key spans decades.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_slider: Option<[f64; 2]>,
    /// The value a link without this key takes.
    pub default: String,
    /// Changes while the model trains (otherwise the run restarts).
    pub live: bool,
    /// Only the page uses it (the views, the hidden controls).
    pub page_only: bool,
    /// What the key means.
    pub description: &'static str,
    /// The allowed values, in words.
    pub allowed: String,
}

/// Every link key, in the order links are written.
pub fn schema() -> Vec<KeySchema> {
    let defaults = Experiment::default();
    KEYS.iter()
        .map(|spec| {
            let interval = match spec.kind {
                Kind::Real(i) | Kind::OptionalReal(i) => Some(i),
                _ => None,
            };
            let (min, max) = match spec.kind {
                Kind::Integer { min, max } => (Some(min as f64), Some(max as f64)),
                _ => (interval.map(|i| i.min), interval.map(|i| i.max)),
            };
            let options = match spec.kind {
                Kind::Choice(options) => Some(options()),
                Kind::Set(names) => Some(names.to_vec()),
                Kind::Flag => Some(vec!["0", "1"]),
                _ => None,
            };
            let in_menu = |o: &&str| DataName::from_name(o).is_some_and(DataName::in_page_menu);
            KeySchema {
                name: spec.name,
                label: spec.label,
                kind: kind_name(&spec.kind),
                page_options: (spec.name == "data")
                    .then(|| options.iter().flatten().copied().filter(in_menu).collect()),
                options,
                min,
                max,
                min_open: interval.is_some_and(|i| i.min_open),
                max_open: interval.is_some_and(|i| i.max_open),
                optional: matches!(spec.kind, Kind::OptionalReal(_)),
                log_slider: interval.and_then(|i| i.log_slider).map(|(a, b)| [a, b]),
                default: (spec.get)(&defaults),
                live: spec.live,
                page_only: matches!(spec.kind, Kind::Set(_) | Kind::Keys),
                description: spec.doc,
                allowed: spec.kind.describe(),
            }
        })
        .collect()
}

fn kind_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Version => "version",
        Kind::Choice(_) => "choice",
        Kind::Integer { .. } => "integer",
        Kind::Real(_) | Kind::OptionalReal(_) => "real",
        Kind::Flag => "flag",
        Kind::Widths { .. } => "widths",
        Kind::Set(_) => "set",
        Kind::Keys => "keys",
        Kind::Schedule => "schedule",
    }
}
