//! One error type for the whole crate and the wasm boundary: a kind that
//! callers decide on, where it happened (link key, table line and column),
//! and a sentence a person can act on. JavaScript receives the same fields
//! as a plain object `{kind, key, line, column, message}`.

use crate::config::ConfigError;
use crate::data::DataError;
use serde::Serialize;
use std::fmt;

/// What went wrong, for the caller to decide on (never by parsing text).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorKind {
    /// A share link or one of its keys.
    Link,
    /// A dataset, an uploaded table or a file.
    Data,
    /// The GPU: no adapter, a device that failed or was lost, a readback.
    Gpu,
    /// The model does not fit a limit of the GPU adapter.
    Limit,
    /// Training produced a number that is not finite.
    Diverged,
    /// A bug in this program: please report it.
    Internal,
}

/// An error with its kind and place.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Error {
    pub kind: ErrorKind,
    /// The link key at fault (`Link`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// 1-based line and column of a table (`Data`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// The whole sentence, place included.
    pub message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            key: None,
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// A problem with link key `key`.
    pub fn link(key: &str, message: impl Into<String>) -> Self {
        Error {
            key: Some(key.to_string()),
            ..Error::new(ErrorKind::Link, message)
        }
    }

    pub fn data(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Data, message)
    }

    pub fn gpu(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Gpu, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Internal, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::link(&e.key, e.to_string())
    }
}

impl From<DataError> for Error {
    fn from(e: DataError) -> Self {
        Error {
            line: e.line,
            column: e.column,
            ..Error::data(e.to_string())
        }
    }
}

/// The crate's results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_places_survive_conversion() {
        let link: Error = ConfigError::new("beta", "'x' is not a number").into();
        assert_eq!(link.kind, ErrorKind::Link);
        assert_eq!(link.key.as_deref(), Some("beta"));
        assert_eq!(link.message, "beta: 'x' is not a number");
        let data: Error = DataError::at(3, Some(2), "'a' is not a number").into();
        assert_eq!(
            (data.kind, data.line, data.column),
            (ErrorKind::Data, Some(3), Some(2))
        );
        assert_eq!(data.message, "CSV line 3, column 2: 'a' is not a number");
        let json = serde_json::to_value(&data).unwrap();
        assert_eq!(json["kind"], "data");
        assert_eq!(json["line"], 3);
        assert!(json.get("key").is_none());
    }
}
