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

/// Shortens a label to `limit` characters, with an ellipsis.
fn shorten(label: &str, limit: usize) -> String {
    if label.chars().count() <= limit {
        label.to_string()
    } else {
        let mut short: String = label.chars().take(limit.saturating_sub(1)).collect();
        short.push('…');
        short
    }
}

/// A horizontal bar chart: one row per bar, the label on the left, the bar and its number on the
/// right. `title` is the accessible name of the drawing.
pub fn horizontal_bars(title: &str, bars: &[Bar]) -> String {
    const WIDTH: u64 = 320;
    const LABEL_WIDTH: u64 = 120;
    const ROW: u64 = 22;
    const BAR_HEIGHT: u64 = 14;
    const NUMBER_ROOM: u64 = 36;
    let largest = bars
        .iter()
        .filter_map(|bar| bar.count.count())
        .max()
        .unwrap_or(0)
        .max(1);
    let room = WIDTH - LABEL_WIDTH - NUMBER_ROOM;
    let height = (bars.len() as u64).max(1) * ROW + 4;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}"><title>{}</title>"#,
        escape(title),
        escape(title)
    );
    for (index, bar) in bars.iter().enumerate() {
        let y = index as u64 * ROW + 2;
        let text_y = y + BAR_HEIGHT - 2;
        svg.push_str(&format!(
            r##"<text x="{}" y="{text_y}" font-size="11" text-anchor="end" fill="#1d2433">{}</text>"##,
            LABEL_WIDTH - 6,
            escape(&shorten(&bar.label, 20))
        ));
        match bar.count.count() {
            Some(count) => {
                let length = (count * room).div_ceil(largest).max(1);
                svg.push_str(&format!(
                    r##"<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" fill="#0b5cab"/><text x="{}" y="{text_y}" font-size="11" fill="#1d2433">{count}</text>"##,
                    LABEL_WIDTH + length + 4
                ));
            }
            None => {
                // A suppressed count: an outline of a fixed short length, so nothing of its size
                // shows.
                svg.push_str(&format!(
                    r##"<rect x="{LABEL_WIDTH}" y="{y}" width="12" height="{BAR_HEIGHT}" fill="none" stroke="#5b6478" stroke-dasharray="2 2"/><text x="{}" y="{text_y}" font-size="11" fill="#5b6478">{}</text>"##,
                    LABEL_WIDTH + 16,
                    escape(&bar.count.display())
                ));
            }
        }
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
        // The largest bar takes the whole room (164 units), the half one half of it.
        assert!(svg.contains(r#"width="164""#), "{svg}");
        assert!(svg.contains(r#"width="82""#), "{svg}");
        assert!(svg.contains("&lt;3"), "{svg}");
        assert!(svg.contains("stroke-dasharray"), "{svg}");
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(shorten("Honduras", 20), "Honduras");
        assert_eq!(shorten("abcdefghijklmnopqrstuvwxyz", 5), "abcd…");
    }
}
