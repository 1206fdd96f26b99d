//! The run's policies: what happens after a slice of steps (report,
//! divergence check, checkpoint, snapshot) and when the GPU fails.

use super::{
    Backend, BackendKind, CHECKPOINT_MS, CpuReplicas, Event, MAX_GPU_CHECKPOINT_NUMBERS, Run,
    SNAPSHOT_MS, now_ms,
};
use crate::error::{Error, ErrorKind, Result};
use crate::report::Report;

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Status {
    Training,
    Diverged,
    Finished,
}

/// The first replica of `reports` with a quantity that is not finite, and
/// that quantity, named for a person.
fn non_finite(reports: &[Report]) -> Option<(usize, &'static str)> {
    reports.iter().enumerate().find_map(|(i, r)| {
        let quantity = if !r.loss.is_finite() {
            Some("loss")
        } else if !r.rate_bits.is_finite() {
            Some("rate")
        } else if !r.izy_bits.is_none_or(f64::is_finite) {
            Some("I(Z;Y) bound")
        } else if !r.distortion_bits.is_none_or(f64::is_finite) {
            Some("distortion")
        } else {
            None
        };
        quantity.map(|q| (i, q))
    })
}

impl Run {
    pub(super) async fn train_and_measure(
        &mut self,
        count: u32,
        events: &mut Vec<Event>,
    ) -> Result<()> {
        let began = now_ms();
        self.backend.train(count);
        self.backend.finished().await?;
        let step = self.backend.steps();
        let train_ms = now_ms() - began;
        events.push(Event::Progress { step, train_ms });
        // Reports come every `report` steps and at every live change (the
        // page shows the model at the moment it changed).
        let changes_here = self.experiment.live.iter().any(|c| c.step == step);
        if step.is_multiple_of(self.experiment.report_every) || changes_here {
            self.measure(false, events).await?;
        }
        if self.status == Status::Training && self.until == Some(step) {
            self.finish(events).await?;
        }
        if self.status == Status::Training {
            self.maybe_snapshot(events).await?;
        }
        Ok(())
    }

    /// Reports; a non-finite report stops the run instead of being emitted.
    pub(super) async fn measure(&mut self, is_final: bool, events: &mut Vec<Event>) -> Result<()> {
        // A change due at this step is in force for its report too.
        self.sync_live_if_due();
        let began = now_ms();
        let reports = self.backend.report(is_final).await?;
        let report_ms = now_ms() - began;
        if let Some((replica, quantity)) = non_finite(&reports) {
            self.status = Status::Diverged;
            events.push(Event::Diverged {
                step: self.backend.steps(),
                replica,
                quantity: quantity.into(),
                last_good_step: self.last_good.as_ref().map(|r| r[0].step),
                restorable_step: self.saved.as_ref().map(|c| c.step()),
            });
            return Ok(());
        }
        self.last_good = Some(reports.clone());
        if is_final {
            events.push(Event::Finished { reports });
            self.status = Status::Finished;
        } else {
            events.push(Event::Report { reports, report_ms });
            self.keep_checkpoint(false).await?;
        }
        Ok(())
    }

    pub(super) async fn finish(&mut self, events: &mut Vec<Event>) -> Result<()> {
        self.measure(true, events).await
    }

    /// Keeps the state as the one to go back to, when the policy says so
    /// (or always with `now`, within the size limit).
    pub(super) async fn keep_checkpoint(&mut self, now: bool) -> Result<()> {
        let numbers = self.backend.parameters() * self.backend.replicas();
        let gpu = self.backend.kind() == BackendKind::Gpu;
        if gpu && numbers > MAX_GPU_CHECKPOINT_NUMBERS {
            return Ok(());
        }
        let cheap = numbers <= self.backend.cheap_checkpoint_limit();
        let clock = now_ms();
        if now || cheap || clock - self.last_checkpoint_ms >= CHECKPOINT_MS {
            self.saved = Some(self.backend.checkpoint().await?);
            self.last_checkpoint_ms = clock;
        }
        Ok(())
    }

    async fn maybe_snapshot(&mut self, events: &mut Vec<Event>) -> Result<()> {
        let interval = SNAPSHOT_MS + self.backend.parameters() as f64 / 1000.0;
        let clock = now_ms();
        if self.snapshots && clock - self.last_snapshot_ms > interval {
            self.last_snapshot_ms = clock;
            let snapshot = Box::new(self.snapshot().await?);
            events.push(Event::Snapshot { snapshot });
        }
        Ok(())
    }

    /// Passes `result` on, unless the GPU failed and the run may fall back:
    /// then the run continues on the CPU from its last checkpoint.
    pub(super) async fn recover(
        &mut self,
        result: Result<()>,
        events: &mut Vec<Event>,
    ) -> Result<()> {
        let error = match result {
            Err(e) if e.is_device_failure() && self.can_fall_back() => e,
            other => return other,
        };
        let from = self.backend.kind();
        let mut cpu = CpuReplicas::new(&self.experiment, self.dataset.clone(), &self.replicas);
        let step = match &self.saved {
            Some(saved) => {
                cpu.restore(saved)?;
                saved.step()
            }
            None => 0,
        };
        self.backend = Box::new(cpu);
        self.live_stale = true;
        self.status = Status::Training;
        self.forget_after(step);
        self.keep_checkpoint(true).await?;
        events.push(Event::BackendChanged {
            from,
            to: BackendKind::Cpu,
            label: self.backend.label(),
            reason: error.message,
            step,
        });
        Ok(())
    }

    fn can_fall_back(&self) -> bool {
        self.fall_back && self.backend.kind() == BackendKind::Gpu
    }

    /// Drops what the run knew after `step` (it went back there).
    pub(super) fn forget_after(&mut self, step: u32) {
        if self.last_good.as_ref().is_some_and(|r| r[0].step > step) {
            self.last_good = None;
        }
    }
}

impl Error {
    /// Whether the run may leave the backend over this error.
    fn is_device_failure(&self) -> bool {
        self.kind == ErrorKind::Gpu
    }
}
