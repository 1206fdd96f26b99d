//! The corpus of awkward inputs kept in tests/corpus: every file goes
//! through its parser and ends in a value or an error that says what is
//! wrong, never a panic. Add a file here whenever a new one causes trouble.
use ib_playground::config::Experiment;
use ib_playground::data::csv;
use ib_playground::info::exact_ib::parse_pxy;
use ib_playground::model::Shape;
use ib_playground::weights::Weights;
use std::path::Path;

fn corpus(prefix: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.display().to_string(),
                String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned(),
            )
        })
        .collect()
}

#[test]
fn links() {
    let (_, text) = corpus("links").remove(0);
    let mut parsed = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') || l.starts_with("#data"))
    {
        match Experiment::from_link(line) {
            Ok(e) => {
                parsed += 1;
                assert_eq!(Experiment::from_link(&e.to_link()).unwrap(), e, "{line}");
            }
            Err(err) => assert!(
                !err.key.is_empty() && !err.message.is_empty(),
                "{line}: {err:?}"
            ),
        }
        let (lenient, _) = ib_playground::config::parse_lenient(line);
        lenient.validate().unwrap();
    }
    assert!(parsed >= 3, "the valid links of the corpus parse");
}

#[test]
fn csv_files() {
    let files = corpus("csv-");
    assert!(files.len() >= 5);
    for (name, text) in files {
        if let Err(e) = csv::dataset(&text, 0.5, 1) {
            assert!(e.to_string().starts_with("CSV"), "{name}: {e}");
        }
    }
}

#[test]
fn pxy_files() {
    for (name, text) in corpus("pxy-") {
        match parse_pxy(&text) {
            Ok(j) => assert!(
                j.p.iter().all(|v| v.is_finite()) && (j.p.iter().sum::<f64>() - 1.0).abs() < 1e-9,
                "{name}"
            ),
            Err(e) => assert!(e.contains("row") || e.contains("table"), "{name}: {e}"),
        }
    }
}

#[test]
fn weights_files() {
    let shape = Shape::new(&Experiment::default(), 2, 2);
    for (name, text) in corpus("weights-") {
        match Weights::parse(&text) {
            Ok(w) => assert!(w.to_params(&shape).is_err(), "{name}: none of these fit"),
            Err(e) => assert!(e.contains("weights"), "{name}: {e}"),
        }
    }
}
