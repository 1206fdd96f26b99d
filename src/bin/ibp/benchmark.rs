//! `ibp bench`: training-step times per backend, kernel throughput, and the
//! memory soak.

use crate::Failure;
use crate::flags::Threads;
use ib_playground::bench;
use ib_playground::error::Error;
use ib_playground::gpu::GpuError;

/// How `ibp bench` is called (its usage line in `ibp --help` and
/// `ibp bench --help`).
pub const SYNOPSIS: &str =
    "ibp bench [--backend cpu|gpu|all] [--json] [--quick] [--soak STEPS] [--threads N]
          [--peak-gflops G] [--peak-gbps B]";

/// What `ibp bench` does, its flags and output, for both helps.
pub const HELP: &str = "Milliseconds per training step on the CPU and the GPU for the reference
models (MNIST-sized 784-1024-1024-512, toy 2-16-16-2, var_u
12-10-7-5-4-3-2, 16 toy replicas); on the CPU also, in turn in one run,
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
    #[command(flatten)]
    threads: Threads,
}

pub fn command(args: Args) -> Result<(), Failure> {
    let (json, quick) = (args.json, args.quick);
    args.threads.apply()?;
    let backend = args.backend.unwrap_or_else(|| "all".into());
    let soak = args.soak;
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
        gflops: peak("--peak-gflops", args.peak_gflops)?,
        gbps: peak("--peak-gbps", args.peak_gbps)?,
    };
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
                Err(e) => return Err(device(e)),
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
        return Err(format!("--backend: '{backend}' is not one of cpu|gpu|all").into());
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
                kernels = bench::gpu_kernels(quick).map_err(device)?;
                kernels.extend(bench::plane_estimators(true).map_err(device)?);
            }
            Err(GpuError::NoAdapter(why)) if backend == "all" => {
                eprintln!("ibp bench: GPU skipped: no adapter ({why})")
            }
            Err(e) => return Err(device(e)),
        }
    }
    if adapter.is_none() && backend != "gpu" {
        kernels.extend(bench::plane_estimators(false).map_err(device)?);
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
