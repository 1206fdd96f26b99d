//! What the page shows that Rust knows, handed to it through the wasm API
//! so that no table is kept twice: the model's layers as the diagram draws
//! them (from `Shape`, a decoder's hidden layer included), the names of the
//! plane's layers, the views, and the limits the page checks before it
//! asks the worker. Nothing here knows the browser.

use crate::config::{Experiment, Objective, VIEWS};
use crate::model::Shape;
use crate::report::{LAYER_NAMES, LayerName};
use serde::Serialize;

/// One column of the model diagram, input to output.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelLayer {
    /// "input", "hidden" (the encoder's), "latent" (the code), "decoder"
    /// (the decoder's hidden layer, `decoder=mlp`) or "output".
    pub kind: &'static str,
    /// The name drawn: X, T1, T2, ..., the code z, D1, then Y or X̂.
    pub name: String,
    /// The layer's id in reports' `layers` (`LayerInfo::layer`), for the
    /// encoder's hidden layers the plane measures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plane: Option<String>,
    /// The encoder's hidden layer, from 0 (its unit maps in snapshots).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// Units: features, neurons, Gaussian code units, classes.
    pub units: usize,
    /// What the column is, in a sentence fragment (tooltips).
    pub title: String,
}

/// The diagram's columns of the model of `experiment` with `shape` (per
/// feature bottlenecks: `shape` already holds the totals).
pub fn model_layers(experiment: &Experiment, shape: &Shape) -> Vec<ModelLayer> {
    let layer = |kind, name: String, units, title: String| ModelLayer {
        kind,
        name,
        plane: None,
        index: None,
        units,
        title,
    };
    let mut layers = vec![layer(
        "input",
        "X".into(),
        shape.input,
        format!("input X: {} features", shape.input),
    )];
    for (i, &units) in shape.hidden.iter().enumerate() {
        layers.push(ModelLayer {
            plane: Some(format!("encoder {}", i + 1)),
            index: Some(i),
            ..layer(
                "hidden",
                format!("T{}", i + 1),
                units,
                format!("encoder layer T{}: {units} units", i + 1),
            )
        });
    }
    layers.push(layer(
        "latent",
        "code z = μ + σ·ε".into(),
        shape.latent,
        format!(
            "the code: {} Gaussian units, each a mean μ plus its noise σ·ε",
            shape.latent
        ),
    ));
    if let Some(units) = shape.decoder_hidden {
        layers.push(layer(
            "decoder",
            "D1".into(),
            units,
            format!(
                "the decoder's hidden layer D1: {units} units that read the code z and \
                 feed the output (the plane does not measure them)"
            ),
        ));
    }
    layers.push(match experiment.objective {
        Objective::Vae => layer(
            "output",
            "X̂".into(),
            shape.output,
            "the reconstruction X̂".into(),
        ),
        Objective::Vib | Objective::Sqib => layer(
            "output",
            "Y".into(),
            shape.output,
            format!("the label Y: {} classes", shape.output),
        ),
    });
    layers
}

/// The page's static facts (`pageFacts()` in the page).
#[derive(Clone, Debug, Serialize)]
pub struct PageFacts {
    /// The views a link can show (`views`), each a figure `view-NAME` in
    /// index.html.
    pub views: Vec<&'static str>,
    /// The largest table the CSV reader takes, bytes: the page refuses a
    /// larger file before reading it.
    pub max_csv_bytes: usize,
    /// How the plane's layers are named (`report::LAYER_NAMES`).
    pub layer_names: Vec<LayerName>,
}

/// The facts as they stand in this build.
pub fn page_facts() -> PageFacts {
    PageFacts {
        views: VIEWS.to_vec(),
        max_csv_bytes: crate::data::csv::MAX_CSV_BYTES,
        layer_names: LAYER_NAMES.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layers(link: &str, input: usize, classes: usize) -> Vec<(&'static str, String, usize)> {
        let experiment = Experiment::from_link(link).unwrap();
        let shape = Shape::new(&experiment, input, classes);
        model_layers(&experiment, &shape)
            .into_iter()
            .map(|l| (l.kind, l.name, l.units))
            .collect()
    }

    #[test]
    fn the_diagram_draws_what_the_shape_says() {
        let plain = layers("hidden=16,8&k=2", 2, 2);
        let names: Vec<_> = plain.iter().map(|l| (l.0, l.2)).collect();
        assert_eq!(
            names,
            [
                ("input", 2),
                ("hidden", 16),
                ("hidden", 8),
                ("latent", 2),
                ("output", 2)
            ]
        );
        let mlp = layers("hidden=16&k=3&decoder=mlp&dec_hidden=32", 2, 4);
        assert_eq!(mlp[3], ("decoder", "D1".to_string(), 32));
        assert_eq!(mlp[4], ("output", "Y".to_string(), 4));
        let vae = layers("data=digits&objective=vae&hidden=32&k=4", 64, 10);
        assert_eq!(vae.last().unwrap(), &("output", "X̂".to_string(), 64));
        // A per-feature bottleneck: every feature its own block.
        let feature = layers("hidden=4&k=1&bottleneck=feature", 3, 2);
        assert_eq!((feature[1].2, feature[2].2), (12, 3));
    }

    #[test]
    fn the_hidden_layers_carry_their_plane_ids() {
        let experiment = Experiment::from_link("hidden=5,4,3").unwrap();
        let shape = Shape::new(&experiment, 12, 2);
        let ids: Vec<_> = model_layers(&experiment, &shape)
            .into_iter()
            .filter_map(|l| Some((l.plane?, l.index?)))
            .collect();
        assert_eq!(
            ids,
            [
                ("encoder 1".into(), 0),
                ("encoder 2".into(), 1),
                ("encoder 3".into(), 2)
            ]
        );
    }
}
