//! `ibp sweep`: a grid of runs (`grid.rs`), one JSON line each, a task's
//! share of them (Slurm array tasks read their index from the environment),
//! several at once on one machine, resumable; `ibp sweep merge` joins the
//! tasks' files and names what is missing.

use crate::Failure;
use crate::flags::Threads;
use crate::train::sources_for;
use ib_playground::config::Experiment;
use ib_playground::data;
use ib_playground::error::Error;
use ib_playground::gpu::block_on;
use ib_playground::grid::{self, Line, SweepId};
use ib_playground::run::{Choice, Event};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// How `ibp sweep` is called (its usage line in both helps).
pub const SYNOPSIS: &str = "ibp sweep --link QUERY --grid GRID --steps N --out DIR [--jobs J]
          [--tasks N --task-index I] [--backend cpu|gpu|auto] [--threads N]
ibp sweep merge DIR|FILE... [--csv]";

/// What `ibp sweep` does, for both helps.
pub const HELP: &str = "Trains every run of a grid over link keys, each alone, and writes one
JSON line per run (schema ibp-sweep-1, docs/sweeps.md): schema, link (the
run's canonical link), sweep (base link, grid, steps), build (version,
commit), backend, status (done; diverged: the run is recorded and the
sweep goes on; stopped: the page's Stop), step, metrics (the final
report), plane (with plane=1), wall_s. GRID joins axes with &: beta=LO:HI:N (log-spaced), seed=FIRST:N,
or KEY=A|B|... for any key, e.g. 'beta=1e-4:1:10&seed=1:100&hidden=8,8|16,16'.
--tasks N --task-index I (from 0) runs every N-th run from the I-th; without
them a Slurm array task reads I = SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN
and N = SLURM_ARRAY_TASK_COUNT. Each task appends to its own file in DIR,
task-I-of-N.jsonl, and skips the runs DIR already holds (run it again after
a kill). --jobs J trains J runs at once (default: one per core), each on
--threads threads (default 1). With --backend gpu, runs that differ only
in beta train as one run's replicas, in the same dispatches (up to 64).
The lines also go to stdout.
ibp sweep merge DIR|FILE... prints the lines of every task file in the
folders and of every JSONL file named (the page's \"Sweep (JSONL)\" export),
one per run, sorted by link; --csv prints them as CSV (the metrics CSV's
columns, then status and link: the page's \"Sweep (CSV)\"). It names
duplicate runs, and missing ones, on stderr; exits 4 when any run is
missing.";

/// `ibp sweep`'s flags, or `merge`.
#[derive(clap::Args, Debug)]
#[command(
    override_usage = SYNOPSIS,
    about = "Trains a grid of runs, one JSON line each (Slurm arrays, Ray, one machine)",
    long_about = HELP,
    args_conflicts_with_subcommands = true
)]
pub struct Args {
    #[command(subcommand)]
    merge: Option<MergeCommand>,
    /// The base experiment: a share link.
    #[arg(long, value_name = "QUERY")]
    link: Option<String>,
    /// The axes, e.g. beta=1e-4:1:10&seed=1:100.
    #[arg(long, value_name = "GRID")]
    grid: Option<String>,
    /// Training steps of every run.
    #[arg(long, value_name = "N")]
    steps: Option<u32>,
    /// The folder of the task files (created).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Runs at once (default: one per core).
    #[arg(long, value_name = "J")]
    jobs: Option<usize>,
    /// Tasks the grid is shared among (default: Slurm's, else 1).
    #[arg(long, value_name = "N")]
    tasks: Option<usize>,
    /// This task, from 0 (default: Slurm's, else 0).
    #[arg(long, value_name = "I")]
    task_index: Option<usize>,
    /// cpu (default), gpu or auto.
    #[arg(long, value_name = "cpu|gpu|auto")]
    backend: Option<String>,
    #[command(flatten)]
    threads: Threads,
}

#[derive(clap::Subcommand, Debug)]
enum MergeCommand {
    /// Prints the runs of the folders' task files (or JSONL files, such as
    /// the page's export), one per link, sorted.
    Merge {
        #[arg(value_name = "DIR|FILE", required = true)]
        paths: Vec<PathBuf>,
        /// Prints CSV (the metrics CSV's columns, then status and link).
        #[arg(long)]
        csv: bool,
    },
}

/// This task's index and count: the flags, else Slurm's array, else 0 of 1.
fn task_of(args: &Args) -> Result<(usize, usize), String> {
    let env = |name: &str| -> Result<Option<usize>, String> {
        match std::env::var(name) {
            Err(_) => Ok(None),
            Ok(v) => v
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| format!("{name}='{v}' is not a whole number")),
        }
    };
    let tasks = match args.tasks {
        Some(n) => n,
        None => env("SLURM_ARRAY_TASK_COUNT")?.unwrap_or(1),
    };
    let index = match args.task_index {
        Some(i) => i,
        None => match env("SLURM_ARRAY_TASK_ID")? {
            Some(id) => id
                .checked_sub(env("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0))
                .ok_or("SLURM_ARRAY_TASK_ID is below SLURM_ARRAY_TASK_MIN".to_string())?,
            None => 0,
        },
    };
    Ok((index, tasks))
}

/// Every line of the task files in `dir` (`task-I-of-N.jsonl`; a merged
/// file kept beside them is not read); a line cut off by a kill (the last
/// of a file) is left out.
fn read_lines(dir: &Path) -> Result<Vec<Line>, String> {
    let mut lines = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(lines);
    };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    let task_file = |p: &PathBuf| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        name.starts_with("task-") && name.contains("-of-") && name.ends_with(".jsonl")
    };
    files.retain(task_file);
    files.sort();
    for file in files {
        lines.extend(read_file(&file)?);
    }
    Ok(lines)
}

/// The lines of one JSONL file (a task file, the page's export).
fn read_file(file: &Path) -> Result<Vec<Line>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    grid::parse_lines(&text).map_err(|e| format!("{}: {e}", file.display()))
}

/// Trains one run to `steps`; its line.
fn train_one(experiment: &Experiment, id: &SweepId, choice: Choice) -> Result<Line, Failure> {
    let started = Instant::now();
    let sources = sources_for(experiment, None)?;
    let dataset = data::load(experiment, &sources).map_err(Error::from)?;
    let replicas = ib_playground::sweep::single(experiment);
    let mut run = crate::train::open(experiment, dataset, replicas, choice)?.until(id.steps);
    let (mut last, mut diverged) = (None, None);
    while !run.is_finished() && !run.diverged() {
        for event in block_on(run.advance(u32::MAX))? {
            match event {
                Event::Report { reports, .. } | Event::Finished { reports } => {
                    last = reports.into_iter().next();
                }
                Event::Diverged { step, quantity, .. } => {
                    diverged = Some(grid::Divergence { step, quantity });
                }
                _ => {}
            }
        }
    }
    let backend = run.backend().kind().name();
    let wall_s = started.elapsed().as_secs_f64();
    let ending = diverged.map_or(grid::Ending::Done, grid::Ending::Diverged);
    Ok(Line::new(
        experiment,
        id,
        backend,
        last.as_ref(),
        ending,
        wall_s,
    ))
}

/// The runs as work: one run each on the CPU (bit for bit `ibp train`);
/// on the GPU, runs that differ only in beta are packed, up to
/// `MAX_REPLICAS`, as the replicas of one run, every step of all of them in
/// the same dispatches. (Runs of other seeds are not packed: a seed also
/// draws the data, which replicas share.)
fn packs(runs: Vec<Experiment>, choice: Choice) -> Vec<Vec<Experiment>> {
    if choice == Choice::Cpu {
        return runs.into_iter().map(|r| vec![r]).collect();
    }
    let defaults = Experiment::default();
    let mut groups: BTreeMap<String, Vec<Experiment>> = BTreeMap::new();
    for run in runs {
        let key = Experiment {
            beta: defaults.beta,
            ..run.clone()
        };
        groups.entry(key.to_link()).or_default().push(run);
    }
    let chunks = |g: Vec<Experiment>| -> Vec<Vec<Experiment>> {
        g.chunks(ib_playground::sweep::MAX_REPLICAS)
            .map(<[_]>::to_vec)
            .collect()
    };
    groups.into_values().flat_map(chunks).collect()
}

/// Trains a pack of runs that differ only in beta as one run's replicas;
/// each gets its own line (`wall_s`: the pack's). A pack that diverges
/// trains each run alone, so that each line says how that run went.
fn train_pack(pack: &[Experiment], id: &SweepId, choice: Choice) -> Result<Vec<Line>, Failure> {
    if pack.len() == 1 {
        return Ok(vec![train_one(&pack[0], id, choice)?]);
    }
    let started = Instant::now();
    let base = &pack[0];
    let dataset = data::load(base, &sources_for(base, None)?).map_err(Error::from)?;
    let replicas = pack
        .iter()
        .map(|run| ib_playground::sweep::Replica {
            seed: base.seed,
            beta: run.beta,
            own_beta: true,
        })
        .collect();
    let mut run = crate::train::open(base, dataset, replicas, choice)?.until(id.steps);
    let mut last = Vec::new();
    while !run.is_finished() {
        for event in block_on(run.advance(u32::MAX))? {
            match event {
                Event::Report { reports, .. } | Event::Finished { reports } => last = reports,
                Event::Diverged { .. } => {
                    return pack.iter().map(|r| train_one(r, id, choice)).collect();
                }
                _ => {}
            }
        }
    }
    let backend = run.backend().kind().name();
    let wall_s = started.elapsed().as_secs_f64();
    let lines = pack.iter().zip(last);
    Ok(lines
        .map(|(experiment, report)| {
            Line::new(
                experiment,
                id,
                backend,
                Some(&report),
                grid::Ending::Done,
                wall_s,
            )
        })
        .collect())
}

/// Drops a line a kill cut off at the end of `file`, so that new lines
/// start on a line of their own.
fn drop_cut_line(file: &Path) -> Result<(), String> {
    let Ok(text) = std::fs::read(file) else {
        return Ok(());
    };
    if text.is_empty() || text.ends_with(b"\n") {
        return Ok(());
    }
    let whole = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    std::fs::write(file, &text[..whole]).map_err(|e| format!("{}: {e}", file.display()))
}

/// Trains `packs` on `jobs` threads, appending each run's line to `file`
/// (and stdout) as its pack ends.
fn train_all(
    runs: &[Vec<Experiment>],
    id: &SweepId,
    choice: Choice,
    jobs: usize,
    file: &Path,
) -> Result<(), Failure> {
    drop_cut_line(file)?;
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let out = Mutex::new(out);
    let next = AtomicUsize::new(0);
    let failed: Mutex<Option<Failure>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(runs.len()).max(1) {
            scope.spawn(|| {
                while let Some(run) = runs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if failed.lock().unwrap().is_some() {
                        return;
                    }
                    let line = train_pack(run, id, choice).and_then(|lines| {
                        let text: String = lines
                            .iter()
                            .map(|l| serde_json::to_string(l).expect("lines serialise") + "\n")
                            .collect();
                        let mut out = out.lock().unwrap();
                        out.write_all(text.as_bytes())
                            .and_then(|_| out.flush())
                            .map_err(|e| Failure::Other(format!("{}: {e}", file.display())))?;
                        print!("{text}");
                        Ok(())
                    });
                    if let Err(e) = line {
                        *failed.lock().unwrap() = Some(e);
                    }
                }
            });
        }
    });
    match failed.into_inner().unwrap() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn sweep(args: Args) -> Result<(), Failure> {
    let (Some(link), Some(grid_text), Some(steps), Some(out)) = (
        args.link.clone(),
        args.grid.clone(),
        args.steps,
        args.out.clone(),
    ) else {
        return Err(
            format!("sweep needs --link, --grid, --steps and --out (usage: {SYNOPSIS})").into(),
        );
    };
    args.threads.apply()?;
    if !args.threads.given() {
        ib_playground::cpu::parallel::set_threads(1);
    }
    let base = Experiment::from_link(
        &ib_playground::config::experiment_query(&link).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let grid = grid::parse(&grid_text)?;
    let all = grid.runs(&base)?;
    let (index, tasks) = task_of(&args)?;
    let mine = grid::share(all.len(), tasks, index)?;
    let id = SweepId {
        base: base.to_link(),
        grid: grid_text,
        steps,
    };
    let choice = crate::train::choice_of(args.backend.as_deref())?;
    std::fs::create_dir_all(&out).map_err(|e| format!("--out {}: {e}", out.display()))?;
    let done: BTreeSet<String> = read_lines(&out)?
        .into_iter()
        .filter(|l| l.sweep == id)
        .map(|l| l.link)
        .collect();
    let pending: Vec<Experiment> = mine
        .iter()
        .map(|&i| all[i].clone())
        .filter(|e| !done.contains(&e.to_link()))
        .collect();
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    eprintln!(
        "ibp sweep: task {index} of {tasks}: {} of the grid's {} runs, {} already in {}, {} to train on {jobs} jobs",
        mine.len(),
        all.len(),
        mine.len() - pending.len(),
        out.display(),
        pending.len()
    );
    let file = out.join(format!("task-{index}-of-{tasks}.jsonl"));
    train_all(&packs(pending, choice), &id, choice, jobs, &file)
}

/// `ibp sweep merge PATH... [--csv]`: folders' task files and JSONL files.
fn merge(paths: &[PathBuf], csv: bool) -> Result<(), Failure> {
    let mut lines = Vec::new();
    for path in paths {
        if path.is_dir() {
            lines.extend(read_lines(path)?);
        } else if path.is_file() {
            lines.extend(read_file(path)?);
        } else {
            return Err(format!("merge: {} is neither a folder nor a file", path.display()).into());
        }
    }
    let merged = grid::merge(lines)?;
    if csv {
        let text = ib_playground::metrics_csv::sweep_csv(&merged.lines)
            .map_err(|e| Error::internal(e.to_string()))?;
        print!("{text}");
    } else {
        for line in &merged.lines {
            println!("{}", serde_json::to_string(line).expect("lines serialise"));
        }
    }
    for link in &merged.duplicates {
        eprintln!("ibp sweep merge: duplicate run (the first line kept): {link}");
    }
    for link in &merged.missing {
        eprintln!("ibp sweep merge: missing run: {link}");
    }
    match merged.missing.len() {
        0 => Ok(()),
        n => Err(Failure::Incomplete(format!(
            "{n} run(s) missing of the sweep (named above): run their tasks again"
        ))),
    }
}

pub fn command(args: Args) -> Result<(), Failure> {
    match &args.merge {
        Some(MergeCommand::Merge { paths, csv }) => merge(paths, *csv),
        None => sweep(args),
    }
}
