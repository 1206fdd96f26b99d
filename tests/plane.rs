//! The information plane tells the truth: the `Z` point is the code the
//! model transmits (pairwise-KL mixture), not the binned mean; saturated
//! layers are flagged; the number of bins is a link key.
mod common;

use ib_playground::config::Experiment;
use ib_playground::report::{LayerInfo, Report};

fn reports(link: &str, steps: u32) -> Vec<Report> {
    let mut run = common::cpu_run(link, steps);
    let first = ib_playground::gpu::block_on(run.report_now()).unwrap();
    let mut all: Vec<Report> = first
        .into_iter()
        .filter_map(|e| match e {
            ib_playground::run::Event::Report { reports, .. } => Some(reports[0].clone()),
            _ => None,
        })
        .collect();
    all.extend(
        common::reports_of(&mut run)
            .into_iter()
            .map(|r| r[0].clone()),
    );
    all
}

fn layer<'a>(report: &'a Report, name: &str) -> &'a LayerInfo {
    let layers = report.layers.as_ref().expect("the plane is on");
    layers.iter().find(|l| l.layer == name).unwrap_or_else(|| {
        let names: Vec<_> = layers.iter().map(|l| &l.layer).collect();
        panic!("no layer {name} among {names:?}")
    })
}

#[test]
fn at_beta_1_the_code_carries_nothing_whatever_the_binned_mean_says() {
    let all = reports(
        "data=circle&hidden=16,16&k=2&beta=1&seed=1&report=500&plane=1",
        1500,
    );
    let last = all.last().unwrap();
    let z = layer(last, "Z");
    assert_eq!((z.units, z.estimator.as_str()), (2, "pairwise-kl"));
    // The rate (an upper bound on I(X;Z)) is ~0 and so is the estimate.
    assert!(last.rate_bits < 0.01, "rate {}", last.rate_bits);
    assert!(
        z.ixt_bits < 0.01 && z.ixt_bits >= -1e-9,
        "I(X;Z) {}",
        z.ixt_bits
    );
    assert!(z.ity_bits.abs() < 0.01, "I(Z;Y) {}", z.ity_bits);
    assert_eq!(Some(z.ixt_bits), last.izx_pairwise_bits);
    // Binning the deterministic mean reports bits the code does not carry.
    let mean = layer(last, "latent mean (deterministic)");
    assert!(mean.ixt_bits > 1.0, "binned mean {}", mean.ixt_bits);
    // The plane lists the hidden layers, the mean, then Z last.
    let names: Vec<&str> = last
        .layers
        .as_ref()
        .unwrap()
        .iter()
        .map(|l| l.layer.as_str())
        .collect();
    assert_eq!(
        names,
        ["encoder 1", "encoder 2", "latent mean (deterministic)", "Z"]
    );
}

#[test]
fn binning_saturates_on_few_points_and_the_flag_says_so() {
    // 80 training points and 30 bins per unit: by step 100 every point of
    // the first layer but one pair has a code of its own, I(X;T) = log2 80 -
    // 0.025 bits, and I(T;Y) = H(Y): the estimator cannot see compression.
    let link = "data=circle&points=100&hidden=16,16&k=2&seed=1&report=100&plane=1";
    let first = &reports(link, 100)[1];
    assert_eq!(first.step, 100);
    let l = layer(first, "encoder 1");
    assert!(l.saturated, "{l:?}");
    assert!((l.ixt_bits - 80f64.log2()).abs() <= 0.05, "{}", l.ixt_bits);
    // 0.06 bits below log2 N is not saturated.
    let second = layer(first, "encoder 2");
    assert!(
        !second.saturated && second.ixt_bits < 80f64.log2() - 0.05,
        "{second:?}"
    );
    // Two bins per unit see far fewer codes.
    let coarse = &reports(&format!("{link}&bins=2"), 100)[1];
    let l = layer(coarse, "encoder 1");
    assert!(!l.saturated && l.ixt_bits < 5.0, "{l:?}");
}

#[test]
fn bins_is_a_link_key_from_2_to_1000() {
    assert_eq!(Experiment::default().bins, 30);
    assert_eq!(Experiment::from_link("bins=2").unwrap().bins, 2);
    assert_eq!(Experiment::from_link("bins=1000").unwrap().bins, 1000);
    for bad in ["bins=1", "bins=1001", "bins=x"] {
        let err = Experiment::from_link(bad).unwrap_err();
        assert_eq!(err.key, "bins", "{bad}");
    }
    // The default (30) stays out of canonical links; any other value travels.
    assert!(!Experiment::default().to_link().contains("bins"));
    let two = Experiment::from_link("bins=2").unwrap();
    assert_eq!(two.to_link(), "v=1&bins=2");
    assert_eq!(Experiment::from_link(&two.to_link()).unwrap().bins, 2);
}
