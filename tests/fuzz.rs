//! Outside input never panics: arbitrary bytes and mutated valid inputs
//! into the CSV parser, the `--pxy` reader and the weights loader end in a
//! value or an error that says what is wrong (proptest; the link parser has
//! its own in tests/config.rs).
use ib_playground::config::Experiment;
use ib_playground::data::csv;
use ib_playground::info::exact_ib::parse_pxy;
use ib_playground::model::Shape;
use ib_playground::weights::Weights;
use proptest::prelude::*;

/// A valid CSV with one cell replaced by arbitrary text.
fn mutated_csv() -> impl Strategy<Value = String> {
    (0usize..30, 0usize..3, "[ -~]{0,12}").prop_map(|(row, col, junk)| {
        let mut lines: Vec<Vec<String>> = (0..30)
            .map(|i| {
                vec![
                    format!("{}", i as f32 / 3.0),
                    format!("{}", (i * 7 % 5) as f32),
                    format!("{}", i % 3),
                ]
            })
            .collect();
        lines[row][col] = junk;
        lines
            .iter()
            .map(|l| l.join(","))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn csv_never_panics(text in "[0-9a-z,.\\-\\n\" ]{0,400}") {
        match csv::dataset(&text, 0.5, 1) {
            Ok(d) => prop_assert!(d.train.len() + d.test.len() >= csv::MIN_ROWS),
            Err(e) => prop_assert!(e.to_string().starts_with("CSV"), "{}", e),
        }
    }

    #[test]
    fn mutated_csv_names_the_cell(text in mutated_csv()) {
        if let Err(e) = csv::dataset(&text, 0.5, 1) {
            prop_assert!(e.to_string().contains("line") || e.to_string().contains("class"), "{}", e);
        }
    }

    #[test]
    fn pxy_never_panics(text in "[0-9.,\\-e \\n#a-z]{0,200}") {
        match parse_pxy(&text) {
            Ok(j) => {
                let total: f64 = j.p.iter().sum();
                prop_assert!((total - 1.0).abs() < 1e-9 && j.p.iter().all(|&v| v >= 0.0));
            }
            Err(e) => prop_assert!(!e.is_empty()),
        }
    }

    #[test]
    fn weights_loader_never_panics(text in "[\\[\\]{}:,\"0-9a-z._ -]{0,300}") {
        if let Ok(w) = Weights::parse(&text) {
            let experiment = Experiment::default();
            let shape = Shape::new(&experiment, 2, 2);
            let _ = w.to_params(&shape);
        }
    }
}
