//! `ibp bench`: training-step times per backend, kernel throughput, and the
//! memory soak.

use crate::Failure;
use crate::flags::{Threads, read_limited};
use ib_playground::bench;
use ib_playground::error::Error;
use ib_playground::gpu::GpuError;

/// How `ibp bench` is called (its usage line in `ibp --help` and
/// `ibp bench --help`).
pub const SYNOPSIS: &str =
    "ibp bench [--backend cpu|gpu|all] [--json] [--quick] [--soak STEPS] [--threads N]
          [--peak-gflops G] [--peak-gbps B] [--cases FILE.json]";

/// What `ibp bench` does, its flags and output, for both helps.
pub const HELP: &str = "Milliseconds per training step on the CPU and the GPU, through the
backends a run drives, for the cases of www/src/bench/cases.json, which
the page's benchmark (make bench-web) reads too (MNIST-sized
784-1024-1024-512, toy 2-16-16-2, var_u 12-10-7-5-4-3-2, 16 toy
replicas), or of --cases FILE.json in that format; on the CPU also, in turn in one run,
the portable product on one thread and the AVX2 product on one thread
and on every thread (same bits, different speed); and the GPU kernels'
achieved GFLOP/s or GB/s; with the device's FP32 peak and bandwidth
given, each kernel's percent of its roofline. A benchmark: figures, not
pass/fail.
--soak STEPS trains the toy that long (a report every 100 steps, a
checkpoint every 1000) and prints resident memory as it goes.";

/// A GPU failure is the device's, not the user's: exit 1 (`Failure::from`
/// an `Error` of kind gpu or limit), as in every other command.
fn device(e: GpuError) -> Failure {
    Failure::from(Error::from(e))
}

/// `ibp bench`'s flags.
#[derive(clap::Args, Debug)]
#[command(override_usage = SYNOPSIS, about = "Training-step times, kernel throughput, the memory soak", long_about = HELP)]
pub struct Args {
    /// cpu, gpu or all (default).
    #[arg(long, value_name = "cpu|gpu|all")]
    backend: Option<String>,
    /// One JSON object instead of the tables.
    #[arg(long)]
    json: bool,
    /// Fewer repeats: the figures of make test.
    #[arg(long)]
    quick: bool,
    /// Trains the toy that long, printing resident memory as it goes.
    #[arg(long, value_name = "STEPS")]
    soak: Option<String>,
    /// The device's FP32 peak, for each kernel's percent of its roofline.
    #[arg(long, value_name = "G")]
    peak_gflops: Option<String>,
    /// The device's memory bandwidth, GB/s.
    #[arg(long, value_name = "B")]
    peak_gbps: Option<String>,
    /// Cases to time instead of www/src/bench/cases.json (same format).
    #[arg(long, value_name = "FILE.json")]
    cases: Option<String>,
    #[command(flatten)]
    threads: Threads,
}

/// `--cases FILE.json`, or the case file built in.
fn cases_of(args: &Args) -> Result<Vec<bench::Case>, String> {
    let Some(path) = &args.cases else {
        return Ok(bench::cases());
    };
    let bytes = read_limited("--cases", path, 1 << 20)?;
    let text = String::from_utf8_lossy(&bytes);
    bench::read_cases(&text).map_err(|e| format!("--cases {path}: {e}"))
}

/// `--peak-gflops` and `--peak-gbps`: positive numbers, when given.
fn peaks_of(args: &Args) -> Result<bench::Peaks, String> {
    let peak = |flag: &str, value: &Option<String>| -> Result<Option<f64>, String> {
        match value {
            None => Ok(None),
            Some(v) => match v.parse::<f64>() {
                Ok(x) if x.is_finite() && x > 0.0 => Ok(Some(x)),
                _ => Err(format!("{flag}: '{v}' is not a positive number")),
            },
        }
    };
    Ok(bench::Peaks {
        gflops: peak("--peak-gflops", &args.peak_gflops)?,
        gbps: peak("--peak-gbps", &args.peak_gbps)?,
    })
}

/// `--soak STEPS`: memory over a long run on each backend asked for.
fn soak(steps: &str, backend: &str, json: bool) -> Result<(), Failure> {
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
            Err(e) => return Err(device(e)),
        }
    }
    if json {
        println!("{}", serde_json::to_string(&rows).expect("rows serialise"));
        return Ok(());
    }
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
    Ok(())
}

/// What one benchmark run measured.
#[derive(Default)]
struct Measured {
    adapter: Option<String>,
    rows: Vec<bench::Row>,
    kernels: Vec<bench::KernelRow>,
}

/// Training steps (and the CPU's variants), the GPU's kernels and the
/// plane's estimators on the backends asked for.
fn measure(cases: &[bench::Case], backend: &str, quick: bool) -> Result<Measured, Failure> {
    let mut got = Measured::default();
    if backend != "gpu" {
        got.rows.extend(bench::cpu_training_steps(cases, quick));
        got.rows.extend(bench::cpu_variants(cases, quick));
    }
    if backend != "cpu" {
        match bench::gpu_training_steps(cases, quick) {
            Ok((gpu_rows, name)) => {
                got.rows.extend(gpu_rows);
                got.adapter = Some(name);
                got.kernels = bench::gpu_kernels(quick).map_err(device)?;
                got.kernels
                    .extend(bench::plane_estimators(true).map_err(device)?);
            }
            Err(GpuError::NoAdapter(why)) if backend == "all" => {
                eprintln!("ibp bench: GPU skipped: no adapter ({why})")
            }
            Err(e) => return Err(device(e)),
        }
    }
    if got.adapter.is_none() && backend != "gpu" {
        got.kernels
            .extend(bench::plane_estimators(false).map_err(device)?);
    }
    Ok(got)
}

pub fn command(args: Args) -> Result<(), Failure> {
    args.threads.apply()?;
    let cases = cases_of(&args)?;
    let peaks = peaks_of(&args)?;
    let backend = args.backend.as_deref().unwrap_or("all");
    if let Some(steps) = &args.soak {
        return soak(steps, backend, args.json);
    }
    if !["cpu", "gpu", "all"].contains(&backend) {
        return Err(format!("--backend: '{backend}' is not one of cpu|gpu|all").into());
    }
    let got = measure(&cases, backend, args.quick)?;
    if args.json {
        let percent: Vec<_> = got.kernels.iter().map(|k| peaks.percent(k)).collect();
        let json = serde_json::json!({
            "adapter": got.adapter,
            "training": got.rows,
            "kernels": got.kernels,
            "peaks": peaks,
            "percent_of_peak": percent,
        });
        println!("{json}");
        return Ok(());
    }
    if let Some(name) = &got.adapter {
        println!("GPU adapter: {name}");
    }
    print!("{}", bench::table(&got.rows));
    if !got.kernels.is_empty() {
        print!("\n{}", bench::kernel_table(&got.kernels, peaks));
    }
    Ok(())
}
