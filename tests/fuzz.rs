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
            Err(e) => prop_assert!(!e.message.is_empty()),
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

/// A table written the way some spreadsheet saves it.
#[derive(Debug, Clone)]
struct Style {
    separator: char,
    decimal_comma: bool,
    mark: bool,
    utf16: bool,
    line_end: &'static str,
    quoted: bool,
    header: bool,
}

fn style() -> impl Strategy<Value = Style> {
    (
        prop::sample::select(vec![',', ';', '\t']),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec!["\n", "\r\n", "\r"]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(separator, comma, mark, utf16, line_end, quoted, header)| Style {
                separator,
                decimal_comma: comma && separator != ',',
                mark,
                utf16,
                line_end,
                quoted,
                header,
            },
        )
}

fn render(rows: &[(Vec<i32>, u8)], style: &Style) -> Vec<u8> {
    let cell = |text: String| {
        if style.quoted {
            format!("\"{text}\"")
        } else {
            text
        }
    };
    let number = |v: i32| {
        let text = format!("{}", v as f64 / 8.0);
        cell(if style.decimal_comma {
            text.replace('.', ",")
        } else {
            text
        })
    };
    let sep = style.separator.to_string();
    let mut lines = Vec::new();
    if style.header {
        let mut names: Vec<String> = (0..rows[0].0.len())
            .map(|i| cell(format!("f{i}")))
            .collect();
        names.push(cell("label".into()));
        lines.push(names.join(&sep));
    }
    for (values, label) in rows {
        let mut cells: Vec<String> = values.iter().map(|&v| number(v)).collect();
        cells.push(cell(format!("class{label}")));
        lines.push(cells.join(&sep));
    }
    let text = lines.join(style.line_end) + style.line_end;
    match (style.utf16, style.mark) {
        (true, _) => [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
        (false, true) => [0xEF, 0xBB, 0xBF].into_iter().chain(text.bytes()).collect(),
        (false, false) => text.into_bytes(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    /// Spreadsheet-style files read to the same numbers as the plain form.
    #[test]
    fn spreadsheet_styles_read_like_plain_csv(
        rows in prop::collection::vec((prop::collection::vec(-800i32..800, 3), 0u8..2), 4..12),
        style in style(),
    ) {
        let plain = Style { separator: ',', decimal_comma: false, mark: false, utf16: false, line_end: "\n", quoted: false, header: false };
        let want = csv::parse_bytes(&render(&rows, &plain)).unwrap();
        let got = csv::parse_bytes(&render(&rows, &style)).unwrap();
        prop_assert_eq!(&got.x, &want.x, "{:?}", style);
        prop_assert_eq!(&got.labels, &want.labels);
        prop_assert_eq!(got.header, style.header);
    }
}
