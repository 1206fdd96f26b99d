//! The evaluation plan of a trainer, built once per experiment: the test
//! split and the training subset in chunks of `EVAL_ROWS`, each chunk's
//! encoder once and S noise samples through the decoder, their sums into
//! the metric slots a report reads.

use super::plans::Stack;
use super::*;
use crate::gpu::ops::{Noise, Pass, Sums};
use crate::gpu::plan::PlanBuilder;

/// Which split an evaluation pass measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Split {
    /// The held-out split: data term, KL, accuracy, the one-sample accuracy
    /// and the KL per dimension.
    Test,
    /// The training subset: data term, KL and accuracy.
    TrainSubset,
}

impl GpuTrainer {
    /// Evaluation of the test split and the training subset, in chunks of
    /// `EVAL_ROWS`, each with S noise samples, into the metric slots.
    pub(super) fn build_eval_plan(&self) -> Plan {
        let mut b = self.builder();
        for split in [Split::Test, Split::TrainSubset] {
            let n = match split {
                Split::Test => self.n_test,
                Split::TrainSubset => self.n_train_eval,
            };
            for start in (0..n).step_by(EVAL_ROWS) {
                self.eval_chunk(&mut b, split, start, EVAL_ROWS.min(n - start));
            }
        }
        b.finish()
    }

    /// One chunk of a split: the encoder once, then S noise samples through
    /// the decoder, their sums into the split's metric slots.
    fn eval_chunk(&self, b: &mut PlanBuilder, split: Split, start: usize, rows: usize) {
        let buffers = &self.buffers;
        let (source, slot) = match split {
            Split::Test => ([&buffers.test_x, &buffers.test_y], SLOT_TEST),
            Split::TrainSubset => ([&buffers.train_x, &buffers.train_y], SLOT_TRAIN_EVAL),
        };
        self.load_rows(b, source, start, rows);
        let tag = format!("{split:?} rows {start} ");
        self.forward(b, Stack::Encoder, &buffers.batch_x, rows, &tag);
        let k = self.model.shape.latent;
        let kl = Place::new(&buffers.kl, 0, self.rows * k);
        let add = |slot: usize| Slot::add(slot, SLOTS, 1.0);
        for sample in 0..self.experiment.eval_samples {
            let noise = Noise::Eval {
                row_offset: start,
                sample,
            };
            let scale = self.experiment.noise_scale();
            b.reparameterize(
                &format!("{tag}reparameterize"),
                self.latent(rows),
                &self.latent_buffers(),
                noise,
                scale,
            );
            if sample == 0 {
                b.reduce(
                    &format!("{tag}kl"),
                    kl,
                    rows * k,
                    &buffers.metrics,
                    add(slot + 1),
                );
            }
            self.forward(b, Stack::Decoder, &buffers.z, rows, &tag);
            let pass = Pass::Eval {
                first_sample: sample == 0,
            };
            self.data_term(b, &format!("{tag}data term"), rows, pass);
            // The first sample's probabilities alone: the one-sample accuracy.
            if sample == 0 && split == Split::Test && self.model.objective.predicts_label() {
                self.count_correct(b, &format!("{tag}single-sample"), rows, SLOT_TEST_SINGLE);
            }
        }
        if split == Split::Test {
            let dims = Place::new(&buffers.kl_dims, 0, k);
            b.column_sums(
                &format!("{tag}kl per dimension"),
                kl,
                (rows, k),
                dims,
                Sums::Accumulate,
            );
        }
        let head = self.head(rows);
        let terms = Place::new(&buffers.terms, 0, head.term_stride);
        let term_count = rows * head.term_stride / self.rows;
        b.reduce(
            &format!("{tag}data term"),
            terms,
            term_count,
            &buffers.metrics,
            add(slot),
        );
        if self.model.objective.predicts_label() {
            self.count_correct(b, &tag, rows, slot + 2);
        }
    }

    /// Adds the rows whose probabilities (in `d_out`) peak at their label
    /// to metric slot `slot`.
    fn count_correct(&self, b: &mut PlanBuilder, tag: &str, rows: usize, slot: usize) {
        let buffers = &self.buffers;
        let label = format!("{tag}accuracy");
        b.accuracy(
            &label,
            self.head(rows),
            &buffers.d_out,
            &buffers.batch_y,
            &buffers.correct,
        );
        let correct = Place::new(&buffers.correct, 0, self.rows);
        let slot = Slot::add(slot, SLOTS, 1.0);
        b.reduce(
            &format!("{tag}correct"),
            correct,
            rows,
            &buffers.metrics,
            slot,
        );
    }
}
