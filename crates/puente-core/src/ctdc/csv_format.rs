//! Reading and writing CTDC CSV files in every release format: comma or `;` separated, with or
//! without the leading terms-of-use column, `-99` or empty for missing, UTF-8 with or without BOM,
//! CRLF or LF line ends, quoted or not. Pure: the caller hands over the bytes and takes the text.

use super::{parse_cell, CellError, CtdcRecord, COLUMNS, COLUMN_COUNT};

/// How to read a file.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReadOptions {
    /// Keep the valid rows and report the invalid ones, instead of stopping at the first error.
    pub skip_invalid: bool,
}

/// A CTDC file, read.
#[derive(Debug, Default)]
pub struct CtdcFile {
    pub records: Vec<CtdcRecord>,
    /// Rows left out because they were invalid (only with `skip_invalid`).
    pub rejected: Vec<RejectedRow>,
    /// The field separator found: `,` or `;`.
    pub delimiter: char,
    /// Whether the file carried the leading terms-of-use column of older releases.
    pub had_terms_of_use_column: bool,
}

/// A row that was not imported, with the reason.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedRow {
    pub line: u64,
    pub error: CtdcReadError,
    pub fields: Vec<String>,
}

/// What is wrong with a CTDC file, and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CtdcReadError {
    #[error("the file is empty: a CTDC file starts with a header line")]
    Empty,
    #[error("the file is not UTF-8 text (line {line})")]
    NotUtf8 { line: u64 },
    #[error(
        "line {line}: the header has an unknown column `{name}` (expected the 63 CTDC columns)"
    )]
    UnknownColumn { line: u64, name: String },
    #[error("line {line}: the header names column `{name}` twice")]
    RepeatedColumn { line: u64, name: String },
    #[error("line {line}: the header lacks the CTDC column(s) {}", .missing.join(", "))]
    MissingColumns { line: u64, missing: Vec<String> },
    #[error("line {line}: expected {expected} fields, found {found}")]
    WrongFieldCount {
        line: u64,
        expected: usize,
        found: usize,
    },
    #[error("line {line}, {error}")]
    InvalidCell { line: u64, error: CellError },
    #[error("line {line}: cannot read the CSV: {message}")]
    Csv { line: u64, message: String },
}

impl CtdcReadError {
    /// The line of the file the error is on.
    pub fn line(&self) -> u64 {
        match self {
            CtdcReadError::Empty => 1,
            CtdcReadError::NotUtf8 { line }
            | CtdcReadError::UnknownColumn { line, .. }
            | CtdcReadError::RepeatedColumn { line, .. }
            | CtdcReadError::MissingColumns { line, .. }
            | CtdcReadError::WrongFieldCount { line, .. }
            | CtdcReadError::InvalidCell { line, .. }
            | CtdcReadError::Csv { line, .. } => *line,
        }
    }
}

/// Finds the separator from the header line: the one of `,` and `;` that occurs more often outside
/// quotes.
fn detect_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas {
        b';'
    } else {
        b','
    }
}

/// Reads a CTDC CSV file. Without `skip_invalid`, the first invalid row stops the read with an error
/// naming its line, column and value; nothing is returned, so nothing can be half-imported.
pub fn read_ctdc_csv(bytes: &[u8], options: ReadOptions) -> Result<CtdcFile, CtdcReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let line = 1 + bytes[..error.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            return Err(CtdcReadError::NotUtf8 { line });
        }
    };
    if text.trim().is_empty() {
        return Err(CtdcReadError::Empty);
    }
    let delimiter = detect_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());

    let mut rows = reader.records();
    let header = match rows.next() {
        Some(Ok(header)) => header,
        Some(Err(error)) => return Err(csv_error(&error)),
        None => return Err(CtdcReadError::Empty),
    };
    // Where each field of a row goes: a CTDC column index, or nowhere (the terms-of-use column).
    let mut targets: Vec<Option<usize>> = Vec::with_capacity(header.len());
    let mut seen = [false; COLUMN_COUNT];
    let mut had_terms_of_use_column = false;
    for (position, name) in header.iter().enumerate() {
        match super::column_index(name) {
            Some(index) if seen[index] => {
                return Err(CtdcReadError::RepeatedColumn {
                    line: 1,
                    name: name.to_string(),
                })
            }
            Some(index) => {
                seen[index] = true;
                targets.push(Some(index));
            }
            None if position == 0 && header.len() > COLUMN_COUNT => {
                had_terms_of_use_column = true;
                targets.push(None);
            }
            None => {
                return Err(CtdcReadError::UnknownColumn {
                    line: 1,
                    name: name.to_string(),
                })
            }
        }
    }
    let missing: Vec<String> = COLUMNS
        .iter()
        .zip(seen)
        .filter(|(_, seen)| !seen)
        .map(|((name, _), _)| format!("`{name}`"))
        .collect();
    if !missing.is_empty() {
        return Err(CtdcReadError::MissingColumns { line: 1, missing });
    }

    let mut file = CtdcFile {
        records: Vec::new(),
        rejected: Vec::new(),
        delimiter: delimiter as char,
        had_terms_of_use_column,
    };
    for row in rows {
        let row = row.map_err(|error| csv_error(&error))?;
        let line = row.position().map(|p| p.line()).unwrap_or(0);
        if row.len() == 1 && row.get(0).is_some_and(|field| field.trim().is_empty()) {
            continue;
        }
        let result = if row.len() != targets.len() {
            Err(CtdcReadError::WrongFieldCount {
                line,
                expected: targets.len(),
                found: row.len(),
            })
        } else {
            let mut record = CtdcRecord::empty();
            targets
                .iter()
                .zip(row.iter())
                .filter_map(|(target, raw)| target.map(|index| (index, raw)))
                .try_for_each(|(index, raw)| {
                    record.cells[index] = parse_cell(index, raw)?;
                    Ok(())
                })
                .map(|()| record)
                .map_err(|error| CtdcReadError::InvalidCell { line, error })
        };
        match result {
            Ok(record) => file.records.push(record),
            Err(error) if options.skip_invalid => file.rejected.push(RejectedRow {
                line,
                error,
                fields: row.iter().map(str::to_string).collect(),
            }),
            Err(error) => return Err(error),
        }
    }
    Ok(file)
}

fn csv_error(error: &csv::Error) -> CtdcReadError {
    let line = error.position().map(|p| p.line()).unwrap_or(0);
    CtdcReadError::Csv {
        line,
        message: error.to_string(),
    }
}

/// Writes the canonical CSV: the 63-column header, comma-separated, empty for missing, LF line
/// ends, quoted only where a value needs it. Records may come in any number of batches.
pub struct CtdcCsvWriter<W: std::io::Write> {
    writer: csv::Writer<W>,
}

impl<W: std::io::Write> CtdcCsvWriter<W> {
    /// Starts the file with its header line.
    pub fn new(writer: W) -> Result<CtdcCsvWriter<W>, csv::Error> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(writer);
        writer.write_record(COLUMNS.iter().map(|(name, _)| *name))?;
        Ok(CtdcCsvWriter { writer })
    }

    pub fn write(&mut self, record: &CtdcRecord) -> Result<(), csv::Error> {
        let mut number = [0_u8; 8];
        for cell in &record.cells {
            match cell {
                None => self.writer.write_field([])?,
                Some(super::Cell::Flag(true)) => self.writer.write_field("1")?,
                Some(super::Cell::Flag(false)) => self.writer.write_field("0")?,
                Some(super::Cell::Year(year)) => {
                    let mut cursor = std::io::Cursor::new(&mut number[..]);
                    std::io::Write::write_fmt(&mut cursor, format_args!("{year}"))?;
                    let length = cursor.position() as usize;
                    self.writer.write_field(&number[..length])?
                }
                Some(super::Cell::Text(text)) => self.writer.write_field(text.as_bytes())?,
            }
        }
        self.writer.write_record(None::<&[u8]>)
    }

    /// Flushes and hands back the underlying writer.
    pub fn finish(self) -> Result<W, csv::Error> {
        self.writer
            .into_inner()
            .map_err(|error| csv::Error::from(error.into_error()))
    }
}

/// Writes records as the canonical CSV in one go (see [`CtdcCsvWriter`]).
pub fn write_ctdc_csv<'a, W: std::io::Write>(
    writer: W,
    records: impl IntoIterator<Item = &'a CtdcRecord>,
) -> Result<(), csv::Error> {
    let mut writer = CtdcCsvWriter::new(writer)?;
    for record in records {
        writer.write(record)?;
    }
    writer.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> String {
        super::super::canonical_header()
    }

    fn row(gender: &str, year: &str) -> String {
        let mut fields = vec![String::new(); COLUMN_COUNT];
        fields[0] = year.to_string();
        fields[1] = "Hotline".to_string();
        fields[2] = gender.to_string();
        fields.join(",")
    }

    #[test]
    fn reads_the_canonical_format_and_writes_it_back() {
        let text = format!(
            "{}\n{}\n{}\n",
            header(),
            row("Female", "2019"),
            row("", "2020")
        );
        let file = read_ctdc_csv(text.as_bytes(), ReadOptions::default()).unwrap();
        assert_eq!(file.records.len(), 2);
        assert_eq!(file.delimiter, ',');
        let mut out = Vec::new();
        write_ctdc_csv(&mut out, &file.records).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), text);
    }

    #[test]
    fn reads_semicolons_bom_crlf_terms_column_and_minus_99() {
        let semicolon = |line: String| line.replace(',', ";");
        let text = format!(
            "\u{FEFF}\"Terms of use: see the CTDC website\";{}\r\n\"\";{}\r\n\"\";{}\r\n",
            semicolon(header()),
            semicolon(row("Male", "2018")).replace(";;", ";-99;"),
            semicolon(row("\"Female\"", "-99")),
        );
        let file = read_ctdc_csv(text.as_bytes(), ReadOptions::default()).unwrap();
        assert!(file.had_terms_of_use_column);
        assert_eq!(file.delimiter, ';');
        assert_eq!(file.records.len(), 2);
        assert_eq!(file.records[0].year_of_registration(), Some(2018));
        assert_eq!(file.records[1].year_of_registration(), None);
        assert_eq!(file.records[1].gender(), Some(crate::htcds::Gender::Female));
    }

    #[test]
    fn errors_name_the_line_column_and_value() {
        let text = format!(
            "{}\n{}\n{}\n",
            header(),
            row("Female", "2019"),
            row("Female", "20x9")
        );
        let error = read_ctdc_csv(text.as_bytes(), ReadOptions::default()).unwrap_err();
        assert_eq!(error.line(), 3);
        assert_eq!(
            error.to_string(),
            "line 3, column `yearOfRegistration`: not a year (value `20x9`)"
        );

        let short = format!("{}\n{}\n", header(), "2019,Hotline");
        let error = read_ctdc_csv(short.as_bytes(), ReadOptions::default()).unwrap_err();
        assert_eq!(error.to_string(), "line 2: expected 63 fields, found 2");

        let unknown = header().replace("gender", "sex");
        let error = read_ctdc_csv(unknown.as_bytes(), ReadOptions::default()).unwrap_err();
        assert!(
            error.to_string().contains("unknown column `sex`"),
            "{error}"
        );
    }

    #[test]
    fn skip_invalid_keeps_good_rows_and_reports_the_bad() {
        let text = format!(
            "{}\n{}\n{}\n{}\n",
            header(),
            row("Female", "2019"),
            row("Robot", "2019"),
            row("Male", "2017")
        );
        let file = read_ctdc_csv(text.as_bytes(), ReadOptions { skip_invalid: true }).unwrap();
        assert_eq!(file.records.len(), 2);
        assert_eq!(file.rejected.len(), 1);
        assert_eq!(file.rejected[0].line, 3);
        assert!(file.rejected[0].error.to_string().contains("`Robot`"));
    }
}
