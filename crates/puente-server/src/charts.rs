//! Charts drawn on the server as SVG: no script, a few hundred bytes each, readable on a phone
//! (the drawing scales to the width of the screen and every bar carries its number as text).
//!
//! Charts draw published counts only: a suppressed count is drawn as an empty, dashed bar
//! labelled `<3`, never with its true length.

use puente_disclosure::Published;

/// One bar: its label and its published count.
#[derive(Clone, Debug)]
pub struct Bar {
    pub label: String,
    pub count: Published,
}

/// Escapes text for SVG (XML).
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The most characters of a label line: the drawing is 320 units wide and its text 11 units
/// high, about 6 units a character, so a line of 48 fits with room to spare.
const LINE_CHARACTERS: usize = 48;
/// The most lines of one label; a longer label is abbreviated (its whole text is in the bar's
/// `<title>`, which browsers and screen readers show).
const LABEL_LINES: usize = 2;

/// Wraps a label into lines of at most `width` characters, at spaces (a word longer than a line
/// is cut into pieces), at most `lines` lines, the last one ending in an ellipsis when the label
/// does not fit.
fn wrap(label: &str, width: usize, lines: usize) -> Vec<String> {
    let mut wrapped: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut words: Vec<String> = Vec::new();
    for word in label.split_whitespace() {
        let characters: Vec<char> = word.chars().collect();
        for piece in characters.chunks(width) {
            words.push(piece.iter().collect());
        }
    }
    for word in words {
        let needed =
            current.chars().count() + usize::from(!current.is_empty()) + word.chars().count();
        if needed > width && !current.is_empty() {
            wrapped.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !current.is_empty() {
        wrapped.push(current);
    }
    if wrapped.len() > lines {
        wrapped.truncate(lines);
        let last = wrapped.last_mut().expect("at least one line");
        // Room for the ellipsis: drop whole words from the end, or cut a single long word.
        while last.chars().count() + 1 > width {
            match last.rfind(' ') {
                Some(space) => last.truncate(space),
                None => *last = last.chars().take(width.saturating_sub(1)).collect(),
            }
        }
        last.push('…');
    }
    if wrapped.is_empty() {
        wrapped.push(String::new());
    }
    wrapped
}

/// A horizontal bar chart: one row per bar, its label written in full above the bar (wrapped on
/// two lines, abbreviated only beyond that, with the whole label in the row's `<title>`), the bar
/// and its number below. `title` is the accessible name of the drawing.
pub fn horizontal_bars(title: &str, bars: &[Bar]) -> String {
    const WIDTH: u64 = 320;
    const LINE: u64 = 13;
    const BAR_HEIGHT: u64 = 14;
    const GAP: u64 = 8;
    const NUMBER_ROOM: u64 = 36;
    let largest = bars
        .iter()
        .filter_map(|bar| bar.count.count())
        .max()
        .unwrap_or(0)
        .max(1);
    let room = WIDTH - NUMBER_ROOM;
    let labels: Vec<Vec<String>> = bars
        .iter()
        .map(|bar| wrap(&bar.label, LINE_CHARACTERS, LABEL_LINES))
        .collect();
    let height = labels
        .iter()
        .map(|lines| lines.len() as u64 * LINE + BAR_HEIGHT + GAP)
        .sum::<u64>()
        .max(LINE + BAR_HEIGHT + GAP)
        + 4;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}"><title>{}</title>"#,
        escape(title),
        escape(title)
    );
    let mut y = 2;
    for (bar, lines) in bars.iter().zip(&labels) {
        svg.push_str(&format!(
            "<g><title>{}: {}</title>",
            escape(&bar.label),
            escape(&bar.count.display())
        ));
        for line in lines {
            y += LINE;
            svg.push_str(&format!(
                r##"<text x="0" y="{}" font-size="11" fill="#1d2433">{}</text>"##,
                y - 3,
                escape(line)
            ));
        }
        let bar_y = y + 1;
        let text_y = bar_y + BAR_HEIGHT - 2;
        match bar.count.count() {
            Some(count) => {
                let length = (count * room).div_ceil(largest).max(1);
                svg.push_str(&format!(
                    r##"<rect x="0" y="{bar_y}" width="{length}" height="{BAR_HEIGHT}" fill="#0b5cab"/><text x="{}" y="{text_y}" font-size="11" fill="#1d2433">{count}</text>"##,
                    length + 4
                ));
            }
            None => {
                // A suppressed count: an outline of a fixed short length, so nothing of its size
                // shows.
                svg.push_str(&format!(
                    r##"<rect x="0" y="{bar_y}" width="12" height="{BAR_HEIGHT}" fill="none" stroke="#5b6478" stroke-dasharray="2 2"/><text x="16" y="{text_y}" font-size="11" fill="#5b6478">{}</text>"##,
                    escape(&bar.count.display())
                ));
            }
        }
        svg.push_str("</g>");
        y = bar_y + BAR_HEIGHT + GAP;
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_drawn_to_scale_and_suppressed_counts_show_no_size() {
        let svg = horizontal_bars(
            "By <nationality>",
            &[
                Bar {
                    label: "Guatemala".into(),
                    count: Published::Shown(10),
                },
                Bar {
                    label: "Honduras".into(),
                    count: Published::Shown(5),
                },
                Bar {
                    label: "Nicaragua".into(),
                    count: Published::Suppressed,
                },
            ],
        );
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("By &lt;nationality&gt;"), "{svg}");
        // The largest bar takes the whole room (284 units), the half one half of it.
        assert!(svg.contains(r#"width="284""#), "{svg}");
        assert!(svg.contains(r#"width="142""#), "{svg}");
        assert!(svg.contains("&lt;3"), "{svg}");
        assert!(svg.contains("stroke-dasharray"), "{svg}");
    }

    #[test]
    fn long_labels_are_written_in_full_from_the_left_edge_and_never_cut() {
        let route = "Guatemala -> Estados Unidos de América";
        let svg = horizontal_bars(
            "By route",
            &[Bar {
                label: route.into(),
                count: Published::Shown(7),
            }],
        );
        // The whole label, on one line, starting at the left edge (nothing drawn left of 0).
        assert!(
            svg.contains(&format!(
                r##"x="0" y="12" font-size="11" fill="#1d2433">{}<"##,
                escape(route)
            )),
            "{svg}"
        );
        assert!(!svg.contains("text-anchor=\"end\""), "{svg}");
        assert!(!svg.contains('…'), "{svg}");
        assert!(
            svg.contains(&format!("<title>{}: 7</title>", escape(route))),
            "{svg}"
        );
    }

    #[test]
    fn labels_wrap_at_spaces_and_only_a_very_long_one_is_abbreviated() {
        assert_eq!(wrap("Honduras", 48, 2), ["Honduras"]);
        assert_eq!(
            wrap("Trabajo o servicios en beneficio de otra persona", 20, 2),
            ["Trabajo o servicios", "en beneficio de…"]
        );
        assert_eq!(
            wrap("Trabajo o servicios en beneficio", 20, 2),
            ["Trabajo o servicios", "en beneficio"]
        );
        assert_eq!(wrap("abcdefghij", 4, 3), ["abcd", "efgh", "ij"]);
    }
}
