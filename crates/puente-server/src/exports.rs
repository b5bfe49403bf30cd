//! Files that leave the system: a case file as PDF (with DejaVu Sans embedded, so every Spanish
//! character shows), and the case list as XLSX and CSV with labels in the reader's language.
//!
//! Spreadsheet cells that begin with `=`, `+`, `-`, `@`, a tab or a carriage return are
//! neutralised (an apostrophe is put before them), so that nothing typed into a case runs as a
//! formula when the file is opened. Who may export what is decided in `policy.rs`; every export
//! is audited by the route that makes it.

use std::borrow::Cow;

use krilla::geom::Point;
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use puente_core::Lang;

use crate::error::AppError;
use crate::i18n::t;

/// DejaVu Sans (Bitstream Vera licence, `fonts/LICENSE-DejaVu.txt`): every character of Spanish.
static REGULAR_FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD_FONT: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// A cell as it is written to a spreadsheet: text that a spreadsheet would read as a formula (or
/// as a command, after a tab or carriage return) gets an apostrophe before it.
pub fn neutralise_cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A table to export: a header row and the rows, every cell text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The table as CSV (UTF-8 with a byte-order mark, so spreadsheets read the accents), every cell
/// neutralised.
pub fn table_csv(table: &Table) -> Result<Vec<u8>, AppError> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let internal = |error: csv::Error| AppError::Internal(anyhow::Error::new(error));
    writer
        .write_record(
            table
                .header
                .iter()
                .map(|cell| neutralise_cell(cell).into_owned()),
        )
        .map_err(internal)?;
    for row in &table.rows {
        writer
            .write_record(row.iter().map(|cell| neutralise_cell(cell).into_owned()))
            .map_err(internal)?;
    }
    writer
        .into_inner()
        .map_err(|error| AppError::Internal(anyhow::anyhow!("cannot finish the CSV: {error}")))
}

/// The table as an XLSX workbook of one sheet named `sheet`, every cell written as text and
/// neutralised, the header in bold and frozen.
pub fn table_xlsx(table: &Table, sheet: &str) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let internal =
        |error: rust_xlsxwriter::XlsxError| AppError::Internal(anyhow::Error::new(error));
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet).map_err(internal)?;
    let bold = Format::new().set_bold();
    for (column, cell) in table.header.iter().enumerate() {
        worksheet
            .write_string_with_format(0, column as u16, neutralise_cell(cell), &bold)
            .map_err(internal)?;
        worksheet
            .set_column_width(column as u16, 18)
            .map_err(internal)?;
    }
    for (index, row) in table.rows.iter().enumerate() {
        for (column, cell) in row.iter().enumerate() {
            worksheet
                .write_string(index as u32 + 1, column as u16, neutralise_cell(cell))
                .map_err(internal)?;
        }
    }
    worksheet.set_freeze_panes(1, 0).map_err(internal)?;
    workbook.save_to_buffer().map_err(internal)
}

/// One line of a case file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileLine {
    /// The document's title.
    Title(String),
    /// A section's heading.
    Heading(String),
    /// A paragraph, wrapped to the page.
    Text(String),
    /// A label and its value.
    Field(String, String),
    /// A line of a list.
    Item(String),
    /// A paragraph under a line of a list, indented.
    Detail(String),
}

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
const TEXT_SIZE: f32 = 10.0;
const LINE_HEIGHT: f32 = 14.0;
/// Characters of DejaVu Sans at the text size that fit the width (its widest lower-case letters
/// are 0.6 em; a line of 80 stays inside 495 points).
const CHARACTERS_PER_LINE: usize = 80;

/// Breaks `text` into lines of at most `width` characters, at spaces where it can.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let mut word = word.to_string();
            while word.chars().count() > width {
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                let head: String = word.chars().take(width).collect();
                word = word.chars().skip(width).collect();
                lines.push(head);
            }
            let needed =
                line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
            if needed > width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// A line placed on a page.
struct DrawnLine {
    font: Font,
    size: f32,
    indent: f32,
    text: String,
    y: f32,
}

/// Lays out the lines of a case file on A4 pages, with the footer `footer` and the page number
/// on each, and returns the PDF.
pub fn case_file_pdf(lines: &[FileLine], footer: &str, lang: Lang) -> Result<Vec<u8>, AppError> {
    let font_error = || AppError::Internal(anyhow::anyhow!("the embedded font cannot be read"));
    let regular = Font::new(krilla::Data::from(REGULAR_FONT), 0).ok_or_else(font_error)?;
    let bold = Font::new(krilla::Data::from(BOLD_FONT), 0).ok_or_else(font_error)?;
    // Every line to draw; `y` is first the space before the line, then its baseline.
    let mut drawn: Vec<DrawnLine> = Vec::new();
    let mut push = |font: &Font, size: f32, indent: f32, text: String, space_before: f32| {
        drawn.push(DrawnLine {
            font: font.clone(),
            size,
            indent,
            text,
            y: space_before,
        })
    };
    for line in lines {
        match line {
            FileLine::Title(text) => {
                for part in wrap(text, 50) {
                    push(&bold, 16.0, 0.0, part, 0.0);
                }
            }
            FileLine::Heading(text) => {
                for (index, part) in wrap(text, 60).into_iter().enumerate() {
                    push(&bold, 12.5, 0.0, part, if index == 0 { 10.0 } else { 0.0 });
                }
            }
            FileLine::Text(text) => {
                for part in wrap(text, CHARACTERS_PER_LINE) {
                    push(&regular, TEXT_SIZE, 0.0, part, 0.0);
                }
            }
            FileLine::Field(label, value) => {
                let text = format!("{label}: {value}");
                for (index, part) in wrap(&text, CHARACTERS_PER_LINE - 2).into_iter().enumerate() {
                    let indent = if index == 0 { 0.0 } else { 12.0 };
                    push(&regular, TEXT_SIZE, indent, part, 0.0);
                }
            }
            FileLine::Detail(text) => {
                for part in wrap(text, CHARACTERS_PER_LINE - 6) {
                    push(&regular, TEXT_SIZE - 0.5, 18.0, part, 0.0);
                }
            }
            FileLine::Item(text) => {
                for (index, part) in wrap(text, CHARACTERS_PER_LINE - 4).into_iter().enumerate() {
                    let text = if index == 0 {
                        format!("• {part}")
                    } else {
                        format!("  {part}")
                    };
                    push(&regular, TEXT_SIZE, 8.0, text, 0.0);
                }
            }
        }
    }
    // Split into pages.
    let bottom = PAGE_HEIGHT - MARGIN - 2.0 * LINE_HEIGHT;
    let mut pages: Vec<Vec<DrawnLine>> = vec![Vec::new()];
    let mut y = MARGIN;
    for mut line in drawn {
        let height = line.y + LINE_HEIGHT.max(line.size * 1.3);
        if y + height > bottom && pages.last().is_some_and(|page| !page.is_empty()) {
            pages.push(Vec::new());
            y = MARGIN;
        }
        y += height;
        line.y = y;
        if let Some(page) = pages.last_mut() {
            page.push(line);
        }
    }
    let total = pages.len();
    let mut document = Document::new();
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the page size is not valid")))?;
    for (number, lines) in pages.into_iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for line in lines {
            surface.draw_text(
                Point::from_xy(MARGIN + line.indent, line.y),
                line.font,
                line.size,
                &line.text,
                false,
                TextDirection::Auto,
            );
        }
        let page_label = crate::i18n::translations().text_with(
            lang,
            "export-page",
            &[("page", (number + 1).into()), ("pages", total.into())],
        );
        surface.draw_text(
            Point::from_xy(MARGIN, PAGE_HEIGHT - MARGIN / 2.0),
            regular.clone(),
            8.0,
            &format!("{footer} · {page_label}"),
            false,
            TextDirection::Auto,
        );
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|error| AppError::Internal(anyhow::anyhow!("cannot write the PDF: {error:?}")))
}

/// The header of the case list, in the reader's language.
pub fn case_list_header(lang: Lang) -> Vec<String> {
    [
        "export-column-case",
        "export-column-name",
        "export-column-status",
        "export-column-sex",
        "export-column-age",
        "export-column-nationality",
        "export-column-opened",
        "export-column-updated",
    ]
    .iter()
    .map(|id| t(lang, id))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_neutralised() {
        for dangerous in [
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\tcmd",
            "\rcmd",
        ] {
            assert_eq!(neutralise_cell(dangerous), format!("'{dangerous}"));
        }
        for harmless in ["José Hernández", "2026-11-03", "", "1=1"] {
            assert_eq!(neutralise_cell(harmless), harmless);
        }
    }

    #[test]
    fn long_text_wraps_at_spaces_and_long_words_are_cut() {
        let lines = wrap("uno dos tres cuatro", 9);
        assert_eq!(lines, ["uno dos", "tres", "cuatro"]);
        let lines = wrap("abcdefghijkl", 5);
        assert_eq!(lines, ["abcde", "fghij", "kl"]);
        assert!(wrap(&"palabra ".repeat(100), 80)
            .iter()
            .all(|line| line.chars().count() <= 80));
    }

    #[test]
    fn a_csv_begins_with_a_byte_order_mark_and_neutralises_cells() {
        let table = Table {
            header: vec!["Nombre".into()],
            rows: vec![vec!["=1+2".into()], vec!["Peña".into()]],
        };
        let bytes = table_csv(&table).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(text, "Nombre\n'=1+2\nPeña\n");
    }
}
