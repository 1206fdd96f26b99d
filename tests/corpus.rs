//! The corpus of awkward inputs kept in tests/corpus: every file goes
//! through its parser and ends in a value or an error that says what is
//! wrong, never a panic. Add a file here whenever a new one causes trouble.
use ib_playground::config::Experiment;
use ib_playground::data::csv;
use ib_playground::model::Shape;
use ib_playground::weights::Weights;
use std::path::Path;

fn corpus_bytes(prefix: &str) -> Vec<(String, Vec<u8>)> {
    corpus(prefix)
        .into_iter()
        .map(|(name, _)| {
            let bytes = std::fs::read(&name).unwrap();
            (name, bytes)
        })
        .collect()
}

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
    let files = corpus_bytes("csv-");
    assert!(files.len() >= 14);
    for (name, bytes) in files {
        if let Err(e) = csv::dataset_from_bytes(&bytes, 0.5, 1) {
            assert!(
                e.line.is_some() || e.message.contains("CSV") || e.message.contains("table"),
                "{name}: {e}"
            );
        }
    }
}

/// The same six rows, (1.0, 2.0, 0) ... (3.5, 4.5, 1), as spreadsheets save
/// them: every form reads to the same numbers and labels.
#[test]
fn spreadsheet_forms_read_like_the_plain_table() {
    let plain =
        csv::parse("1.0,2.0,0\n1.5,2.5,1\n2.0,3.0,0\n2.5,3.5,1\n3.0,4.0,0\n3.5,4.5,1\n").unwrap();
    for form in [
        "bom-no-header",
        "cr-only",
        "mixed-line-ends",
        "semicolon-decimal-comma",
        "semicolon-no-header",
        "trailing-separators",
        "utf16le",
        "utf16be",
    ] {
        let (_, bytes) = corpus_bytes(&format!("csv-{form}")).remove(0);
        let table = csv::parse_bytes(&bytes).unwrap_or_else(|e| panic!("{form}: {e}"));
        assert_eq!(
            (&table.x, &table.labels),
            (&plain.x, &plain.labels),
            "{form}"
        );
    }
    let (_, bytes) = corpus_bytes("csv-quoted-text-labels").remove(0);
    let quoted = csv::parse_bytes(&bytes).unwrap();
    assert_eq!(quoted.feature_names, ["first, feature", "second \"b\""]);
    assert_eq!(quoted.labels[0], "cat, small");
    let (_, bytes) = corpus_bytes("csv-missing-na").remove(0);
    let e = csv::parse_bytes(&bytes).unwrap_err();
    assert_eq!((e.line, e.column), (Some(3), Some(2)));
    assert!(e.message.contains("missing value ('NA')"), "{e}");
}

/// Files too wide or too long are refused with the limit, not read whole.
#[test]
fn huge_tables_are_refused_by_their_limits() {
    let wide: String = (0..10_000).map(|i| format!("{i},")).collect::<String>() + "0\n";
    let e = csv::parse(&wide.repeat(4)).unwrap_err();
    assert!(
        e.message.contains("10001 columns (allowed: at most 1025)"),
        "{e}"
    );
    let one_line = vec![b'7'; 16 * 1024 * 1024];
    let e = csv::parse_bytes(&one_line).unwrap_err();
    assert!(
        e.message.contains("needs at least one feature column"),
        "{e}"
    );
    let too_big = vec![b'7'; 16 * 1024 * 1024 + 1];
    let e = csv::parse_bytes(&too_big).unwrap_err();
    assert!(e.message.contains("allowed: at most 16777216"), "{e}");
}

#[test]
fn pxy_files() {
    for (name, bytes) in corpus_bytes("pxy-") {
        match ib_playground::info::tables::parse_pxy_bytes(&bytes) {
            Ok(j) => assert!(
                j.p.iter().all(|v| v.is_finite()) && (j.p.iter().sum::<f64>() - 1.0).abs() < 1e-9,
                "{name}"
            ),
            Err(e) => assert!(
                e.message.contains("row") || e.message.contains("table"),
                "{name}: {e}"
            ),
        }
    }
}

#[test]
fn weights_files() {
    let shape = Shape::new(&Experiment::default(), 2, 2);
    for (name, text) in corpus("weights-") {
        match Weights::parse(&text) {
            Ok(w) => assert!(w.to_params(&shape).is_err(), "{name}: none of these fit"),
            Err(e) => assert!(e.message.contains("weights"), "{name}: {e}"),
        }
    }
}
