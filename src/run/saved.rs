//! A run's whole training state in a file, for runs that stop and resume
//! (`ibp train --checkpoint FILE` and `--resume FILE`).
//!
//! ```text
//! ibp-checkpoint-1\n
//! {"link": ..., "sweep": ..., "step": ..., "replicas": [...], "numbers": N, "crc32": ...}\n
//! N little-endian f32 numbers
//! ```
//!
//! Per replica, in order: the parameters, Adam's first and second moments,
//! then the averaged weights when `ema` > 0; each as every layer (encoder
//! first) row-major W then b. Adam's update count is the step. The random
//! streams need no position: batches and noise are keyed by seed and step
//! (docs/architecture.md), so the step is where they resume. A resumed CPU run
//! prints the same bytes as one that never stopped.

use crate::error::{Error, Result};
use crate::geco::Geco;
use crate::model::{Params, Shape};
use crate::state::Adam;
use crate::state::TrainState;
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "ibp-checkpoint-1";

/// What the header says of one replica beyond its numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplicaState {
    /// Adaptive beta (`beta_mode=target`): its value and moving average.
    pub geco_beta: f32,
    pub geco_average: Option<f32>,
    /// The previous step's constraint, folded in at the next step.
    pub last_constraint: Option<f32>,
}

/// The header line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// The experiment (a share link's query).
    pub link: String,
    /// The `--sweep` spec the replicas came from, if any.
    pub sweep: Option<String>,
    /// Steps taken when the state was kept.
    pub step: u32,
    /// Seconds the run had trained, over all its parts.
    #[serde(default)]
    pub seconds: f64,
    pub replicas: Vec<ReplicaState>,
    /// f32 numbers after the header.
    pub numbers: usize,
    /// CRC-32 of those numbers' bytes.
    pub crc32: u32,
}

/// A run's state as read from or written to a file.
pub struct SavedRun {
    pub link: String,
    pub sweep: Option<String>,
    pub seconds: f64,
    pub checkpoints: Vec<TrainState>,
}

impl SavedRun {
    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut numbers = Vec::new();
        for c in &self.checkpoints {
            push(&c.params, &mut numbers);
            push(&c.adam.m, &mut numbers);
            push(&c.adam.v, &mut numbers);
            if let Some(ema) = &c.ema {
                push(ema, &mut numbers);
            }
        }
        let body: &[u8] = bytemuck::cast_slice(&numbers);
        let header = Header {
            link: self.link.clone(),
            sweep: self.sweep.clone(),
            step: self.checkpoints.first().map_or(0, |c| c.step),
            seconds: self.seconds,
            replicas: self.checkpoints.iter().map(replica_state).collect(),
            numbers: numbers.len(),
            crc32: crc32fast::hash(body),
        };
        let json = serde_json::to_string(&header).expect("headers serialise");
        let mut bytes = format!("{FORMAT}\n{json}\n").into_bytes();
        bytes.extend_from_slice(body);
        bytes
    }

    /// Writes the file whole or not at all: a temporary file beside it,
    /// then a rename, so a run killed while saving keeps its last state.
    pub fn write(&self, path: &std::path::Path) -> Result<()> {
        let temporary = path.with_extension("partial");
        let named = |e: std::io::Error| Error::internal(format!("{}: {e}", path.display()));
        std::fs::write(&temporary, self.to_bytes()).map_err(named)?;
        std::fs::rename(&temporary, path).map_err(named)
    }
}

fn replica_state(c: &TrainState) -> ReplicaState {
    ReplicaState {
        geco_beta: c.geco.beta,
        geco_average: c.geco.average,
        last_constraint: c.last_constraint,
    }
}

/// A checkpoint file split into its header and numbers, checked for
/// format, length and checksum; the numbers take a shape with `states`.
pub struct CheckpointFile {
    pub header: Header,
    numbers: Vec<f32>,
}

impl CheckpointFile {
    /// Reads the header and checks the numbers; errors say what is wrong.
    pub fn parse(bytes: &[u8]) -> std::result::Result<CheckpointFile, Error> {
        let not_ours = || {
            Error::data(format!(
                "not an ibp checkpoint (it does not start with '{FORMAT}')"
            ))
        };
        let rest = bytes
            .strip_prefix(format!("{FORMAT}\n").as_bytes())
            .ok_or_else(not_ours)?;
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or(Error::data("the header line is cut off"))?;
        let header: Header = serde_json::from_slice(&rest[..end])
            .map_err(|e| Error::data(format!("the header is not valid: {e}")))?;
        let body = &rest[end + 1..];
        if body.len() != 4 * header.numbers {
            return Err(Error::data(format!(
                "the file is cut off or padded: {} bytes of numbers where the header says {} \
                 (resume from an earlier checkpoint, or start again)",
                body.len(),
                4 * header.numbers
            )));
        }
        if crc32fast::hash(body) != header.crc32 {
            return Err(Error::data(
                "the numbers do not match their checksum: the file is damaged",
            ));
        }
        let numbers = body
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        Ok(CheckpointFile { header, numbers })
    }

    /// The replicas' states for a model of `shape`, with or without the
    /// averaged weights; an error when the numbers are another model's.
    pub fn states(&self, shape: &Shape, ema: bool) -> std::result::Result<Vec<TrainState>, Error> {
        let per_replica = shape.parameter_count() * if ema { 4 } else { 3 };
        let expected = per_replica * self.header.replicas.len();
        if self.numbers.len() != expected {
            return Err(Error::data(format!(
                "it holds {} numbers, but {} replicas of this model need {expected}",
                self.numbers.len(),
                self.header.replicas.len()
            )));
        }
        let mut at = 0;
        let mut take = || {
            let params = pull(shape, &self.numbers[at..]);
            at += shape.parameter_count();
            params
        };
        let step = self.header.step;
        Ok(self
            .header
            .replicas
            .iter()
            .map(|r| TrainState {
                params: take(),
                adam: Adam {
                    m: take(),
                    v: take(),
                    t: step,
                },
                ema: ema.then(&mut take),
                step,
                geco: Geco {
                    beta: r.geco_beta,
                    average: r.geco_average,
                },
                last_constraint: r.last_constraint,
            })
            .collect())
    }
}

/// Appends every layer's W (row-major) then b.
fn push(params: &Params<f32>, out: &mut Vec<f32>) {
    for layer in params.layers() {
        out.extend(layer.w.iter());
        out.extend(layer.b.iter());
    }
}

/// Parameters of `shape` from the front of `numbers` (long enough: checked
/// by the caller).
fn pull(shape: &Shape, numbers: &[f32]) -> Params<f32> {
    let mut params = Params::zeros(shape);
    let mut at = 0;
    for layer in params.layers_mut() {
        for (w, &x) in layer.w.iter_mut().zip(&numbers[at..]) {
            *w = x;
        }
        at += layer.w.len();
        for (b, &x) in layer.b.iter_mut().zip(&numbers[at..]) {
            *b = x;
        }
        at += layer.b.len();
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Experiment;

    fn saved(link: &str) -> (SavedRun, Shape) {
        let experiment = Experiment::from_link(link).unwrap();
        let dataset = crate::data::load(&experiment, &Default::default()).unwrap();
        let mut trainer = crate::cpu::CpuTrainer::new(experiment, dataset);
        for _ in 0..3 {
            trainer.train_step();
        }
        let shape = trainer.model.shape.clone();
        let run = SavedRun {
            link: link.into(),
            sweep: None,
            seconds: 1.5,
            checkpoints: vec![trainer.checkpoint()],
        };
        (run, shape)
    }

    #[test]
    fn a_state_reads_back_as_written() {
        let (run, shape) = saved("data=circle&hidden=5,3&k=2&ema=0.9");
        let file = CheckpointFile::parse(&run.to_bytes()).unwrap();
        assert_eq!(file.header.step, 3);
        let states = file.states(&shape, true).unwrap();
        let (a, b) = (&states[0], &run.checkpoints[0]);
        assert_eq!(a.params, b.params);
        assert_eq!((&a.adam.m, &a.adam.v, a.adam.t), (&b.adam.m, &b.adam.v, 3));
        assert_eq!(a.ema, b.ema);
        // 2-5-3-(2 mu, 2 rho)-2: 15 + 18 + 16 + 6 parameters, four copies.
        assert_eq!(file.header.numbers, 4 * 55);
    }

    #[test]
    fn damaged_files_say_what_is_wrong() {
        let (run, shape) = saved("data=circle&hidden=5&k=2");
        let bytes = run.to_bytes();
        let cut = CheckpointFile::parse(&bytes[..bytes.len() - 8])
            .err()
            .unwrap();
        assert!(cut.message.contains("cut off or padded"), "{cut}");
        assert_eq!(cut.kind, crate::error::ErrorKind::Data);
        let mut flipped = bytes.clone();
        *flipped.last_mut().unwrap() ^= 1;
        let damaged = CheckpointFile::parse(&flipped).err().unwrap();
        assert!(damaged.message.contains("checksum"), "{damaged}");
        let other = CheckpointFile::parse(b"ibp-weights-1\n{}").err().unwrap();
        assert!(other.message.contains("not an ibp checkpoint"), "{other}");
        let file = CheckpointFile::parse(&bytes).unwrap();
        let wrong = file.states(&shape, true).err().unwrap();
        assert!(wrong.message.contains("need"), "{wrong}");
    }
}
