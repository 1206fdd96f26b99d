//! The evaluation set-up of Alemi et al.: the moving average of the weights
//! (EMA), prediction as the mean of S softmax samples, and the noiseless
//! deterministic baseline.
use ib_playground::config::{Activation, Experiment, Init};
use ib_playground::cpu::CpuTrainer;
use ib_playground::cpu::ema;
use ib_playground::cpu::eval::{argmax, evaluate, predict};
use ib_playground::data::{self, Sources};
use ib_playground::model::{Params, Shape};

fn trainer(link: &str) -> CpuTrainer {
    let experiment = Experiment::from_link(link).unwrap();
    let dataset = data::load(&experiment, &Sources::default()).unwrap();
    CpuTrainer::new(experiment, dataset)
}

fn flat(params: &Params<f32>) -> Vec<f32> {
    params
        .layers()
        .iter()
        .flat_map(|l| l.w.iter().chain(l.b.iter()).copied().collect::<Vec<_>>())
        .collect()
}

#[test]
fn ema_weight_is_debiased() {
    let e = Experiment {
        ema: 0.9,
        ..Default::default()
    };
    assert_eq!(e.ema_weight(1), 1.0);
    // (1 - 0.9) / (1 - 0.81) = 1 / 1.9
    assert!((e.ema_weight(2) - 1.0 / 1.9).abs() < 1e-15);
    // (1 - 0.9) / (1 - 0.729) = 0.1 / 0.271
    assert!((e.ema_weight(3) - 0.1 / 0.271).abs() < 1e-15);
    assert!((e.ema_weight(500) - 0.1).abs() < 1e-15);
}

#[test]
fn ema_update_moves_the_average_by_its_weight() {
    let shape = Shape {
        input: 3,
        hidden: vec![4],
        latent: 2,
        decoder_hidden: None,
        output: 2,
        features: None,
    };
    let a: Params<f32> = Params::init(&shape, Activation::Tanh, Init::Auto, 1);
    let b: Params<f32> = Params::init(&shape, Activation::Tanh, Init::Auto, 2);
    let mut shadow = a.clone();
    ema::update(&mut shadow, &b, 0.25);
    let (fa, fb, fs) = (flat(&a), flat(&b), flat(&shadow));
    assert_eq!(fs.len(), 3 * 4 + 4 + 4 * 4 + 4 + 2 * 2 + 2);
    for i in 0..fs.len() {
        let want = fa[i] + 0.25 * (fb[i] - fa[i]);
        assert!((fs[i] - want).abs() <= 1e-7, "{i}: {} vs {want}", fs[i]);
    }
    // Weight 1 copies.
    ema::update(&mut shadow, &a, 1.0);
    assert_eq!(flat(&shadow), fa);
}

#[test]
fn the_average_follows_training_without_changing_it() {
    let link = "data=moons&hidden=8&k=2&beta=1e-3&seed=4&lr=1e-2";
    let mut plain = trainer(link);
    let mut averaged = trainer(&format!("{link}&ema=0.99"));
    plain.train_step();
    averaged.train_step();
    // The first update copies the weights.
    assert_eq!(flat(averaged.eval_params()), flat(&averaged.params));
    let p1 = flat(&averaged.params);
    plain.train_step();
    averaged.train_step();
    let p2 = flat(&averaged.params);
    assert_eq!(flat(&plain.params), p2, "the average changed training");
    // s2 = p1 + (0.01 / (1 - 0.99^2)) (p2 - p1), by hand.
    let w = (0.01 / (1.0 - 0.99f64 * 0.99)) as f32;
    let s2 = flat(averaged.eval_params());
    let mut differs = 0;
    for i in 0..p2.len() {
        let want = p1[i] + w * (p2[i] - p1[i]);
        assert!((s2[i] - want).abs() <= 1e-6, "{i}: {} vs {want}", s2[i]);
        differs += (s2[i] != p2[i]) as usize;
    }
    assert!(differs * 2 > p2.len(), "the average equals the weights");
    for _ in 0..200 {
        plain.train_step();
        averaged.train_step();
    }
    // Reports measure the average: same training, different held-out loss.
    let (a, b) = (plain.report(false), averaged.report(false));
    assert_eq!(a.train_loss, b.train_loss);
    assert_ne!(a.loss, b.loss);
    assert!(
        b.test_acc.unwrap() > 0.8,
        "averaged accuracy {:?}",
        b.test_acc
    );
}

#[test]
fn s_sample_prediction_is_the_mean_of_single_samples() {
    let mut t = trainer("data=digits&hidden=32&act=relu&k=6&beta=1e-2&seed=3&samples=12");
    for _ in 0..150 {
        t.train_step();
    }
    let test = &t.dataset.test;
    let e = &t.experiment;
    let twelve = predict(&t.params, &t.model, &test.x, 0, 0..12, e);
    let mut mean = ndarray::Array2::<f32>::zeros(twelve.raw_dim());
    for s in 0..12 {
        mean += &predict(&t.params, &t.model, &test.x, 0, s..s + 1, e);
    }
    mean /= 12.0;
    let largest = (&twelve - &mean).fold(0f32, |m, v| m.max(v.abs()));
    assert!(largest < 1e-6, "S-sample mean differs by {largest}");
    // Samples differ, so one sample is not the mean of twelve.
    let one = predict(&t.params, &t.model, &test.x, 0, 0..1, e);
    assert!((&twelve - &one).fold(0f32, |m, v| m.max(v.abs())) > 1e-3);
    // evaluate's accuracy is the argmax of the 12-sample mean.
    let correct = twelve
        .rows()
        .into_iter()
        .zip(&test.y)
        .filter(|(p, y)| argmax(p.as_slice().unwrap()) == **y as usize)
        .count();
    let evaluation = evaluate(&t.params, &t.model, test, e);
    assert_eq!(
        evaluation.accuracy.unwrap(),
        correct as f64 / test.len() as f64
    );
    // And its single-sample accuracy that of the first sample.
    let correct_one = one
        .rows()
        .into_iter()
        .zip(&test.y)
        .filter(|(p, y)| argmax(p.as_slice().unwrap()) == **y as usize)
        .count();
    assert_eq!(
        evaluation.accuracy_single.unwrap(),
        correct_one as f64 / test.len() as f64
    );
    assert_ne!(
        correct, correct_one,
        "one sample predicts as well as twelve"
    );
}

#[test]
fn without_noise_every_sample_is_the_mean() {
    let mut t = trainer("data=circle&hidden=8&k=2&beta=0&sample=0&seed=2&samples=5");
    for _ in 0..100 {
        t.train_step();
    }
    let (test, e) = (&t.dataset.test, &t.experiment);
    let a = predict(&t.params, &t.model, &test.x, 0, 0..1, e);
    let b = predict(&t.params, &t.model, &test.x, 0, 3..4, e);
    assert_eq!(a, b);
    let five = evaluate(&t.params, &t.model, test, e);
    let one = evaluate(
        &t.params,
        &t.model,
        test,
        &Experiment {
            eval_samples: 1,
            ..e.clone()
        },
    );
    assert!((five.data_nats - one.data_nats).abs() < 1e-9);
    assert_eq!(five.accuracy, one.accuracy);
    // With noise the samples differ.
    let noisy = Experiment {
        sample_latent: true,
        ..e.clone()
    };
    let c = predict(&t.params, &t.model, &test.x, 0, 0..1, &noisy);
    assert_ne!(a, c);
}
