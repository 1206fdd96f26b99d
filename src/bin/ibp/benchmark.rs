//! `ibp bench`: training-step times per backend, kernel throughput, and the
//! memory soak.

use crate::Failure;
use crate::flags::Flags;
use ib_playground::bench;
use ib_playground::error::Error;
use ib_playground::gpu::GpuError;

/// A GPU failure is the device's, not the user's: exit 1 (`Failure::from`
/// an `Error` of kind gpu or limit), as in every other command.
fn device(e: GpuError) -> Failure {
    Failure::from(Error::from(e))
}

pub fn command(mut flags: Flags) -> Result<(), Failure> {
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
