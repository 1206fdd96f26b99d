//! The named choices of an experiment. They travel in links as stable names
//! (`tanh`, `var_u`), never as indices, so reordering cannot break a link.

/// Declares an enum whose variants have stable link names.
macro_rules! named_choice {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every choice, in the order the docs list them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable name used in links and JSON.
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The choice with this name, if any.
            pub fn from_name(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }

            /// The names joined for error messages: `a|b|c`.
            pub fn names() -> String {
                Self::ALL.iter().map(|c| c.name()).collect::<Vec<_>>().join("|")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

named_choice!(
    /// A dataset.
    DataName {
        /// A disc inside a ring (2-D).
        Circle => "circle",
        /// Quadrants with opposite signs (2-D).
        Xor => "xor",
        /// Two Gaussian blobs (2-D).
        Gaussians => "gaussians",
        /// Two interleaved spiral arms (2-D).
        Spiral => "spiral",
        /// Two half moons (2-D).
        Moons => "moons",
        /// The 4096 12-bit patterns of Shwartz-Ziv & Tishby.
        VarU => "var_u",
        /// The 1797 8x8 handwritten digits (UCI optdigits test set).
        Digits => "digits",
        /// MNIST subset: 10,000 train / 2,000 test, stratified.
        Mnist => "mnist",
        /// Full MNIST, 60,000 / 10,000 (native CLI only).
        MnistFull => "mnist_full",
        /// A user-supplied CSV table (the data never travel in the link).
        Csv => "csv",
    }
);

impl DataName {
    /// Offered by the page's dataset menu: not full MNIST (the CLI reads
    /// its files) nor a CSV table (it arrives as a file, not from the menu).
    pub fn in_page_menu(self) -> bool {
        !matches!(self, DataName::MnistFull | DataName::Csv)
    }

    /// Generated 2-D datasets, which take `points` and `noise`.
    pub fn is_toy(self) -> bool {
        matches!(
            self,
            DataName::Circle
                | DataName::Xor
                | DataName::Gaussians
                | DataName::Spiral
                | DataName::Moons
        )
    }
}

named_choice!(
    /// What the bottleneck is trained for.
    Objective {
        /// Variational IB: cross-entropy of the label + beta * KL.
        Vib => "vib",
        /// Regenerative bottleneck (beta-VAE): reconstruction of x + beta * KL.
        Vae => "vae",
        /// Squared IB (Kolchinsky, Tracey & Van Kuyk 2019): cross-entropy +
        /// beta * rate^2 (the batch rate in nats); traces the whole IB curve
        /// where the labels are a deterministic function of x.
        Sqib => "sqib",
    }
);

impl Objective {
    /// True when the decoder predicts the label (vib, sqib).
    pub fn predicts_label(self) -> bool {
        matches!(self, Objective::Vib | Objective::Sqib)
    }
}

named_choice!(
    /// How the input reaches the latent code.
    Bottleneck {
        /// One encoder sees the whole input (the usual VIB).
        Joint => "joint",
        /// Each input feature has its own small encoder and latent code, so
        /// the KL of each feature says how much of it is kept (the
        /// distributed IB of Murphy & Bassett).
        Feature => "feature",
    }
);

named_choice!(
    /// Whether beta is set by the user or adapted towards a target.
    BetaMode {
        /// Beta as given (and scheduled).
        Fixed => "fixed",
        /// Beta as a Lagrange multiplier (GECO-style) so that a target rate
        /// (`target_rate`, bits) or training accuracy (`target_acc`) is met.
        Target => "target",
    }
);

named_choice!(
    /// Hidden-layer nonlinearity.
    Activation {
        Tanh => "tanh",
        Relu => "relu",
        /// GELU, tanh approximation (as in most GPU kernels).
        Gelu => "gelu",
        Sigmoid => "sigmoid",
        Linear => "linear",
    }
);

named_choice!(
    /// How the weights of every layer start (biases start at zero).
    Init {
        /// Uniform He (limit sqrt(6 / fan_in)) for relu and gelu hidden
        /// layers, uniform Glorot elsewhere.
        Auto => "auto",
        /// Uniform Glorot (limit sqrt(6 / (fan_in + fan_out))) for every
        /// layer, as the VIB authors' notebooks do (TensorFlow's
        /// `fully_connected` default, Flax's `xavier_uniform`).
        Glorot => "glorot",
    }
);

named_choice!(
    /// What the encoder is fed: the inputs as stored, or pixels in [0, 1]
    /// mapped to [-1, 1].
    Inputs {
        /// As stored (MNIST, digits and var_u in [0, 1]).
        Unit => "unit",
        /// 2x - 1: centred on zero, as the VIB authors' notebooks feed
        /// MNIST (`2*images-1` in TensorFlow, `x / 128 - 1` in JAX).
        Centered => "centered",
    }
);

named_choice!(
    /// Decoder q(y|z) or p(x|z).
    Decoder {
        /// One linear map (the VIB paper's choice).
        Linear => "linear",
        /// One hidden layer of `dec_hidden` units, then linear.
        Mlp => "mlp",
    }
);

named_choice!(
    /// How beta moves during training.
    BetaSchedule {
        Constant => "const",
        /// Linear from `beta_start` to `beta` over `anneal_steps`.
        Linear => "linear",
        /// Geometric (log-linear) from `beta_start` to `beta`.
        Log => "log",
    }
);

named_choice!(
    /// Estimator of I(X;T) and I(T;Y) for the information plane.
    Estimator {
        /// 30 equal bins per unit over the activation range.
        Binning => "binning",
        /// Kernel density upper bound (Kolchinsky & Tracey), noise variance 1e-3.
        Kde => "kde",
        /// Counting the codes of a quantized encoder (`quant`): exact.
        Exact => "exact",
    }
);
