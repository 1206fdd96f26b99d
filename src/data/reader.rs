//! One reader for the tables people bring: training CSVs, p(x, y) tables,
//! paired observations, the page's uploads and pastes. It takes the bytes a
//! spreadsheet saved and returns text cells with their line numbers:
//!
//! - encoding: UTF-8 with or without a byte-order mark, UTF-16 with one;
//! - line ends: LF, CRLF or CR (old Macs);
//! - fields quoted as in RFC 4180 (the `csv` crate reads the grammar);
//! - the separator detected among `,` `;` and tab, and named in `describe`;
//! - decimal commas read where the separator is `;` or tab;
//! - blank lines, `#` comment lines and trailing separators ignored.
//!
//! Whether the first row is a header is for the caller to say (it knows
//! which columns hold numbers); `number` refuses missing-value markers with
//! the line, the column and what to do. Size limits are checked before
//! anything is read.

use super::DataError;

/// Cells that mean "no value" in spreadsheets, compared without case.
pub const MISSING: [&str; 6] = ["", "na", "n/a", "?", "nan", "null"];
/// Lines looked at to detect the separator and decimal commas.
const SAMPLE_LINES: usize = 50;

/// How the bytes were encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    pub fn describe(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with a byte-order mark",
            Encoding::Utf16Le => "UTF-16 (little-endian)",
            Encoding::Utf16Be => "UTF-16 (big-endian)",
        }
    }
}

/// What a table may hold, checked before and while reading.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_rows: usize,
    pub max_columns: usize,
}

/// A table's cells, as text, each row with its 1-based line in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    pub encoding: Encoding,
    pub separator: char,
    pub decimal_comma: bool,
    pub rows: Vec<Row>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<String>,
}

/// Text from the bytes of a file: its byte-order mark says UTF-16 or
/// UTF-8, and text without one must be UTF-8.
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding), DataError> {
    let utf16 = |body: &[u8], little: bool, encoding| {
        if body.len() % 2 == 1 {
            return Err(DataError::new(
                "the UTF-16 text has an odd number of bytes (a truncated file?)",
            ));
        }
        let units = body.chunks_exact(2).map(|p| {
            if little {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            }
        });
        let text: Result<String, _> = char::decode_utf16(units).collect();
        text.map(|t| (t, encoding)).map_err(|_| {
            DataError::new("the UTF-16 text holds an unpaired surrogate (a damaged file?)")
        })
    };
    let (body, encoding) = match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => (rest, Encoding::Utf8Bom),
        [0xFF, 0xFE, rest @ ..] => return utf16(rest, true, Encoding::Utf16Le),
        [0xFE, 0xFF, rest @ ..] => return utf16(rest, false, Encoding::Utf16Be),
        _ => (bytes, Encoding::Utf8),
    };
    if body.contains(&0) {
        return Err(DataError::new(
            "not a text table (it holds NUL bytes): save it as CSV, in UTF-8 or UTF-16 with a byte-order mark",
        ));
    }
    match std::str::from_utf8(body) {
        Ok(text) => Ok((text.to_string(), encoding)),
        Err(e) => Err(DataError::new(format!(
            "not UTF-8 text (byte {} is not): save the table as UTF-8, or UTF-16 with a byte-order mark",
            e.valid_up_to() + 1 + (encoding == Encoding::Utf8Bom) as usize * 3
        ))),
    }
}

/// CRLF and lone CR become LF.
fn unify_line_ends(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// The 1-based line of byte `offset` of `text` (line ends already LF).
fn line_of(line_starts: &[usize], offset: usize) -> usize {
    line_starts.partition_point(|&start| start <= offset)
}

/// Where a record really starts: the reader reports the blank and comment
/// lines it skipped before it as part of it.
fn content_start(text: &str, mut offset: usize) -> usize {
    let bytes = text.as_bytes();
    while offset < bytes.len() {
        match bytes[offset] {
            b'\n' => offset += 1,
            b'#' => {
                offset = text[offset..]
                    .find('\n')
                    .map_or(bytes.len(), |i| offset + i + 1)
            }
            _ => break,
        }
    }
    offset
}

/// The cells of each non-blank, non-comment line split on `separator`.
fn split(text: &str, separator: u8, limit: Option<usize>) -> Result<Vec<Row>, DataError> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e
                .position()
                .map_or(0, |p| line_of(&line_starts, p.byte() as usize));
            DataError::at(line, None, format!("not a readable table row ({e})"))
        })?;
        let line = record.position().map_or(0, |p| {
            line_of(&line_starts, content_start(text, p.byte() as usize))
        });
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if let Some(c) = cells.iter().position(|c| c.contains('\n')) {
            return Err(DataError::at(
                line,
                Some(c + 1),
                "a quote opened here is not closed on this line (a table cell may not span lines): \
                 close it or remove it",
            ));
        }
        rows.push(Row { line, cells });
        if limit.is_some_and(|n| rows.len() >= n) {
            break;
        }
    }
    Ok(rows)
}

/// Whether `cell` is a number written with a decimal comma ("1,5").
fn decimal_comma_number(cell: &str) -> bool {
    let t = cell.trim();
    t.contains(',') && !t.contains('.') && t.replacen(',', ".", 1).parse::<f64>().is_ok()
}

/// The separator whose first lines split into the same number (at least
/// two) of cells; tab, then `;`, then `,`.
fn detect_separator(text: &str) -> Result<u8, DataError> {
    let mut best = (b',', 0usize);
    for separator in [b'\t', b';', b','] {
        let rows = split(text, separator, Some(SAMPLE_LINES))?;
        let counts: Vec<usize> = rows.iter().map(|r| trimmed_len(&r.cells)).collect();
        let consistent = counts
            .first()
            .is_some_and(|&n| n >= 2 && counts.iter().all(|&c| c == n));
        if consistent {
            return Ok(separator);
        }
        let split_lines = counts.iter().filter(|&&c| c >= 2).count();
        if split_lines > best.1 {
            best = (separator, split_lines);
        }
    }
    Ok(best.0)
}

/// Cells in a row once trailing empty cells (trailing separators) go.
fn trimmed_len(cells: &[String]) -> usize {
    cells.len()
        - cells
            .iter()
            .rev()
            .take_while(|c| c.trim().is_empty())
            .count()
}

/// Reads a table from the bytes of a file (or the text of a paste).
pub fn read(bytes: &[u8], limits: Limits) -> Result<Sheet, DataError> {
    if bytes.len() > limits.max_bytes {
        return Err(DataError::new(format!(
            "the table is {} bytes (allowed: at most {})",
            bytes.len(),
            limits.max_bytes
        )));
    }
    let (text, encoding) = decode(bytes)?;
    let text = unify_line_ends(&text);
    let separator = detect_separator(&text)?;
    let mut rows = split(&text, separator, None)?;
    if rows.len() > limits.max_rows {
        let line = rows[limits.max_rows].line;
        return Err(DataError::at(
            line,
            None,
            format!(
                "more than {} rows (allowed: at most {})",
                limits.max_rows, limits.max_rows
            ),
        ));
    }
    drop_trailing_separators(&mut rows);
    if let Some(row) = rows.iter().find(|r| r.cells.len() > limits.max_columns) {
        return Err(DataError::at(
            row.line,
            None,
            format!(
                "{} columns (allowed: at most {})",
                row.cells.len(),
                limits.max_columns
            ),
        ));
    }
    let decimal_comma = separator != b','
        && rows
            .iter()
            .take(SAMPLE_LINES)
            .any(|r| r.cells.iter().any(|c| decimal_comma_number(c)));
    Ok(Sheet {
        encoding,
        separator: separator as char,
        decimal_comma,
        rows,
    })
}

/// Empty cells past the table's width (its most common row length once
/// trailing empties go) are trailing separators, not missing values.
fn drop_trailing_separators(rows: &mut [Row]) {
    let mut counts = std::collections::HashMap::new();
    for row in rows.iter() {
        *counts.entry(trimmed_len(&row.cells)).or_insert(0usize) += 1;
    }
    let Some((&width, _)) = counts.iter().max_by_key(|(len, n)| (**n, **len)) else {
        return;
    };
    for row in rows.iter_mut() {
        if row.cells.len() > width && row.cells[width..].iter().all(|c| c.trim().is_empty()) {
            row.cells.truncate(width);
        }
    }
}

/// Whether a cell is one of the missing-value markers.
pub fn is_missing(cell: &str) -> bool {
    let t = cell.trim().to_ascii_lowercase();
    MISSING.contains(&t.as_str())
}

/// A cell shown in an error: bounded, control characters escaped.
pub fn shown(cell: &str) -> String {
    cell.chars()
        .take(30)
        .flat_map(char::escape_default)
        .collect()
}

impl Sheet {
    /// The number in `cell` (line `line`, 1-based column `column`), with a
    /// decimal comma where the table uses them. Missing-value markers and
    /// text are errors that say where and what to do.
    pub fn number(&self, cell: &str, line: usize, column: usize) -> Result<f64, DataError> {
        if is_missing(cell) {
            return Err(DataError::at(
                line,
                Some(column),
                format!(
                    "a missing value ('{}'): drop this row or fill the value in",
                    shown(cell.trim())
                ),
            ));
        }
        let t = cell.trim();
        let text = if self.decimal_comma {
            t.replacen(',', ".", 1)
        } else {
            t.to_string()
        };
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(DataError::at(
                line,
                Some(column),
                format!("'{}' is not a finite number", shown(t)),
            )),
        }
    }

    /// Whether every cell of `row` (within `columns`) reads as a number.
    pub fn all_numbers(&self, row: &Row, columns: std::ops::Range<usize>) -> bool {
        columns.into_iter().all(|c| {
            row.cells
                .get(c)
                .is_some_and(|cell| !is_missing(cell) && self.number(cell, 0, 0).is_ok())
        })
    }

    /// How the table was read, for a notice: "';'-separated, decimal
    /// commas, UTF-8 with a byte-order mark".
    pub fn describe(&self) -> String {
        let separator = match self.separator {
            '\t' => "tab-separated".to_string(),
            c => format!("'{c}'-separated"),
        };
        let comma = if self.decimal_comma {
            ", decimal commas"
        } else {
            ""
        };
        format!("{separator}{comma}, {}", self.encoding.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_bytes: 1 << 20,
        max_rows: 1000,
        max_columns: 100,
    };

    fn cells(sheet: &Sheet) -> Vec<Vec<&str>> {
        sheet
            .rows
            .iter()
            .map(|r| r.cells.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn separators_line_ends_and_marks() {
        let plain = read(b"a,b,y\n1,2,x\n3,4,z\n", LIMITS).unwrap();
        assert_eq!((plain.separator, plain.encoding), (',', Encoding::Utf8));
        let cr = read(b"a,b,y\r1,2,x\r3,4,z\r", LIMITS).unwrap();
        assert_eq!(cells(&cr), cells(&plain));
        assert_eq!(
            cr.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        let bom = read(b"\xEF\xBB\xBF1,2,x\r\n3,4,z\r\n", LIMITS).unwrap();
        assert_eq!(
            (bom.encoding, bom.rows[0].cells[0].as_str()),
            (Encoding::Utf8Bom, "1")
        );
        let semi = read(b"a;b;y\n1,5;2;x\n3;4,25;z\n", LIMITS).unwrap();
        assert_eq!((semi.separator, semi.decimal_comma), (';', true));
        assert_eq!(semi.number(&semi.rows[1].cells[0], 2, 1).unwrap(), 1.5);
        assert_eq!(semi.describe(), "';'-separated, decimal commas, UTF-8");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("1\t2\ty\n".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        let sheet = read(&utf16, LIMITS).unwrap();
        assert_eq!((sheet.separator, sheet.encoding), ('\t', Encoding::Utf16Le));
        assert_eq!(cells(&sheet), [["1", "2", "y"]]);
    }

    #[test]
    fn quotes_blank_lines_comments_and_trailing_separators() {
        let sheet = read(
            b"\"a, with comma\",\"b \"\"q\"\"\",y,\n\n# note\n1,2,x,\n3,4,z,\n",
            LIMITS,
        )
        .unwrap();
        assert_eq!(
            cells(&sheet),
            [
                vec!["a, with comma", "b \"q\"", "y"],
                vec!["1", "2", "x"],
                vec!["3", "4", "z"]
            ]
        );
        assert_eq!(
            sheet.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            [1, 4, 5]
        );
    }

    #[test]
    fn missing_values_and_limits_are_named() {
        let sheet = read(b"1,2,x\n", LIMITS).unwrap();
        for marker in ["", "NA", "n/a", "?", "NaN", "null"] {
            let e = sheet.number(marker, 3, 2).unwrap_err();
            assert_eq!((e.line, e.column), (Some(3), Some(2)));
            assert!(
                e.message.contains("missing value") && e.message.contains("drop this row or fill"),
                "{e}"
            );
        }
        let e = read(&vec![b'1'; 2 << 20], LIMITS).unwrap_err();
        assert!(e.message.contains("allowed: at most 1048576"), "{e}");
        let e = read(b"\xff\xfe\x00", LIMITS).unwrap_err();
        assert!(e.message.contains("odd number of bytes"), "{e}");
        let e = read(b"1,2\n\xc3\x28,1\n", LIMITS).unwrap_err();
        assert!(e.message.contains("not UTF-8"), "{e}");
    }
}
