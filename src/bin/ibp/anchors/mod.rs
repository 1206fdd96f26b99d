//! `ibp anchors`: the published claims the playground rests on, each run
//! here and printed beside the paper's figure, with pass or fail against a
//! tolerance frozen in this code (REPRODUCTIONS.md, "The anchors").
//! `--quick` is the reduced tier `make test` runs: fewer epochs, its own
//! frozen tolerances. Exit 1 when a claim fails.

mod curves;
mod plane;

use crate::Failure;
use crate::flags::Threads;
use std::time::Instant;

/// How `ibp anchors` is called (its usage line in `ibp --help` and
/// `ibp anchors --help`).
pub const SYNOPSIS: &str = "ibp anchors [--quick] [--only CLAIM,...] [--threads N]";

/// What `ibp anchors` does, its flags and output, for both helps.
pub const HELP: &str = "Runs each published claim the playground rests on and prints a
Markdown table: claim, source, the paper's figure, ours, the criterion
frozen in the code, pass/FAIL/reported, seconds. Claims: dsbs (the exact
IB solver on the DSBS curve), squared-ib (a deterministic Y: squared IB
traces the curve, the IB Lagrangian gives only its ends), plane-binning
(var_u: tanh compresses its last hidden layer at least twice as much as
ReLU, by binning), plane-exact (the same on the exact plane of quant=8,
reported). The full tier trains var_u for the 8,000 epochs of Shwartz-Ziv
& Tishby's code on 5 seeds and shows the same runs at 1,000 epochs too
(about 10 minutes on 2 cores); --quick for 250 epochs (under a minute).
Exits 1 when a claim fails.";

/// How much of each claim to run.
#[derive(Clone, Copy, Debug)]
pub struct Tier {
    pub name: &'static str,
    /// Seeds of each var_u run (1..=seeds).
    pub seeds: u32,
    /// Training steps of each var_u run (12,800 steps of batch 256 on the
    /// 3,276 training examples = 1,000 epochs), its plane read every 64
    /// steps (5 epochs).
    pub plane_steps: u32,
    /// Seeds in which tanh must compress its last hidden layer at least
    /// twice as much as ReLU does.
    pub plane_min_seeds: usize,
}

/// The full tier: the set-up of REPRODUCTIONS.md's var_u table, trained
/// for the 8,000 epochs of Shwartz-Ziv & Tishby's code (102,400 steps,
/// 8,002 epochs: a whole number of readings).
pub const FULL: Tier = Tier {
    name: "full",
    seeds: 5,
    plane_steps: 102_400,
    plane_min_seeds: 4,
};

/// The quick tier (under a minute on 2 cores): 250 epochs, where the tanh
/// compression after the peak (epoch 20-25) is already under way.
pub const QUICK: Tier = Tier {
    name: "quick",
    seeds: 5,
    plane_steps: 3_200,
    plane_min_seeds: 4,
};

/// A claim's outcome: checked against its tolerance, or only reported.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Verdict {
    Pass,
    Fail,
    Reported,
}

impl Verdict {
    pub fn of(ok: bool) -> Verdict {
        if ok { Verdict::Pass } else { Verdict::Fail }
    }

    fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "FAIL",
            Verdict::Reported => "reported",
        }
    }
}

/// One row of the table.
pub struct Row {
    pub claim: &'static str,
    pub source: &'static str,
    pub paper: String,
    pub ours: String,
    pub criterion: String,
    pub verdict: Verdict,
    pub seconds: f64,
}

/// The claims by name, in the order they run (`--only` picks among them).
const CLAIMS: [&str; 4] = ["dsbs", "squared-ib", "plane-binning", "plane-exact"];

/// `ibp anchors`' flags.
#[derive(clap::Args, Debug)]
#[command(override_usage = SYNOPSIS, about = "Runs the published claims the playground rests on", long_about = HELP)]
pub struct Args {
    /// The reduced tier (under a minute on 2 cores).
    #[arg(long)]
    quick: bool,
    /// Only these claims: dsbs, squared-ib, plane-binning, plane-exact.
    #[arg(long, value_name = "CLAIM,...")]
    only: Option<String>,
    #[command(flatten)]
    threads: Threads,
}

pub fn command(args: Args) -> Result<(), Failure> {
    let tier = if args.quick { QUICK } else { FULL };
    let only = only(args.only)?;
    args.threads.apply()?;
    let started = Instant::now();
    let mut rows = Vec::new();
    for claim in only {
        let t = Instant::now();
        eprintln!("ibp anchors ({} tier): {claim} ...", tier.name);
        let mut row = run_claim(claim, tier)?;
        row.seconds = t.elapsed().as_secs_f64();
        eprintln!("  {} in {:.0} s", row.verdict.word(), row.seconds);
        rows.push(row);
    }
    print!("{}", table(&rows));
    println!(
        "\n{} tier: {:.0} s in all",
        tier.name,
        started.elapsed().as_secs_f64()
    );
    match rows.iter().filter(|r| r.verdict == Verdict::Fail).count() {
        0 => Ok(()),
        n => Err(Failure::Other(format!(
            "{n} claim(s) failed their frozen tolerance (the rows marked FAIL)"
        ))),
    }
}

/// `--only a,b`: those claims, in the order of `CLAIMS`; all without it.
fn only(list: Option<String>) -> Result<Vec<&'static str>, String> {
    let Some(list) = list else {
        return Ok(CLAIMS.to_vec());
    };
    let asked: Vec<&str> = list.split(',').map(str::trim).collect();
    if let Some(bad) = asked.iter().find(|a| !CLAIMS.contains(a)) {
        return Err(format!(
            "--only: '{bad}' is not a claim (claims: {})",
            CLAIMS.join(", ")
        ));
    }
    Ok(CLAIMS.into_iter().filter(|c| asked.contains(c)).collect())
}

fn run_claim(claim: &str, tier: Tier) -> Result<Row, Failure> {
    match claim {
        "dsbs" => Ok(curves::dsbs()),
        "squared-ib" => curves::squared_ib(),
        "plane-binning" => plane::binning(tier),
        "plane-exact" => plane::exact(tier),
        other => unreachable!("claim {other} is not in CLAIMS"),
    }
}

/// The rows as a Markdown table (REPRODUCTIONS.md pastes it as it is).
fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| claim | source | paper | ours | criterion | result | time |\n\
         |---|---|---|---|---|---|---:|\n",
    );
    for r in rows {
        out += &format!(
            "| {} | {} | {} | {} | {} | {} | {:.0} s |\n",
            r.claim,
            r.source,
            r.paper,
            r.ours,
            r.criterion,
            r.verdict.word(),
            r.seconds
        );
    }
    out
}

/// Runs `work` on each item on as many threads as there are cores, in
/// order of the items; the CPU backend's own threads are set to 1 so the
/// runs share the cores (its results do not depend on the thread count).
pub fn in_parallel<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(&T) -> Result<R, Failure> + Sync,
) -> Result<Vec<R>, Failure> {
    ib_playground::cpu::parallel::set_threads(1);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<Result<R, Failure>>>> =
        items.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..cores.min(items.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    *results[i].lock().unwrap() = Some(work(item));
                }
            });
        }
    });
    results
        .into_iter()
        .map(|r| r.into_inner().unwrap().expect("every item ran"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_keeps_the_order_and_names_a_wrong_claim() {
        assert_eq!(only(None).unwrap(), CLAIMS.to_vec());
        assert_eq!(
            only(Some("plane-exact, dsbs".into())).unwrap(),
            vec!["dsbs", "plane-exact"]
        );
        let e = only(Some("dsbs,planes".into())).unwrap_err();
        assert!(e.contains("'planes'") && e.contains("plane-binning"), "{e}");
    }

    #[test]
    fn in_parallel_keeps_the_order_of_the_items() {
        let items: Vec<u32> = (0..9).collect();
        let squares = in_parallel(&items, |&i| Ok::<_, Failure>(i * i))
            .ok()
            .unwrap();
        assert_eq!(squares, vec![0, 1, 4, 9, 16, 25, 36, 49, 64]);
    }
}
