//! Reading and writing the values of link keys: numbers, whole numbers,
//! switches, lists, and percent-decoding. Errors are short phrases that the
//! caller prefixes with the key.

use super::Invalid;

/// Shortest text that parses back to the same f64: plain for ordinary
/// magnitudes, exponent form for very small or large ones (`1e-6`).
pub(crate) fn real_text(v: f64) -> String {
    if v == 0.0 || (1e-3..1e6).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Percent-decoding (`%2C` -> `,`). A `+` stays a plus: links are URL
/// fragments, not form data, and people type `beta=1e+0`.
pub(super) fn decode(text: &str) -> Result<String, Invalid> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                let byte = hex
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| invalid!("'{}' has a malformed %-escape", printable(text)))?;
                out.push(byte);
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| invalid!("'{}' is not valid UTF-8", printable(text)))
}

/// A value echoed in an error: bounded in length, control characters escaped.
pub(super) fn printable(text: &str) -> String {
    const SHOWN: usize = 40;
    let mut shown: String = text
        .chars()
        .take(SHOWN)
        .flat_map(char::escape_default)
        .collect();
    if text.chars().count() > SHOWN {
        shown.push('…');
    }
    shown
}

pub(super) fn choice<T>(
    text: &str,
    from: fn(&str) -> Option<T>,
    names: fn() -> String,
) -> Result<T, Invalid> {
    from(text).ok_or_else(|| invalid!("'{}' is not one of {}", printable(text), names()))
}

/// A switch: 0 or 1.
pub(super) fn flag(text: &str) -> Result<bool, Invalid> {
    match text {
        "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(invalid!("'{}' is not 0 or 1", printable(text))),
    }
}

pub(super) fn real(text: &str) -> Result<f64, Invalid> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(invalid!("'{}' is not a finite number", printable(text))),
        Err(_) => Err(invalid!("'{}' is not a number", printable(text))),
    }
}

pub(super) fn optional_real(text: &str) -> Result<Option<f64>, Invalid> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        real(text).map(Some)
    }
}

pub(super) fn integer(text: &str, min: u64, max: u64) -> Result<u64, Invalid> {
    let value: u64 = text
        .trim()
        .parse()
        .map_err(|_| invalid!("'{}' is not a whole number", printable(text)))?;
    if value < min || value > max {
        return Err(invalid!(
            "{value} is out of range (allowed: {min} to {max})"
        ));
    }
    Ok(value)
}

pub(super) fn widths(text: &str) -> Result<Vec<usize>, Invalid> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .enumerate()
        .map(|(i, part)| {
            if part.trim().is_empty() {
                return Err(invalid!(
                    "'{}' has an empty entry at position {}",
                    printable(text),
                    i + 1
                ));
            }
            integer(part, 0, u32::MAX as u64)
                .map(|v| v as usize)
                .map_err(|m| invalid!("entry {}: {m}", i + 1))
        })
        .collect()
}
