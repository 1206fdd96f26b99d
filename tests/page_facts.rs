//! The page keeps no copy of what Rust knows (issue 29, item 2): its views
//! are `config::VIEWS`, one figure each in www/index.html, and the facts the
//! page asks for (`pageFacts()`) are the crate's own.
use ib_playground::config::VIEWS;
use ib_playground::facts::page_facts;

/// The `view-NAME` ids of index.html's figures, in page order.
fn figures() -> Vec<String> {
    let html = std::fs::read_to_string("www/index.html").unwrap();
    html.match_indices("id=\"view-")
        .map(|(at, found)| {
            let rest = &html[at + found.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

#[test]
fn index_html_has_one_figure_per_view_and_no_other() {
    let mut figures = figures();
    assert!(
        figures.len() >= 2,
        "the reader finds the figures: {figures:?}"
    );
    figures.sort();
    let mut views: Vec<String> = VIEWS.iter().map(|v| v.to_string()).collect();
    views.sort();
    assert_eq!(figures, views, "index.html's figures against config::VIEWS");
}

#[test]
fn the_page_facts_are_the_crate_s_own() {
    let facts = page_facts();
    assert_eq!(facts.views, VIEWS.to_vec());
    assert_eq!(facts.max_csv_bytes, ib_playground::data::csv::MAX_CSV_BYTES);
    assert_eq!(facts.max_csv_bytes, 16 * 1024 * 1024);
    let json = serde_json::to_value(&facts).unwrap();
    assert_eq!(json["layer_names"][1]["short"], "μ");
    assert_eq!(json["layer_names"][1]["column"], "mu");
}

/// One table of key labels for the controls, the lessons and the pins: every
/// key has one, no two keys share one, and the page's schema carries them.
#[test]
fn every_key_has_its_own_label_in_the_schema() {
    let keys = ib_playground::config::KEYS;
    let mut labels: Vec<&str> = keys.iter().map(|k| k.label).collect();
    assert!(labels.iter().all(|l| !l.trim().is_empty()));
    labels.sort();
    labels.dedup();
    assert_eq!(labels.len(), keys.len(), "two keys share a label");
    let schema = ib_playground::config::schema();
    let label = |name: &str| schema.iter().find(|k| k.name == name).unwrap().label;
    assert_eq!(label("beta"), "β");
    assert_eq!(label("lr"), "Learning rate");
    assert_eq!(label("k"), "Latent size K");
}
