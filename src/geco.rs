//! Adaptive beta (`beta_mode=target`): beta as a Lagrange multiplier in the
//! style of GECO (Rezende & Viola 2018). After each step the constraint c
//! (rate - target in bits, or 100 (accuracy - target) on the training batch)
//! enters a moving average, and beta *= exp(geco_lr * average): a rate above
//! its target or an accuracy above its target raises beta (compress more),
//! the opposite lowers it. Both backends apply exactly this rule, in f32 with
//! the same operations (`shaders/geco.wgsl` is the twin).

use crate::config::{BetaMode, Experiment, MAX_BETA};

/// Decay of the constraint's moving average.
pub const DECAY: f64 = 0.99;
/// Beta stays within [BETA_FLOOR, MAX_BETA].
pub const BETA_FLOOR: f64 = 1e-8;
/// Accuracy constraints are counted in percentage points, so one step size
/// suits both kinds of target.
pub const ACCURACY_SCALE: f64 = 100.0;

/// What the batch statistic is compared with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// Bits of rate.
    Rate(f64),
    /// Fraction of the batch classified correctly.
    Accuracy(f64),
}

impl Target {
    /// The experiment's target, when beta adapts.
    pub fn of(experiment: &Experiment) -> Option<Target> {
        if experiment.beta_mode != BetaMode::Target {
            return None;
        }
        experiment
            .target_rate
            .map(Target::Rate)
            .or(experiment.target_acc.map(Target::Accuracy))
    }

    /// The constraint of a batch with mean KL `kl_nats` and `accuracy`.
    pub fn constraint(self, kl_nats: f32, accuracy: f32) -> f32 {
        match self {
            Target::Rate(bits) => kl_nats / std::f32::consts::LN_2 - bits as f32,
            Target::Accuracy(fraction) => ACCURACY_SCALE as f32 * (accuracy - fraction as f32),
        }
    }
}

/// The multiplier's state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Geco {
    pub beta: f32,
    /// Moving average of the constraint (None before the first step).
    pub average: Option<f32>,
}

impl Geco {
    pub fn new(beta: f64) -> Self {
        Geco {
            beta: beta as f32,
            average: None,
        }
    }

    /// Folds in one step's constraint and moves beta.
    pub fn update(&mut self, constraint: f32, lr: f64) {
        let decay = DECAY as f32;
        let average = match self.average {
            None => constraint,
            Some(a) => decay * a + (1.0 - decay) * constraint,
        };
        self.average = Some(average);
        self.beta = (self.beta * crate::fmath::exp(lr as f32 * average))
            .clamp(BETA_FLOOR as f32, MAX_BETA as f32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beta_rises_when_the_rate_is_above_target() {
        let mut g = Geco::new(1e-3);
        let target = Target::Rate(2.0);
        g.update(target.constraint(4.0 * std::f32::consts::LN_2, 0.0), 0.1);
        assert!((g.average.unwrap() - 2.0).abs() < 1e-6);
        assert!((g.beta as f64 - 1e-3 * 0.2f64.exp()).abs() < 1e-9);
        g.update(target.constraint(0.0, 0.0), 0.1);
        assert!((g.average.unwrap() - (0.99 * 2.0 - 0.02)).abs() < 1e-5);
        let mut a = Geco::new(1.0);
        a.update(Target::Accuracy(0.9).constraint(0.0, 0.8), 0.01);
        assert!(a.beta < 1.0, "accuracy below target lowers beta");
        let mut big = Geco::new(900.0);
        big.update(100.0, 1.0);
        assert_eq!(big.beta as f64, MAX_BETA);
    }
}
