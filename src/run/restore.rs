//! Going back: the state a run keeps and returns to. A checkpoint on
//! demand, `restore` to the last one (after a divergence), resuming from
//! saved weights or a saved training state, and reading weights across a
//! GPU-to-CPU fallback (with the test hook that loses the device). The
//! policies that keep checkpoints and fall back are in `state.rs`.

use super::state::Status;
use super::{Checkpoint, Event, Run};
use crate::error::Result;
use crate::model::Params;

impl Run {
    /// Goes back to the last checkpoint; returns its step, or None when
    /// there is none. A diverged run trains again from there, with the live
    /// values in force at that step.
    pub fn restore(&mut self) -> Result<Option<u32>> {
        let Some(saved) = &self.saved else {
            return Ok(None);
        };
        let step = saved.step();
        self.backend.restore(saved)?;
        if self.status == Status::Diverged {
            self.status = Status::Training;
        }
        self.forget_after(step);
        // Live changes made after the restored step had not happened there:
        // the run (and its link) continue as the replay of the link would.
        self.experiment.live.retain(|c| c.step <= step);
        self.sync_live();
        Ok(Some(step))
    }

    /// Continues from saved weights at `step` (a reloaded page).
    pub async fn load_params(&mut self, params: &Params<f32>, step: u32) -> Result<()> {
        self.backend.load_params(params, step);
        self.live_stale = true;
        self.saved = None;
        self.last_good = None;
        self.keep_checkpoint(true).await
    }

    /// The trained weights of replica `replica`; where the GPU fails while
    /// they are read (a device lost between two slices) and the run may fall
    /// back, the run moves to the CPU from its last checkpoint first, with a
    /// BackendChanged event in `events`, and the weights are that state's.
    pub async fn params_or_recover(
        &mut self,
        replica: usize,
        events: &mut Vec<Event>,
    ) -> Result<Params<f32>> {
        match self.backend.params(replica).await {
            Ok(params) => Ok(params),
            Err(error) => {
                self.recover(Err(error), events).await?;
                self.backend.params(replica).await
            }
        }
    }

    /// Keeps the state now as the one to go back to (once a run opens).
    pub async fn checkpoint(&mut self) -> Result<()> {
        let result = self.keep_checkpoint(true).await;
        self.recover(result, &mut Vec::new()).await
    }

    /// The whole training state now, one per replica, in the CPU's form
    /// (what `saved::SavedRun` writes to a file).
    pub async fn state(&self) -> Result<Vec<crate::state::TrainState>> {
        Ok(self.backend.checkpoint().await?.to_cpu())
    }

    /// Continues from a kept state, on either backend: the next steps are
    /// the ones the saved run would have taken (bit for bit on the CPU).
    pub fn resume(&mut self, states: Vec<crate::state::TrainState>) -> Result<()> {
        self.backend.restore(&Checkpoint::Cpu(states))?;
        self.live_stale = true;
        self.saved = None;
        self.last_checkpoint_ms = f64::NEG_INFINITY;
        self.last_good = None;
        self.status = Status::Training;
        Ok(())
    }

    /// Destroys the GPU device, as a driver reset would (a test hook).
    pub fn lose_device(&self) {
        self.backend.lose_device();
    }
}
