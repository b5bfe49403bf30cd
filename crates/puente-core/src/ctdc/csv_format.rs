//! Reading and writing CTDC CSV files in every release format: comma or `;` separated, with or
//! without the leading terms-of-use column, `-99` or empty for missing, UTF-8 with or without BOM,
//! CRLF or LF line ends, quoted or not. Pure: the caller hands over the bytes and takes the text.

use super::releases::{check_synthetic_cell, describe_differences, recognise_release, CtdcRelease};
use super::{parse_cell, CellError, CtdcRecord, COLUMNS};

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
    #[error("line {line}: {description}")]
    UnknownRelease { line: u64, description: String },
    #[error("line {line}: the header names column `{name}` twice")]
    RepeatedColumn { line: u64, name: String },
    #[error("line {line}, column `{column}`: {reason} (value `{value}`)")]
    InvalidSyntheticCell {
        line: u64,
        column: String,
        value: String,
        reason: String,
    },
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
            | CtdcReadError::UnknownRelease { line, .. }
            | CtdcReadError::RepeatedColumn { line, .. }
            | CtdcReadError::InvalidSyntheticCell { line, .. }
            | CtdcReadError::WrongFieldCount { line, .. }
            | CtdcReadError::InvalidCell { line, .. }
            | CtdcReadError::Csv { line, .. } => *line,
        }
    }
}

/// A file of a synthetic release: its columns in the release's order and each row's cells (`None`
/// for missing; a 0 flag is missing too).
#[derive(Debug)]
pub struct SyntheticFile {
    pub release: CtdcRelease,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
    pub rejected: Vec<RejectedRow>,
    pub delimiter: char,
}

/// A CTDC file of any known release.
#[derive(Debug)]
pub enum CtdcReleaseFile {
    Global {
        release: CtdcRelease,
        file: CtdcFile,
    },
    Synthetic(SyntheticFile),
}

impl CtdcReleaseFile {
    pub fn release(&self) -> CtdcRelease {
        match self {
            CtdcReleaseFile::Global { release, .. } => *release,
            CtdcReleaseFile::Synthetic(file) => file.release,
        }
    }

    pub fn records(&self) -> usize {
        match self {
            CtdcReleaseFile::Global { file, .. } => file.records.len(),
            CtdcReleaseFile::Synthetic(file) => file.rows.len(),
        }
    }

    pub fn rejected(&self) -> &[RejectedRow] {
        match self {
            CtdcReleaseFile::Global { file, .. } => &file.rejected,
            CtdcReleaseFile::Synthetic(file) => &file.rejected,
        }
    }
}

/// Line numbers as an editor counts them, from byte offsets: line 1 starts at byte 0 and each
/// `\n` starts the next, whether or not it is inside a quoted field.
struct LineIndex {
    newlines: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        LineIndex {
            newlines: text
                .bytes()
                .enumerate()
                .filter(|(_, byte)| *byte == b'\n')
                .map(|(offset, _)| offset)
                .collect(),
        }
    }

    /// The line of the byte at `offset`.
    fn line_of(&self, offset: u64) -> u64 {
        1 + self
            .newlines
            .partition_point(|newline| (*newline as u64) < offset) as u64
    }

    /// The line where a record starts, skipping the line ends that close the record before it
    /// (the reader's position may sit on the previous record's line end).
    fn line_of_record(&self, text: &str, offset: u64) -> u64 {
        let bytes = text.as_bytes();
        let mut offset = offset as usize;
        while offset < bytes.len() && (bytes[offset] == b'\n' || bytes[offset] == b'\r') {
            offset += 1;
        }
        self.line_of(offset as u64)
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

/// Reads a CTDC Global Dataset CSV file (63 or 58 columns). Without `skip_invalid`, the first
/// invalid row stops the read with an error naming its line, column and value; nothing is
/// returned, so nothing can be half-imported. A file of a synthetic release is refused here (see
/// [`read_ctdc_release`]).
pub fn read_ctdc_csv(bytes: &[u8], options: ReadOptions) -> Result<CtdcFile, CtdcReadError> {
    match read_ctdc_release(bytes, options)? {
        CtdcReleaseFile::Global { file, .. } => Ok(file),
        CtdcReleaseFile::Synthetic(file) => Err(CtdcReadError::UnknownRelease {
            line: 1,
            description: format!(
                "this is the {}, not a Global Dataset file",
                file.release.title()
            ),
        }),
    }
}

/// Reads a CTDC CSV file of any known release, recognised by its header; an unknown header is an
/// error that lists the releases known and how the header differs from each.
pub fn read_ctdc_release(
    bytes: &[u8],
    options: ReadOptions,
) -> Result<CtdcReleaseFile, CtdcReadError> {
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
    let lines = LineIndex::new(text);
    let delimiter = detect_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = reader.records();
    let line_of = |record: &csv::StringRecord| {
        record
            .position()
            .map(|position| lines.line_of_record(text, position.byte()))
            .unwrap_or(0)
    };
    let csv_error = |error: csv::Error| {
        let line = error
            .position()
            .map(|position| lines.line_of_record(text, position.byte()))
            .unwrap_or(0);
        CtdcReadError::Csv {
            line,
            message: error.to_string(),
        }
    };

    // The header, after a terms-of-use line when the file starts with one.
    let mut header = match rows.next() {
        Some(Ok(header)) => header,
        Some(Err(error)) => return Err(csv_error(error)),
        None => return Err(CtdcReadError::Empty),
    };
    let mut recognised = recognise_release(&header.iter().collect::<Vec<_>>());
    if recognised.is_err() && header.len() <= 2 {
        if let Some(Ok(next)) = rows.next() {
            let after_terms = recognise_release(&next.iter().collect::<Vec<_>>());
            if after_terms.is_ok() {
                header = next;
                recognised = after_terms;
            }
        }
    }
    let header_line = line_of(&header);
    let release = recognised.map_err(|differences| CtdcReadError::UnknownRelease {
        line: header_line,
        description: describe_differences(&differences),
    })?;
    let columns = release.columns();
    // Where each field of a row goes: a column of the release, or nowhere (the terms-of-use column).
    let mut targets: Vec<Option<usize>> = Vec::with_capacity(header.len());
    let mut seen = vec![false; columns.len()];
    for name in header.iter() {
        let index = if release.is_global_dataset() {
            super::column_index(name)
        } else {
            columns
                .iter()
                .position(|column| column.eq_ignore_ascii_case(name.trim()))
        };
        match index {
            Some(index) if seen_index(&seen, index, release) => {
                return Err(CtdcReadError::RepeatedColumn {
                    line: header_line,
                    name: name.to_string(),
                })
            }
            Some(index) => {
                mark_seen(&mut seen, index, release);
                targets.push(Some(index));
            }
            None => targets.push(None),
        }
    }

    let mut records = Vec::new();
    let mut synthetic_rows = Vec::new();
    let mut rejected = Vec::new();
    for row in rows {
        let row = row.map_err(csv_error)?;
        let line = line_of(&row);
        if row.len() == 1 && row.get(0).is_some_and(|field| field.trim().is_empty()) {
            continue;
        }
        if row.len() != targets.len() {
            let error = CtdcReadError::WrongFieldCount {
                line,
                expected: targets.len(),
                found: row.len(),
            };
            if options.skip_invalid {
                rejected.push(RejectedRow {
                    line,
                    error,
                    fields: row.iter().map(str::to_string).collect(),
                });
                continue;
            }
            return Err(error);
        }
        let result = if release.is_global_dataset() {
            let mut record = CtdcRecord::empty();
            targets
                .iter()
                .zip(row.iter())
                .filter_map(|(target, raw)| target.map(|index| (index, raw)))
                .try_for_each(|(index, raw)| {
                    record.cells[index] = parse_cell(index, raw)?;
                    Ok(())
                })
                .map(|()| records.push(record))
                .map_err(|error| CtdcReadError::InvalidCell { line, error })
        } else {
            let mut cells: Vec<Option<String>> = vec![None; columns.len()];
            targets
                .iter()
                .zip(row.iter())
                .filter_map(|(target, raw)| target.map(|index| (index, raw)))
                .try_for_each(|(index, raw)| {
                    cells[index] =
                        check_synthetic_cell(release, columns[index], raw).map_err(|reason| {
                            CtdcReadError::InvalidSyntheticCell {
                                line,
                                column: columns[index].to_string(),
                                value: raw.to_string(),
                                reason,
                            }
                        })?;
                    Ok(())
                })
                .map(|()| synthetic_rows.push(cells))
        };
        match result {
            Ok(()) => {}
            Err(error) if options.skip_invalid => rejected.push(RejectedRow {
                line,
                error,
                fields: row.iter().map(str::to_string).collect(),
            }),
            Err(error) => return Err(error),
        }
    }
    if release.is_global_dataset() {
        Ok(CtdcReleaseFile::Global {
            release,
            file: CtdcFile {
                records,
                rejected,
                delimiter: delimiter as char,
                had_terms_of_use_column: targets.first() == Some(&None),
            },
        })
    } else {
        Ok(CtdcReleaseFile::Synthetic(SyntheticFile {
            release,
            columns: columns.iter().map(|column| column.to_string()).collect(),
            rows: synthetic_rows,
            rejected,
            delimiter: delimiter as char,
        }))
    }
}

/// Whether column `index` was already seen: the Global Dataset's indices are of the 63 columns.
fn seen_index(seen: &[bool], index: usize, release: CtdcRelease) -> bool {
    if release.is_global_dataset() {
        seen.get(global_position(index, release))
            .copied()
            .unwrap_or(false)
    } else {
        seen[index]
    }
}

fn mark_seen(seen: &mut [bool], index: usize, release: CtdcRelease) {
    let position = if release.is_global_dataset() {
        global_position(index, release)
    } else {
        index
    };
    if let Some(slot) = seen.get_mut(position) {
        *slot = true;
    }
}

/// The position among the release's columns of the 63-column index `index`.
fn global_position(index: usize, release: CtdcRelease) -> usize {
    let name = super::COLUMNS[index].0;
    release
        .columns()
        .iter()
        .position(|column| *column == name)
        .unwrap_or(usize::MAX)
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
    use crate::ctdc::COLUMN_COUNT;

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
            error
                .to_string()
                .contains("unknown column(s) `sex`; lacks `gender`"),
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

    /// The line of every kind of error, checked against the file itself: the reported line holds
    /// the row's first field. Quoted fields with line ends inside, a terms-of-use line before the
    /// header and CRLF line ends must not shift it.
    #[test]
    fn every_error_names_the_line_an_editor_shows() {
        let with_newline = {
            let mut fields = vec![String::new(); COLUMN_COUNT];
            fields[0] = "2018".into();
            fields[1] = "Hotline".into();
            fields[56] = "\"a friend,\nthen\r\nher boss\"".into();
            fields.join(",")
        };
        let good = row("Female", "2019");
        let cases: Vec<(String, &str)> = vec![
            (row("Female", "20x9"), "not a year"),
            (row("Robot", "2019"), "not a Gender code"),
            ("2017,Hotline".into(), "expected 63 fields, found 2"),
        ];
        for (bad, reason) in cases {
            for terms_line in [false, true] {
                for line_end in ["\n", "\r\n"] {
                    let mut lines: Vec<String> = Vec::new();
                    if terms_line {
                        lines.push("\"Terms of use: see the CTDC website\"".into());
                    }
                    lines.push(header());
                    lines.push(good.clone());
                    lines.push(with_newline.clone());
                    lines.push(good.clone());
                    lines.push(with_newline.clone());
                    lines.push(bad.clone());
                    lines.push(good.clone());
                    let text = lines.join(line_end) + line_end;
                    let error = read_ctdc_csv(text.as_bytes(), ReadOptions::default()).unwrap_err();
                    assert!(error.to_string().contains(reason), "{error}");
                    let shown_line = text.split('\n').nth(error.line() as usize - 1).unwrap();
                    assert!(
                        shown_line.trim_end() == bad.as_str(),
                        "{reason}, terms line {terms_line}: line {} is `{shown_line}`",
                        error.line()
                    );
                    let skipped =
                        read_ctdc_csv(text.as_bytes(), ReadOptions { skip_invalid: true }).unwrap();
                    assert_eq!(skipped.rejected[0].line, error.line());
                    assert_eq!(skipped.records.len(), 5);
                }
            }
        }
    }

    #[test]
    fn the_2017_release_reads_into_the_63_columns_with_its_conventions() {
        let columns = CtdcRelease::GlobalDataset2017.columns();
        let mut fields = vec!["-99".to_string(); columns.len()];
        let set = |fields: &mut Vec<String>, name: &str, value: &str| {
            let position = columns.iter().position(|column| *column == name).unwrap();
            fields[position] = value.to_string();
        };
        set(&mut fields, "yearOfRegistration", "2016");
        set(&mut fields, "gender", "Unknown");
        set(&mut fields, "ageBroad", "09--17");
        set(&mut fields, "citizenship", "ZZ");
        set(
            &mut fields,
            "RecruiterRelationship",
            "Friend, then employer",
        );
        let line = fields
            .iter()
            .map(|field| {
                if field.contains(',') {
                    format!("\"{field}\"")
                } else {
                    field.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(",");
        let text = format!("{}\n{line}\n", columns.join(","));
        let read = read_ctdc_release(text.as_bytes(), ReadOptions::default()).unwrap();
        assert_eq!(read.release(), CtdcRelease::GlobalDataset2017);
        let CtdcReleaseFile::Global { file, .. } = read else {
            panic!("a Global Dataset file")
        };
        let record = &file.records[0];
        assert_eq!(record.year_of_registration(), Some(2016));
        assert_eq!(record.gender(), Some(crate::htcds::Gender::Unknown));
        assert_eq!(
            record.get("ageBroad"),
            Some(&super::super::Cell::Text("9--17".into()))
        );
        assert_eq!(
            record.get("citizenship"),
            Some(&super::super::Cell::Text("ZZ".into()))
        );
        assert_eq!(record.get("isSlaveryAndPractices"), None);
        assert_eq!(record.get("meansOfControlThreats"), None);
    }

    #[test]
    fn synthetic_releases_read_as_tables() {
        let text = "yearRegister,gender,majorityStatus,isForcedLabour,isSexualExploit,UN_COO_Region,UN_COE_Region,IP_Exploiter,IP_Gender,IP_ageBroad,IP_citizen_UNRegion,IP_Relation,IP_PayMoney,IP_RecruiterBroker,IP_TransactionProcess,IP_ControlAbuseKidnap\n\
            2005-2013,Female,Adult,,1,Europe,Europe,Yes,Female;Male,,Europe,FamilyIntimatePartner,No;Yes,,,Yes\n\
            2019,Male,Minor,1,0,Asia,Asia,Yes,Male,,Asia,StrangerUnknownOther,,,,";
        let read = read_ctdc_release(text.as_bytes(), ReadOptions::default()).unwrap();
        let CtdcReleaseFile::Synthetic(file) = read else {
            panic!("a synthetic file")
        };
        assert_eq!(file.release, CtdcRelease::VictimPerpetratorSynthetic);
        assert_eq!(file.rows.len(), 2);
        assert_eq!(file.rows[0][8].as_deref(), Some("Female;Male"));
        assert_eq!(file.rows[1][4], None);
        let bad = text.replace("2019,Male", "2019-2010,Male");
        let error = read_ctdc_release(bad.as_bytes(), ReadOptions::default()).unwrap_err();
        assert_eq!(error.line(), 3);
        assert!(
            error.to_string().contains("column `yearRegister`"),
            "{error}"
        );
    }
}
