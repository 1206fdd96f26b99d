//! The experiment config and its share-link codec.
use ib_playground::config::{
    Activation, BetaMode, BetaSchedule, Bottleneck, DataName, Decoder, Estimator, Experiment, Init,
    Inputs, KEYS, MAX_TRAIN_ROWS, Objective,
};
use proptest::prelude::*;

fn pick<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    proptest::sample::select(all)
}

/// Adaptive beta for kind 1 (rate target) and kind 2 (accuracy target, only
/// for objectives that predict labels; otherwise the target rides along
/// unused with a fixed beta).
fn beta_mode(kind: u8, objective: Objective) -> BetaMode {
    match kind {
        0 => BetaMode::Fixed,
        2 if !objective.predicts_label() => BetaMode::Fixed,
        _ => BetaMode::Target,
    }
}

/// Any valid experiment. Reals are drawn across many orders of magnitude so
/// the text form of floats (plain and exponent) is exercised.
fn experiment() -> impl Strategy<Value = Experiment> {
    let reals = (
        (0.0f64..1000.0, -12.0f64..3.0, any::<bool>())
            .prop_map(|(a, p, plain)| if plain { a } else { 10f64.powf(p) }),
        -9.0f64..2.0,
        1e-9f64..1.0,
        0.0f64..0.999_999,
        0.0f64..0.999_999,
        0.05f64..0.95,
        0.0f64..0.5,
        0.0f64..0.999_999,
    );
    let counts = (
        proptest::collection::vec(1usize..=4096, 0..=8),
        1usize..=1024,
        1usize..=4096,
        1usize..=4096,
        10usize..=100_000,
        1usize..=64,
        any::<u32>(),
        (0u32..=10_000_000, 1u32..=10_000_000, 1u32..=1_000_000),
    );
    let choices = (
        pick(DataName::ALL),
        pick(Objective::ALL),
        pick(&[BetaSchedule::Constant, BetaSchedule::Linear]),
        pick(Activation::ALL),
        pick(Decoder::ALL),
        pick(Estimator::ALL),
        any::<bool>(),
        (0u8..3, 0.0f64..1000.0, 0.001f64..1.0, 1e-4f64..1.0),
    );
    (reals, counts, choices).prop_map(|(r, c, ch)| {
        // quant needs an activation with a fixed range; exact needs quant.
        let ranged = !matches!(ch.3, Activation::Gelu | Activation::Linear);
        let estimator = if ch.5 == Estimator::Exact && !ranged {
            Estimator::Binning
        } else {
            ch.5
        };
        let quant = if ranged && (estimator == Estimator::Exact || c.6 % 4 == 1) {
            1 + c.6 % 16
        } else {
            0
        };
        with_live_changes(
            c.6,
            Experiment {
                beta: r.0.min(1000.0),
                beta_start: r.0.min(1000.0) / 3.0,
                lr: 10f64.powf(r.1).min(10.0),
                lr_decay: r.2,
                adam_beta1: r.3,
                adam_beta2: r.4,
                train_fraction: r.5,
                label_noise: r.6,
                ema: if c.6 % 3 == 0 { 0.0 } else { r.7 },
                sample_latent: c.6 % 7 != 0,
                hidden: c.0,
                latent: c.1,
                decoder_hidden: c.2,
                batch: c.3,
                points: c.4,
                eval_samples: c.5,
                train_samples: 1 + (c.5 * 7 + c.6 as usize) % (MAX_TRAIN_ROWS / c.3).clamp(1, 64),
                seed: c.6,
                anneal_steps: c.7.0,
                decay_steps: c.7.1,
                report_every: c.7.2,
                data: ch.0,
                objective: ch.1,
                beta_schedule: ch.2,
                activation: ch.3,
                decoder: ch.4,
                estimator,
                quant,
                bins: 2 + c.6 % 999,
                init: if c.6 % 3 == 2 {
                    Init::Glorot
                } else {
                    Init::Auto
                },
                // Centred inputs need inputs in [0, 1] and a label to predict.
                inputs: if c.6 % 5 == 3
                    && ch.1.predicts_label()
                    && matches!(ch.0, DataName::VarU | DataName::Digits | DataName::Mnist)
                {
                    Inputs::Centered
                } else {
                    Inputs::Unit
                },
                info_plane: ch.6,
                beta_mode: beta_mode(ch.7.0, ch.1),
                target_rate: (ch.7.0 == 1).then_some(ch.7.1),
                target_acc: (ch.7.0 == 2).then_some(ch.7.2),
                geco_lr: ch.7.3,
                views: ["plane", "curves", "latent", "dims", "map", "sweep"]
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| (c.6 >> i) & 1 == 1)
                    .map(|(_, v)| v.to_string())
                    .collect(),
                hidden_controls: ["beta", "lr", "seed", "data"]
                    .iter()
                    .take((c.6 % 5) as usize)
                    .map(|k| k.to_string())
                    .collect(),
                bottleneck: if ch.7.0 == 1 {
                    Bottleneck::Feature
                } else {
                    Bottleneck::Joint
                },
                live: Vec::new(),
            },
        )
    })
}

/// A schedule of live changes for one experiment in three (link key `live`).
fn with_live_changes(seed: u32, mut e: Experiment) -> Experiment {
    if seed % 3 == 1 {
        let (lr, beta) = (e.lr / 3.0, e.beta * 7.0);
        // A change the experiment's rules refuse (a beta past its range) is
        // left out, as the page would refuse it.
        let _ = e.record_live(1 + seed % 500, "lr", &lr.to_string());
        let _ = e.record_live(1 + seed % 700, "beta", &beta.to_string());
        let _ = e.record_live(900 + seed % 9, "beta", "0");
    }
    e
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn link_round_trips(e in experiment()) {
        e.validate().unwrap();
        let link = e.to_link();
        let back = Experiment::from_link(&link).unwrap();
        prop_assert_eq!(&back, &e, "link {}", link);
        prop_assert_eq!(back.to_link(), link);
    }

    /// Arbitrary text never panics: it parses or names a key in its error.
    #[test]
    fn arbitrary_text_is_an_error_or_an_experiment(s in "[a-z_=&,.%0-9+-]{0,80}") {
        match Experiment::from_link(&s) {
            Ok(e) => prop_assert!(e.validate().is_ok()),
            Err(err) => prop_assert!(!err.key.is_empty() && !err.message.is_empty()),
        }
    }
}

#[test]
fn every_key_is_written_and_documented() {
    let full = ib_playground::config::format_full(&Experiment::default());
    for spec in KEYS {
        assert!(
            full.contains(&format!("{}=", spec.name)),
            "{} missing from {full}",
            spec.name
        );
        assert!(!spec.doc.is_empty());
    }
    for key in [
        "v",
        "data",
        "seed",
        "objective",
        "beta",
        "hidden",
        "act",
        "k",
        "lr",
        "batch",
        "estimator",
    ] {
        assert!(
            KEYS.iter().any(|k| k.name == key),
            "contract key {key} missing"
        );
    }
    assert!(full.starts_with("v=1&"));
}

/// The `v=1` defaults, frozen: a short link means the same experiment
/// forever. Changing one of these breaks every link that relies on it; a
/// new default needs a new link version. A new key may join with the
/// default that keeps older links meaning what they meant (train_samples=1:
/// one noise sample per example, as before the key existed; quant=0: an
/// encoder that does not round; init=auto and inputs=unit: the weights and
/// inputs every link had before those keys).
const V1_DEFAULTS: &str = "v=1&data=circle&seed=1&objective=vib&beta=0.001&beta_schedule=const\
&beta_start=1e-6&anneal_steps=1000&beta_mode=fixed&target_rate=&target_acc=&geco_lr=0.002\
&hidden=16,16&act=tanh&init=auto&k=2&bottleneck=joint&decoder=linear&dec_hidden=32&lr=0.005&b1=0.9\
&b2=0.999&lr_decay=1&decay_steps=1000&batch=64&train=0.8&points=1000&noise=0&inputs=unit&report=100\
&ema=0&sample=1&samples=12&train_samples=1&quant=0&estimator=binning&bins=30&plane=0\
&views=plane,curves,latent,dims,map,sweep,diagram&hide=&live=";

#[test]
fn v1_defaults_are_frozen() {
    assert_eq!(
        ib_playground::config::format_full(&Experiment::default()),
        V1_DEFAULTS
    );
    assert_eq!(
        Experiment::from_link(V1_DEFAULTS).unwrap(),
        Experiment::default()
    );
}

#[test]
fn share_links_are_short_and_canonical() {
    assert_eq!(Experiment::default().to_link(), "v=1");
    let e = Experiment::from_link("lr=0.01&beta=0.1&data=moons&seed=1").unwrap();
    // v=1, then the keys that differ from their defaults, in the table's order.
    assert_eq!(e.to_link(), "v=1&data=moons&beta=0.1&lr=0.01");
    assert_eq!(Experiment::from_link(&e.to_link()).unwrap(), e);
    // A literal '+' is a plus (links are fragments, not form data), and
    // percent-encoded and plain links are the same experiment.
    assert_eq!(Experiment::from_link("beta=1e+0").unwrap().beta, 1.0);
    assert_eq!(Experiment::from_link("beta=1e%2B0").unwrap().beta, 1.0);
    assert_eq!(
        Experiment::from_link("hidden=10%2C7&act=relu").unwrap(),
        Experiment::from_link("hidden=10,7&act=relu").unwrap()
    );
}

#[test]
fn issue_example_link_parses() {
    let e = Experiment::from_link(
        "v=1&data=var_u&objective=vib&hidden=10,7,5,4,3&act=tanh&k=2&beta=1e-3&lr=4e-4&batch=256&seed=42",
    )
    .unwrap();
    assert_eq!(e.data, DataName::VarU);
    assert_eq!(e.hidden, vec![10, 7, 5, 4, 3]);
    assert_eq!(e.activation, Activation::Tanh);
    assert_eq!((e.latent, e.batch, e.seed), (2, 256, 42));
    assert_eq!((e.beta, e.lr), (1e-3, 4e-4));
    // Missing keys take defaults; a fragment or query prefix is accepted.
    let f = Experiment::from_link("#data=circle&hidden=10%2C3").unwrap();
    assert_eq!(f.hidden, vec![10, 3]);
    assert_eq!(f.lr, Experiment::default().lr);
    assert_eq!(
        Experiment::from_link("?hidden=").unwrap().hidden,
        Vec::<usize>::new()
    );
}

#[test]
fn malformed_links_name_the_key() {
    let cases = [
        ("beta=abc", "beta", "not a number"),
        ("hidden=10,,3", "hidden", "empty entry at position 2"),
        ("k=0", "k", "out of range (allowed: 1 to 1024)"),
        ("colour=red", "colour", "unknown key"),
        ("beta=-1", "beta", "out of range"),
        ("beta=inf", "beta", "not a finite number"),
        ("beta=NaN", "beta", "not a finite number"),
        ("lr=0", "lr", "above 0"),
        (
            "act=swish",
            "act",
            "not one of tanh|relu|gelu|sigmoid|linear",
        ),
        ("data=imagenet", "data", "not one of"),
        ("v=2", "v", "unsupported link version"),
        ("seed=-3", "seed", "not a whole number"),
        ("seed=4294967296", "seed", "out of range"),
        ("batch=5000", "batch", "allowed: 1 to 4096"),
        ("hidden=1,2,3,4,5,6,7,8,9", "hidden", "9 layers"),
        ("hidden=10,0", "hidden", "layer 2 has 0 units"),
        ("beta=1&beta=2", "beta", "more than once"),
        ("beta", "beta", "has no value"),
        ("beta=%zz", "beta", "malformed %-escape"),
        ("train=1", "train", "out of range"),
        ("b2=1", "b2", "below 1"),
        (
            "beta_mode=target",
            "beta_mode",
            "exactly one of target_rate",
        ),
        (
            "beta_mode=target&target_rate=2&target_acc=0.9",
            "beta_mode",
            "exactly one",
        ),
        (
            "beta_mode=target&target_acc=0.9&objective=vae",
            "target_acc",
            "no accuracy to target",
        ),
        ("target_acc=1.5", "target_acc", "at most 1"),
        ("objective=ib", "objective", "vib|vae|sqib"),
        (
            "views=plane,radar",
            "views",
            "'radar' is not one of plane|curves",
        ),
        ("hide=beta,colour", "hide", "'colour' is not a link key"),
        ("plane=yes", "plane", "not 0 or 1"),
        ("bottleneck=pixel", "bottleneck", "joint|feature"),
        (
            "beta_schedule=log&beta_start=0",
            "beta_schedule",
            "log annealing needs",
        ),
    ];
    for (link, key, needle) in cases {
        let err = Experiment::from_link(link).expect_err(link);
        assert_eq!(err.key, key, "{link}: {err}");
        assert!(
            err.to_string().contains(needle),
            "{link}: '{err}' lacks '{needle}'"
        );
    }
    let long = format!("seed=1&{}", "x".repeat(5000));
    assert_eq!(Experiment::from_link(&long).unwrap_err().key, "link");
}

#[test]
fn error_text_is_escaped_and_bounded() {
    let err = Experiment::from_link(
        "act=%3Cscript%3E%0Aalert(1)%3C/script%3Exxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(!text.contains('\n'), "{text}");
    assert!(text.contains('…'), "{text}");
}

#[test]
fn noise_rows_per_step_are_bounded() {
    assert_eq!(MAX_TRAIN_ROWS, 16_384);
    let fits = Experiment::from_link("batch=1024&train_samples=16").unwrap();
    assert_eq!(fits.batch * fits.train_samples, MAX_TRAIN_ROWS);
    let err = Experiment::from_link("batch=4096&train_samples=64").unwrap_err();
    assert_eq!(err.key, "train_samples");
    assert!(
        err.message.contains(
            "batch 4096 x train_samples 64 is 262144 rows of noise a step, more than 16384"
        ),
        "{}",
        err.message
    );
}

/// The VIB notebooks' set-up as link keys: the encoder fed 2x - 1 and
/// Glorot weights everywhere; the keys say why where they do not apply.
#[test]
fn centred_inputs_and_glorot_weights_are_keys_that_refuse_what_they_cannot_do() {
    let notebook =
        Experiment::from_link("data=mnist&act=relu&init=glorot&inputs=centered").unwrap();
    assert_eq!(
        (notebook.init, notebook.inputs),
        (Init::Glorot, Inputs::Centered)
    );
    assert_eq!(
        notebook.to_link(),
        "v=1&data=mnist&act=relu&init=glorot&inputs=centered"
    );
    let toy = Experiment::from_link("data=circle&inputs=centered").unwrap_err();
    assert_eq!(toy.key, "inputs");
    assert!(
        toy.message.contains("data=circle's are not in [0, 1]"),
        "{}",
        toy.message
    );
    let vae = Experiment::from_link("data=digits&objective=vae&inputs=centered").unwrap_err();
    assert_eq!(vae.key, "inputs");
    assert!(
        vae.message
            .contains("objective=vae reconstructs x in [0, 1]"),
        "{}",
        vae.message
    );
    let bad = Experiment::from_link("init=xavier").unwrap_err();
    assert_eq!(bad.key, "init");
    assert!(bad.message.contains("auto|glorot"), "{}", bad.message);
}
