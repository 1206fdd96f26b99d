//! The one training loop, `Run`: divergence stops a run at the same report
//! on both backends, checkpoints restore a run exactly, and a failing GPU
//! hands the run to the CPU through the same code the page uses.
mod common;

use ib_playground::config::Experiment;
use ib_playground::data::{self, Dataset, Sources};
use ib_playground::error::{Error, Result};
use ib_playground::gpu::{GpuTrainer, block_on};
use ib_playground::model::Params;
use ib_playground::report::Report;
use ib_playground::run::backend::{Pending, ready};
use ib_playground::run::{Backend, BackendKind, Checkpoint, CpuReplicas, Event, Run};
use ib_playground::sweep::{self, Replica, single};
use std::sync::Arc;

/// The circle toy at a learning rate of 10: the loss is NaN by step 10.
const CIRCLE_LR10: &str = "v=1&data=circle&hidden=16,16&k=2&beta=1e-3&lr=10&seed=1&report=10";
/// A batch of one at a large step on noisy spirals: NaN from step 610 on the CPU.
const SPIRAL_BATCH1: &str =
    "v=1&data=spiral&hidden=8&act=tanh&k=2&beta=1e-3&lr=1&batch=1&noise=0.5&seed=0&report=10";

fn setup(link: &str) -> (Experiment, Arc<Dataset>) {
    let experiment = Experiment::from_link(link).unwrap();
    let dataset = data::load(&experiment, &Sources::default()).unwrap();
    (experiment, Arc::new(dataset))
}

fn cpu_run(link: &str) -> Run {
    let (experiment, dataset) = setup(link);
    let replicas = single(&experiment);
    let backend = CpuReplicas::new(&experiment, dataset.clone(), &replicas);
    Run::new(Box::new(backend), experiment, dataset, replicas)
}

fn gpu_run(link: &str) -> Option<Run> {
    let (experiment, dataset) = setup(link);
    let replicas = single(&experiment);
    let ctx = common::device()?;
    let trainer = GpuTrainer::new(ctx, experiment.clone(), &dataset, replicas.clone()).unwrap();
    Some(Run::new(Box::new(trainer), experiment, dataset, replicas))
}

/// Every event of a run trained to its end (or its divergence).
fn events(run: &mut Run) -> Vec<Event> {
    let mut all = Vec::new();
    block_on(run.run_to_end(|e| all.push(e.clone()))).unwrap();
    all
}

/// (step, last finite report) of the run's divergence; every emitted
/// report must be finite.
fn divergence(all: &[Event]) -> (u32, Option<u32>) {
    for event in all {
        if let Event::Report { reports, .. } = event {
            assert!(reports.iter().all(Report::is_finite), "{reports:?}");
        }
    }
    let diverged = all.iter().find_map(|e| match e {
        Event::Diverged {
            step,
            last_good_step,
            quantity,
            ..
        } => {
            assert_eq!(quantity, "loss");
            Some((*step, *last_good_step))
        }
        _ => None,
    });
    diverged.expect("the run should diverge")
}

#[test]
fn the_circle_at_lr_10_stops_at_the_same_report_on_both_backends() {
    let mut cpu = cpu_run(CIRCLE_LR10).until(300);
    let at = divergence(&events(&mut cpu));
    assert_eq!(
        at,
        (10, None),
        "NaN at the first report, none finite before"
    );
    assert!(cpu.diverged());
    // Nothing more happens until the run is restored.
    assert!(block_on(cpu.advance(100)).unwrap().is_empty());
    let Some(gpu) = gpu_run(CIRCLE_LR10) else {
        return;
    };
    let mut gpu = gpu.until(300);
    assert_eq!(divergence(&events(&mut gpu)), at);
}

#[test]
fn the_spiral_at_batch_1_stops_cleanly_on_both_backends() {
    let mut cpu = cpu_run(SPIRAL_BATCH1).until(2000);
    assert_eq!(divergence(&events(&mut cpu)), (610, Some(600)));
    assert_eq!(cpu.last_good().unwrap()[0].step, 600);
    // The GPU follows the CPU to ~1e-5 for 50 steps; at lr 1 and batch 1
    // the trajectories then part (rounding grows chaotically) and the GPU
    // meets its NaN at another step. It must still stop cleanly at a report
    // with every emitted report finite.
    let Some(gpu) = gpu_run(SPIRAL_BATCH1) else {
        return;
    };
    let mut gpu = gpu.until(2000);
    let (step, last_good) = divergence(&events(&mut gpu));
    assert_eq!(step % 10, 0);
    assert_eq!(last_good, Some(step - 10));
}

#[test]
fn a_restored_run_repeats_itself_bit_for_bit() {
    let link = "v=1&data=moons&hidden=8&k=2&seed=3&report=50&lr=0.01";
    let mut straight = cpu_run(link).until(300);
    let expected = common::reports_of(&mut straight);
    // The same run, stopped after step 250, goes back to the checkpoint of
    // its last report (250) and trains the last 50 steps again.
    let mut again = cpu_run(link).until(300);
    while again.steps() < 250 {
        block_on(again.advance(u32::MAX)).unwrap();
    }
    block_on(again.advance(10)).unwrap();
    assert_eq!(again.steps(), 260);
    assert_eq!(again.restore().unwrap(), Some(250));
    assert_eq!(again.steps(), 250);
    let rest = common::reports_of(&mut again);
    assert_eq!(rest, expected[5..].to_vec());
}

#[test]
fn a_held_run_stops_at_its_step_once_then_trains_on() {
    // A lesson's pause at step 120, a report's step (every 40): no advance
    // crosses it however large, the report due there comes first, the next
    // advance says Held and trains nothing, and the one after trains on.
    let link = "v=1&data=moons&hidden=8&k=2&seed=3&report=40&lr=0.01";
    let mut run = cpu_run(link).until(300);
    run.hold_at(Some(120));
    let mut seen = Vec::new();
    while run.steps() < 120 {
        seen.extend(block_on(run.advance(u32::MAX)).unwrap());
        assert!(run.steps() <= 120, "trained past the hold: {}", run.steps());
    }
    let reported = |events: &[Event], step: u32| {
        events
            .iter()
            .any(|e| matches!(e, Event::Report { reports, .. } if reports[0].step == step))
    };
    assert!(
        reported(&seen, 120),
        "the report at the held step comes first"
    );
    let held = block_on(run.advance(u32::MAX)).unwrap();
    assert!(
        matches!(held.as_slice(), [Event::Held { step: 120 }]),
        "{held:?}"
    );
    assert_eq!(run.steps(), 120);
    let on = block_on(run.advance(u32::MAX)).unwrap();
    assert_eq!(run.steps(), 160, "trains on to the next report");
    assert!(reported(&on, 160));
    // The same steps as a run never held, bit for bit.
    let mut straight = cpu_run(link).until(160);
    let expected = common::reports_of(&mut straight);
    let held_reports: Vec<Vec<Report>> = seen
        .iter()
        .chain(&on)
        .filter_map(|e| match e {
            Event::Report { reports, .. } => Some(reports.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(held_reports, expected[..held_reports.len()].to_vec());
    // A hold on a step already passed is forgotten, never met.
    run.hold_at(Some(100));
    let later = block_on(run.advance(u32::MAX)).unwrap();
    assert!(!later.iter().any(|e| matches!(e, Event::Held { .. })));
    assert_eq!(run.steps(), 200);
}

#[test]
fn the_hidden_plane_is_the_reports_hidden_layers_without_z() {
    // What `ibp anchors` reads every 5 epochs: the encoder's layers of the
    // report at the same step, number for number, by binning and on the
    // exact plane (with binning's reading beside it), and no mu or Z.
    for extra in ["", "&quant=4&estimator=exact"] {
        let link =
            format!("v=1&data=var_u&hidden=6,4,3&act=tanh&k=2&seed=2&report=30&plane=1{extra}");
        let mut run = cpu_run(&link).until(60);
        let reports = common::reports_of(&mut run);
        let report = reports.last().unwrap()[0].clone();
        assert_eq!(report.step, 60);
        let hidden = block_on(run.hidden_plane()).unwrap();
        let names: Vec<&str> = hidden.iter().map(|l| l.layer.as_str()).collect();
        assert_eq!(names, ["encoder 1", "encoder 2", "encoder 3"], "{extra}");
        let layers = report.layers.unwrap();
        assert_eq!(layers.len(), 5, "three hidden, mu and Z: {extra}");
        assert_eq!(hidden[..], layers[..3], "{extra}");
        // A real reading: the last layer's I(X;T) above 1 bit and at most
        // log2 of var_u's 3,276 training patterns.
        assert!(hidden[2].ixt_bits > 1.0 && hidden[2].ixt_bits <= 3276f64.log2());
    }
}

#[test]
fn a_diverged_run_restores_and_trains_on_at_a_smaller_rate() {
    let mut run = cpu_run(CIRCLE_LR10).until(400);
    let _ = events(&mut run);
    assert!(run.diverged());
    assert_eq!(run.restore().unwrap(), Some(0));
    run.apply("lr", "0.01").unwrap();
    let reports = common::reports_of(&mut run);
    let last = &reports.last().unwrap()[0];
    assert!(last.is_final && last.step == 400 && last.is_finite());
    assert_eq!(last.lr, 0.01);
    assert!(last.test_acc.unwrap() > 0.8, "{last:?}");
}

/// A backend that answers like the CPU but calls itself a GPU, and fails
/// like a lost device at the first report at or after `fail_at`.
struct FailingGpu<B: Backend> {
    inner: B,
    /// Reports fail from this step on.
    fail_at: u32,
    /// Reading the weights fails from this step on.
    params_fail_at: u32,
}

impl<B: Backend> Backend for FailingGpu<B> {
    fn kind(&self) -> BackendKind {
        BackendKind::Gpu
    }
    fn label(&self) -> String {
        "a GPU that fails on demand".into()
    }
    fn steps(&self) -> u32 {
        self.inner.steps()
    }
    fn parameters(&self) -> usize {
        self.inner.parameters()
    }
    fn replicas(&self) -> usize {
        self.inner.replicas()
    }
    fn train(&mut self, count: u32) {
        self.inner.train(count)
    }
    fn finished(&self) -> Pending<'_, ()> {
        self.inner.finished()
    }
    fn report(&mut self, is_final: bool) -> Pending<'_, Vec<Report>> {
        if self.inner.steps() >= self.fail_at {
            return ready(Err(Error::gpu("the GPU device was lost (test)")));
        }
        self.inner.report(is_final)
    }
    fn train_loss(&self) -> Pending<'_, f64> {
        self.inner.train_loss()
    }
    fn checkpoint(&self) -> Pending<'_, Checkpoint> {
        self.inner.checkpoint()
    }
    fn restore(&mut self, checkpoint: &Checkpoint) -> Result<()> {
        self.inner.restore(checkpoint)
    }
    fn params(&self, replica: usize) -> Pending<'_, Params<f32>> {
        if self.inner.steps() >= self.params_fail_at {
            return ready(Err(Error::gpu("the GPU device was lost (test)")));
        }
        self.inner.params(replica)
    }
    fn load_params(&mut self, params: &Params<f32>, step: u32) {
        self.inner.load_params(params, step)
    }
    fn set_live(&mut self, in_force: &Experiment, replicas: &[Replica]) {
        self.inner.set_live(in_force, replicas)
    }
}

/// The BackendChanged event of a run: (from, to, step).
fn moved(all: &[Event]) -> (BackendKind, BackendKind, u32, String) {
    all.iter()
        .find_map(|e| match e {
            Event::BackendChanged {
                from,
                to,
                step,
                reason,
                ..
            } => Some((*from, *to, *step, reason.clone())),
            _ => None,
        })
        .expect("the run should move to the CPU")
}

#[test]
fn a_failing_gpu_hands_the_run_to_the_cpu_from_its_last_checkpoint() {
    let link = "v=1&data=moons&hidden=8&k=2&seed=4&report=50&ema=0.95";
    let mut reference = cpu_run(link).until(300);
    let expected = common::reports_of(&mut reference);
    let (experiment, dataset) = setup(link);
    let replicas = single(&experiment);
    let inner = CpuReplicas::new(&experiment, dataset.clone(), &replicas);
    let failing = FailingGpu {
        inner,
        fail_at: 120,
        params_fail_at: u32::MAX,
    };
    let mut run = Run::new(Box::new(failing), experiment, dataset, replicas)
        .until(300)
        .falling_back();
    let all = events(&mut run);
    let (from, to, step, reason) = moved(&all);
    assert_eq!((from, to, step), (BackendKind::Gpu, BackendKind::Cpu, 100));
    assert!(reason.contains("device was lost"), "{reason}");
    assert_eq!(run.backend().kind(), BackendKind::Cpu);
    // From the checkpoint at step 100 the CPU repeats the run exactly.
    let reports: Vec<Vec<Report>> = all
        .iter()
        .filter_map(|e| match e {
            Event::Report { reports, .. } | Event::Finished { reports } => Some(reports.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(reports, expected);
}

#[test]
fn a_gpu_lost_while_the_weights_are_read_hands_the_run_to_the_cpu() {
    // The page saves a run's weights between slices; a device lost just
    // before used to end the run with an error instead of moving it.
    let link = "v=1&data=moons&hidden=8&k=2&seed=4&report=50";
    let (experiment, dataset) = setup(link);
    let replicas = single(&experiment);
    let inner = CpuReplicas::new(&experiment, dataset.clone(), &replicas);
    let failing = FailingGpu {
        inner,
        fail_at: u32::MAX,
        params_fail_at: 150,
    };
    let mut run = Run::new(Box::new(failing), experiment, dataset, replicas)
        .until(300)
        .falling_back();
    while run.steps() < 150 {
        block_on(run.advance(u32::MAX)).unwrap();
    }
    let mut while_reading = Vec::new();
    let params = block_on(run.params_or_recover(0, &mut while_reading)).unwrap();
    let (from, to, step, reason) = moved(&while_reading);
    assert_eq!((from, to, step), (BackendKind::Gpu, BackendKind::Cpu, 150));
    assert!(reason.contains("device was lost"), "{reason}");
    assert_eq!(run.backend().kind(), BackendKind::Cpu);
    // The weights are those of the checkpoint it moved from: a CPU run's at
    // that step, bit for bit.
    let mut reference = cpu_run(link).until(150);
    events(&mut reference);
    assert_eq!(params, block_on(reference.params(0)).unwrap());
    // And the run trains on to its end on the CPU.
    let rest = events(&mut run);
    assert!(rest.iter().any(|e| matches!(e, Event::Finished { .. })));
}

#[test]
fn a_real_gpu_checkpoint_moves_to_the_cpu_with_its_average() {
    // The GPU's checkpoint is read back and turned into CPU state (the
    // averaged weights included); the rest of the run is the CPU's.
    let link = "v=1&data=moons&hidden=8&k=2&seed=4&report=50&ema=0.95";
    let mut reference = cpu_run(link).until(200);
    let expected = common::reports_of(&mut reference);
    let Some(ctx) = common::device() else { return };
    let (experiment, dataset) = setup(link);
    let replicas = single(&experiment);
    let inner = GpuTrainer::new(ctx, experiment.clone(), &dataset, replicas.clone()).unwrap();
    let failing = FailingGpu {
        inner,
        fail_at: 150,
        params_fail_at: u32::MAX,
    };
    let mut run = Run::new(Box::new(failing), experiment, dataset, replicas)
        .until(200)
        .falling_back();
    let all = events(&mut run);
    assert_eq!(moved(&all).2, 100);
    let last = match all.last() {
        Some(Event::Finished { reports }) => reports[0].clone(),
        other => panic!("the run should finish on the CPU: {other:?}"),
    };
    let want = &expected.last().unwrap()[0];
    assert_eq!((last.step, last.backend.as_str()), (200, "cpu"));
    for (what, got, want) in [
        ("loss", last.loss, want.loss),
        ("rate", last.rate_bits, want.rate_bits),
    ] {
        // The GPU's first 100 steps agree with the CPU's to ~5e-7.
        assert!(
            (got - want).abs() <= 1e-4 * want.abs().max(1.0),
            "{what}: moved {got}, CPU {want}"
        );
    }
}

#[test]
fn live_changes_are_checked_against_the_link_table() {
    let mut run = cpu_run("v=1&data=circle&hidden=8&k=2&seed=3&report=10");
    block_on(run.advance(7)).unwrap();
    run.apply("beta", "0.01").unwrap();
    run.apply("lr", "1e-4").unwrap();
    assert_eq!(
        run.experiment().to_link(),
        "v=1&seed=3&hidden=8&report=10&live=7:beta:0.01,7:lr:1e-4"
    );
    let bad = run.apply("beta", "-1").unwrap_err();
    assert_eq!(bad.key.as_deref(), Some("beta"));
    assert!(bad.message.contains("out of range"), "{}", bad.message);
    let not_live = run.apply("hidden", "8").unwrap_err();
    assert!(not_live.message.contains("cannot change while training"));
    assert_eq!(
        run.experiment().live.len(),
        2,
        "refused changes are not kept"
    );
}

/// Trains `run` to step `step` in stretches of at most 13 steps (as the
/// page's slices do), collecting its reports.
fn train_to(run: &mut Run, step: u32, reports: &mut Vec<Report>) {
    while run.steps() < step {
        let stretch = (step - run.steps()).min(13);
        for event in block_on(run.advance(stretch)).unwrap() {
            if let Event::Report { reports: r, .. } = event {
                reports.push(r[0].clone());
            }
        }
    }
}

/// Live changes as the page makes them: applied at the run's step, then
/// the model reported at once (a report at that step replaces the last).
fn change(run: &mut Run, changes: &[(&str, &str)], reports: &mut Vec<Report>) {
    for (key, value) in changes {
        run.apply(key, value).unwrap();
    }
    for event in block_on(run.report_now()).unwrap() {
        if let Event::Report { reports: r, .. } = event {
            reports.retain(|seen| seen.step < r[0].step);
            reports.push(r[0].clone());
        }
    }
}

#[test]
fn a_run_with_live_changes_is_replayed_by_its_link_bit_for_bit() {
    let mut live = cpu_run("v=1&data=moons&hidden=8&k=3&seed=7&report=50&samples=4&lr=0.01");
    let mut seen = Vec::new();
    train_to(&mut live, 137, &mut seen);
    change(&mut live, &[("beta", "0.05")], &mut seen);
    train_to(&mut live, 230, &mut seen);
    change(&mut live, &[("lr", "0.003"), ("beta", "2e-3")], &mut seen);
    train_to(&mut live, 250, &mut seen);
    // At a report step, the report is measured again at the new beta.
    change(&mut live, &[("beta", "1e-3")], &mut seen);
    train_to(&mut live, 400, &mut seen);
    let link = live.experiment().to_link();
    assert!(
        link.ends_with("&live=137:beta:0.05,230:beta:0.002,230:lr:0.003,250:beta:0.001"),
        "{link}"
    );
    let mut replay = cpu_run(&link).until(400);
    let replayed: Vec<Report> = common::reports_of(&mut replay)
        .into_iter()
        .map(|r| r[0].clone())
        .filter(|r| !r.is_final)
        .collect();
    assert_eq!(replayed, seen, "the link replays the run on screen");
    let at = |step: u32| seen.iter().find(|r| r.step == step).unwrap();
    assert_eq!((at(137).beta, at(150).beta, at(150).lr), (0.05, 0.05, 0.01));
    assert_eq!((at(230).beta, at(230).lr), (2e-3, 0.003));
    assert_eq!(
        (at(250).beta, at(300).beta, at(300).lr),
        (1e-3, 1e-3, 0.003)
    );
    // The same changes made at other steps give another run.
    let mut other = cpu_run(&link.replace("137:", "138:")).until(400);
    let last = common::reports_of(&mut other).pop().unwrap();
    assert_ne!(last[0].loss, seen.last().unwrap().loss);
}

#[test]
fn a_live_beta_leaves_a_beta_sweep_and_moves_a_seed_sweep_alike_on_both_backends() {
    let link = "v=1&data=circle&hidden=8&k=2&seed=1&report=20";
    let (experiment, dataset) = setup(link);
    let sweeps = [("beta=1e-4:1e-2:3", true), ("seed=1:3", false)];
    for (spec, own) in sweeps {
        let replicas = sweep::parse(spec, &experiment).unwrap();
        let cpu = CpuReplicas::new(&experiment, dataset.clone(), &replicas);
        let mut runs = vec![Run::new(
            Box::new(cpu),
            experiment.clone(),
            dataset.clone(),
            replicas.clone(),
        )];
        if let Some(ctx) = common::device() {
            let gpu = GpuTrainer::new(ctx, experiment.clone(), &dataset, replicas.clone()).unwrap();
            runs.push(Run::new(
                Box::new(gpu),
                experiment.clone(),
                dataset.clone(),
                replicas.clone(),
            ));
        }
        for mut run in runs {
            block_on(run.advance(10)).unwrap();
            run.apply("beta", "0.5").unwrap();
            run.apply("lr", "0.002").unwrap();
            let mut run = run.until(20);
            let last = common::reports_of(&mut run).pop().unwrap();
            let backend = &last[0].backend;
            for (report, replica) in last.iter().zip(&replicas) {
                let beta = if own { replica.beta } else { 0.5 };
                assert!(
                    (report.beta - beta).abs() < 1e-12,
                    "{spec} on {backend}: {report:?}"
                );
                assert_eq!(report.lr, 0.002, "{spec} on {backend}");
            }
        }
    }
}

#[test]
fn restoring_drops_the_live_changes_made_after_the_restored_step() {
    let mut run = cpu_run("v=1&data=circle&hidden=16,16&k=2&beta=1e-3&seed=1&report=10");
    let mut seen = Vec::new();
    train_to(&mut run, 20, &mut seen);
    change(&mut run, &[("beta", "0.1")], &mut seen);
    train_to(&mut run, 25, &mut seen);
    run.apply("lr", "10").unwrap();
    train_to(&mut run, 27, &mut seen);
    assert_eq!(run.restore().unwrap(), Some(20));
    assert_eq!(run.experiment().to_link(), "v=1&report=10&live=20:beta:0.1");
    train_to(&mut run, 40, &mut seen);
    let mut replay = cpu_run(&run.experiment().to_link()).until(40);
    let replayed = common::reports_of(&mut replay);
    let at_40 = replayed
        .iter()
        .find(|r| r[0].step == 40 && !r[0].is_final)
        .unwrap();
    assert_eq!(
        &at_40[0],
        seen.last().unwrap(),
        "the restored run is the link's"
    );
}

#[test]
fn timing_a_backend_leaves_the_run_where_it_was() {
    let link = "v=1&data=moons&hidden=8&k=2&seed=5&report=50";
    let mut straight = cpu_run(link).until(100);
    let expected = common::reports_of(&mut straight);
    let mut timed = cpu_run(link).until(100);
    let rate = block_on(timed.steps_per_second(30.0)).unwrap().unwrap();
    assert!(rate > 10.0, "{rate} steps/s");
    assert_eq!(timed.steps(), 0);
    assert_eq!(common::reports_of(&mut timed), expected);
}

#[test]
fn a_live_beta_under_annealing_becomes_the_anneal_target_and_is_recorded() {
    let link = "v=1&data=circle&hidden=8&k=2&seed=2&report=50&beta=0.1&beta_schedule=linear&beta_start=0&anneal_steps=200";
    let mut run = cpu_run(link);
    let mut seen = Vec::new();
    train_to(&mut run, 100, &mut seen);
    assert!(
        (seen[1].beta - 0.1 * 99.0 / 200.0).abs() < 1e-12,
        "{}",
        seen[1].beta
    );
    change(&mut run, &[("beta", "0.4")], &mut seen);
    train_to(&mut run, 250, &mut seen);
    let at = |step: u32| seen.iter().find(|r| r.step == step).unwrap().beta;
    // Halfway through the anneal it heads for 0.4 instead of 0.1; after it, 0.4.
    assert!((at(150) - 0.4 * 149.0 / 200.0).abs() < 1e-12, "{}", at(150));
    assert_eq!(at(250), 0.4);
    assert!(run.experiment().to_link().ends_with("&live=100:beta:0.4"));
}

#[test]
fn a_live_beta_with_an_adaptive_beta_is_recorded_and_changes_nothing() {
    let link = "v=1&data=moons&hidden=8&k=2&seed=4&report=50&beta_mode=target&target_rate=2";
    let mut plain = cpu_run(link);
    let mut changed = cpu_run(link);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    train_to(&mut plain, 300, &mut a);
    train_to(&mut changed, 100, &mut b);
    changed.apply("beta", "0.5").unwrap();
    train_to(&mut changed, 300, &mut b);
    // GECO keeps adapting its own beta: the runs are the same run.
    assert_eq!(a, b);
    assert!(
        changed
            .experiment()
            .to_link()
            .ends_with("&live=100:beta:0.5")
    );
}
