//! Live changes: the settings a user changes while a model trains (the keys
//! the link table marks `live`, today `beta` and `lr`), kept in the
//! experiment as a schedule, so that a link replays the run on screen.
//!
//! Link key `live`: entries `STEP:KEY:VALUE`, comma-separated, steps
//! ascending. `beta=1e-3&live=1000:beta:0.01,1500:lr:0.002` trains with
//! beta 1e-3 until step 1000 and with 0.01 from there on; the learning rate
//! becomes 0.002 at step 1500. A change at step S is in force for the
//! update that takes the model from step S to S + 1 and after, and for the
//! report at step S (the page shows a paused model's loss at the new beta
//! at once). With `beta_schedule` the anneal heads for the beta in force;
//! with `beta_mode=target` the adaptive beta ignores beta changes (they are
//! recorded all the same, as they were made).

use super::Invalid;
use super::keys::KEYS;
use super::values::{integer, printable};
use super::{ConfigError, Experiment};

/// One live change: from step `step` on, link key `key` takes `value` (the
/// key's canonical text).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LiveChange {
    pub step: u32,
    pub key: &'static str,
    pub value: String,
}

impl LiveChange {
    /// Writes the change's value into `experiment`.
    fn apply_to(&self, experiment: &mut Experiment) {
        if let Some(spec) = KEYS.iter().find(|k| k.name == self.key) {
            // Values were checked when the change was read or recorded.
            let _ = (spec.set)(experiment, &self.value);
        }
    }
}

/// The link keys that change while a model trains, in the table's order.
pub fn live_keys() -> impl Iterator<Item = &'static super::KeySpec> {
    KEYS.iter().filter(|k| k.live)
}

/// Sets every live key of `to` to its value in `from` (how a backend takes
/// the values in force).
pub fn copy_live(from: &Experiment, to: &mut Experiment) {
    for spec in live_keys() {
        // Both experiments are valid: the value is in the key's range.
        let _ = (spec.set)(to, &(spec.get)(from));
    }
}

fn live_key(name: &str) -> Result<&'static super::KeySpec, Invalid> {
    live_keys().find(|k| k.name == name).ok_or_else(|| {
        let names: Vec<_> = live_keys().map(|k| k.name).collect();
        invalid!(
            "'{}' cannot change while training (only {} can)",
            printable(name),
            names.join(" and ")
        )
    })
}

/// The canonical text of `value` for live key `spec`, checked against the
/// key's range.
fn canonical(spec: &super::KeySpec, value: &str) -> Result<String, Invalid> {
    let mut trial = Experiment::default();
    (spec.set)(&mut trial, value)?;
    spec.check(&trial)?;
    Ok((spec.get)(&trial))
}

/// Reads the `live` key: `STEP:KEY:VALUE,...`, steps from 1 ascending, each
/// key live and each value in its key's range, one change per key and step.
pub(super) fn parse_schedule(text: &str) -> Result<Vec<LiveChange>, Invalid> {
    let mut changes: Vec<LiveChange> = Vec::new();
    for (i, entry) in text.split(',').enumerate().filter(|(_, e)| !e.is_empty()) {
        let at = |m: String| invalid!("entry {} ('{}'): {m}", i + 1, printable(entry));
        let mut parts = entry.splitn(3, ':');
        let (Some(step), Some(key), Some(value)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(at("expected STEP:KEY:VALUE, e.g. 1000:beta:0.01".into()));
        };
        if step.trim() == "0" {
            return Err(at(
                "a change at step 0 is the key's own value: write it as KEY=VALUE".into(),
            ));
        }
        let step = integer(step, 1, u32::MAX as u64).map_err(|m| at(format!("step {m}")))? as u32;
        let spec = live_key(key).map_err(|m| at(m.0))?;
        let value = canonical(spec, value).map_err(|m| at(format!("{}: {m}", spec.name)))?;
        if let Some(last) = changes.last() {
            if step < last.step {
                return Err(at(format!(
                    "steps must ascend (step {step} comes after step {})",
                    last.step
                )));
            }
            if changes.iter().any(|c| c.step == step && c.key == spec.name) {
                return Err(at(format!("{} changes twice at step {step}", spec.name)));
            }
        }
        changes.push(LiveChange {
            step,
            key: spec.name,
            value,
        });
    }
    sort(&mut changes);
    Ok(changes)
}

/// Steps ascending; at one step, keys in the table's order.
fn sort(changes: &mut [LiveChange]) {
    let order = |key: &str| KEYS.iter().position(|k| k.name == key);
    changes.sort_by_key(|c| (c.step, order(c.key)));
}

/// The `live` key's text (empty when nothing changed).
pub(super) fn format_schedule(changes: &[LiveChange]) -> String {
    changes
        .iter()
        .map(|c| format!("{}:{}:{}", c.step, c.key, c.value))
        .collect::<Vec<_>>()
        .join(",")
}

impl Experiment {
    /// The experiment as it stands at step `step`: every live key at the
    /// value in force there, and no schedule (what a backend trains with,
    /// what the controls show, and what a restarted run begins from).
    pub fn at(&self, step: u32) -> Experiment {
        let mut now = Experiment {
            live: Vec::new(),
            ..self.clone()
        };
        for change in self.live.iter().take_while(|c| c.step <= step) {
            change.apply_to(&mut now);
        }
        now
    }

    /// The first step after `step` at which a live change is due.
    pub fn next_change_after(&self, step: u32) -> Option<u32> {
        self.live.iter().map(|c| c.step).find(|&s| s > step)
    }

    /// Records that live key `key` became `value` at step `step`: the
    /// key's later changes are dropped (they had not happened in the run
    /// that made this one), a change at step 0 becomes the key's own value,
    /// and a change to the value already in force is not recorded. Errors
    /// name the key and its range, or say that it cannot change live.
    pub fn record_live(&mut self, step: u32, key: &str, value: &str) -> Result<(), ConfigError> {
        let spec = live_key(key).map_err(|m| ConfigError::new(&printable(key), m))?;
        let value = canonical(spec, value).map_err(|m| ConfigError::new(spec.name, m))?;
        let mut changed = self.clone();
        changed.live.retain(|c| c.key != spec.name || c.step < step);
        if step == 0 {
            (spec.set)(&mut changed, &value).map_err(|m| ConfigError::new(spec.name, m))?;
        } else if (spec.get)(&changed.at(step)) != value {
            changed.live.push(LiveChange {
                step,
                key: spec.name,
                value,
            });
            sort(&mut changed.live);
        }
        changed.validate()?;
        *self = changed;
        Ok(())
    }

    /// Checks the experiment at every step where the schedule changes it
    /// (a live beta of 0 with log annealing, say), in one pass.
    pub(super) fn validate_schedule(&self) -> Result<(), ConfigError> {
        let mut now = self.at(0);
        for change in &self.live {
            change.apply_to(&mut now);
            now.validate().map_err(|e| {
                ConfigError::new(
                    "live",
                    format!(
                        "at step {} ({}={}): {e}",
                        change.step, change.key, change.value
                    ),
                )
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_read_write_and_apply() {
        let changes = parse_schedule("1500:lr:0.002,1000:beta:1e-2").unwrap_err();
        assert!(changes.0.contains("steps must ascend"), "{changes}");
        let changes = parse_schedule("1000:beta:1e-2,1000:lr:2e-3,1500:beta:0.1").unwrap();
        assert_eq!(
            format_schedule(&changes),
            "1000:beta:0.01,1000:lr:0.002,1500:beta:0.1"
        );
        let e = Experiment {
            live: changes,
            ..Default::default()
        };
        assert_eq!(e.at(999).beta, 1e-3);
        assert_eq!(e.at(1000).beta, 0.01);
        assert_eq!(e.at(1000).lr, 0.002);
        assert_eq!(e.at(2000).beta, 0.1);
        assert!(e.at(2000).live.is_empty());
        assert_eq!(e.next_change_after(0), Some(1000));
        assert_eq!(e.next_change_after(1000), Some(1500));
        assert_eq!(e.next_change_after(1500), None);
    }

    #[test]
    fn bad_entries_name_what_is_wrong() {
        for (text, says) in [
            ("0:beta:0.1", "step 0"),
            ("10:hidden:8", "cannot change while training"),
            ("10:beta:-1", "beta: -1 is out of range"),
            ("10:beta", "expected STEP:KEY:VALUE"),
            ("10:beta:0.1,10:beta:0.2", "beta changes twice at step 10"),
            ("x:beta:0.1", "not a whole number"),
        ] {
            let error = parse_schedule(text).unwrap_err();
            assert!(error.0.contains(says), "{text}: {error}");
        }
    }

    #[test]
    fn recording_drops_later_changes_and_folds_step_zero() {
        let mut e = Experiment::default();
        e.record_live(0, "beta", "0.01").unwrap();
        assert_eq!((e.beta, e.live.len()), (0.01, 0));
        e.record_live(500, "beta", "0.1").unwrap();
        e.record_live(700, "lr", "0.001").unwrap();
        e.record_live(900, "beta", "1").unwrap();
        // Back at step 600 (a restored run), beta changes again: the change
        // at 900 had not happened there; the lr change at 700 stays.
        e.record_live(600, "beta", "0.2").unwrap();
        assert_eq!(
            format_schedule(&e.live),
            "500:beta:0.1,600:beta:0.2,700:lr:0.001"
        );
        // A change to the value in force records nothing.
        e.record_live(800, "beta", "0.2").unwrap();
        assert_eq!(e.live.len(), 3);
        let refused = e.record_live(800, "k", "3").unwrap_err();
        assert_eq!(refused.key, "k");
        assert!(e.record_live(800, "lr", "0").is_err());
        assert_eq!(e.live.len(), 3, "a refused change leaves the schedule");
    }
}
