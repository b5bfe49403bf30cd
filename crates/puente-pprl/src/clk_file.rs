//! CLK files as clkhash and the anonlink entity service write them: `{"clks": ["<base64>", ...]}`.

use base64::Engine;

use crate::error::ClkFileError;

/// Writes encodings as a CLK file (one encoding per line, so errors can name lines). The base64
/// of large files is made on all cores.
pub fn to_json(encodings: &[Vec<u8>]) -> String {
    use rayon::prelude::*;
    let engine = base64::engine::general_purpose::STANDARD;
    let pieces: Vec<String> = encodings
        .par_chunks(4096)
        .map(|chunk| {
            let mut piece = String::with_capacity(chunk.len() * (chunk[0].len() * 4 / 3 + 8));
            for encoding in chunk {
                piece.push_str(",\n  \"");
                engine.encode_string(encoding, &mut piece);
                piece.push('"');
            }
            piece
        })
        .collect();
    let mut out = String::with_capacity(16 + pieces.iter().map(String::len).sum::<usize>());
    out.push_str("{\"clks\": [");
    for (index, piece) in pieces.iter().enumerate() {
        // The first encoding has no comma before it.
        out.push_str(if index == 0 { &piece[1..] } else { piece });
    }
    out.push_str("\n]}\n");
    out
}

/// Reads a CLK file: the encodings, all of one length.
pub fn from_json(text: &str) -> Result<Vec<Vec<u8>>, ClkFileError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct ClkFile {
        clks: Vec<String>,
    }
    let file: ClkFile = serde_json::from_str(text).map_err(|e| {
        let (line, column) = (e.line(), e.column());
        ClkFileError::Format(crate::error::text!(
            "línea {line}, columna {column}: no es un archivo de CLK ({{\"clks\": [\"<base64>\", ...]}}): {e}",
            "line {line}, column {column}: not a CLK file ({{\"clks\": [\"<base64>\", ...]}}): {e}",
        ))
    })?;
    let engine = base64::engine::general_purpose::STANDARD;
    let mut lines = LineFinder::new(text);
    let mut encodings = Vec::with_capacity(file.clks.len());
    for (index, clk) in file.clks.iter().enumerate() {
        let bytes = engine.decode(clk).map_err(|e| ClkFileError::Base64 {
            line: lines.line_of(clk),
            index,
            message: e.to_string(),
        })?;
        if let Some(first) = encodings.first().map(Vec::len) {
            if bytes.len() != first {
                return Err(ClkFileError::Length {
                    line: lines.line_of(clk),
                    index,
                    found: bytes.len(),
                    expected: first,
                });
            }
        }
        lines.advance(clk);
        encodings.push(bytes);
    }
    Ok(encodings)
}

/// Finds the line of each encoding in turn (encodings appear in order in the text).
struct LineFinder<'a> {
    text: &'a str,
    position: usize,
    line: usize,
}

impl<'a> LineFinder<'a> {
    fn new(text: &'a str) -> LineFinder<'a> {
        let position = text.find("\"clks\"").unwrap_or(0);
        LineFinder {
            text,
            position,
            line: 1 + text[..position].matches('\n').count(),
        }
    }

    fn locate(&self, clk: &str) -> usize {
        let needle = format!("\"{clk}\"");
        self.text[self.position..]
            .find(&needle)
            .map(|offset| self.position + offset)
            .unwrap_or(self.position)
    }

    fn line_of(&self, clk: &str) -> usize {
        let at = self.locate(clk);
        self.line + self.text[self.position..at].matches('\n').count()
    }

    fn advance(&mut self, clk: &str) {
        let at = self.locate(clk);
        self.line += self.text[self.position..at].matches('\n').count();
        self.position = at + clk.len() + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_names_the_line_of_a_bad_encoding() {
        let text = to_json(&[vec![1, 2, 3], vec![4, 5, 6]]);
        assert_eq!(
            from_json(&text).unwrap(),
            vec![vec![1, 2, 3], vec![4, 5, 6]]
        );
        let bad = "{\"clks\": [\n\"AQID\",\n\"A*ID\"\n]}";
        assert!(matches!(
            from_json(bad),
            Err(ClkFileError::Base64 {
                line: 3,
                index: 1,
                ..
            })
        ));
        let uneven = "{\"clks\": [\n\"AQID\",\n\"AQIDBA==\"\n]}";
        assert!(matches!(
            from_json(uneven),
            Err(ClkFileError::Length {
                line: 3,
                index: 1,
                found: 4,
                expected: 3
            })
        ));
    }
}
