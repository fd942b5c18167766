//! Marks the matches of a search in a drawn line, keeping each span's own style underneath.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::app::text_pages::match_ranges;

/// `line` with every occurrence of `needle` (ASCII case ignored) styled `mark` over its own
/// style; the current match's line is also shown reversed, so it stands out in mono.
pub fn marked<'a>(line: Line<'a>, needle: &str, mark: Style, current: bool) -> Line<'a> {
    if needle.is_empty() {
        return line;
    }
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let ranges = match_ranges(&text, needle);
    if ranges.is_empty() {
        return line;
    }
    let mark = if current {
        mark.add_modifier(Modifier::REVERSED)
    } else {
        mark
    };
    let mut out: Vec<Span<'a>> = Vec::new();
    let mut offset = 0;
    for span in line.spans {
        let content = span.content.as_ref();
        let (start, end) = (offset, offset + content.len());
        offset = end;
        // Cut points inside this span: every range edge that falls within it.
        let mut cuts: Vec<usize> = ranges
            .iter()
            .flat_map(|&(a, b)| [a, b])
            .filter(|&c| c > start && c < end)
            .map(|c| c - start)
            .filter(|&c| content.is_char_boundary(c))
            .collect();
        cuts.push(content.len());
        let mut from = 0;
        for cut in cuts {
            if cut <= from {
                continue;
            }
            let piece = &content[from..cut];
            let abs = start + from;
            let inside = ranges.iter().any(|&(a, b)| abs >= a && abs < b);
            let style = if inside {
                span.style.patch(mark)
            } else {
                span.style
            };
            out.push(Span::styled(piece.to_string(), style));
            from = cut;
        }
    }
    Line {
        spans: out,
        style: line.style,
        alignment: line.alignment,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Color;

    #[test]
    fn splits_spans_at_matches_and_keeps_their_styles() {
        let key = Style::default().fg(Color::Blue);
        let line = Line::from(vec![Span::styled("name", key), Span::raw(": worker-0")]);
        let mark = Style::default().add_modifier(Modifier::UNDERLINED);
        let out = marked(line, "E: W", mark, false);
        let parts: Vec<(&str, bool)> = out
            .spans
            .iter()
            .map(|s| {
                (
                    s.content.as_ref(),
                    s.style.add_modifier.contains(Modifier::UNDERLINED),
                )
            })
            .collect();
        assert_eq!(
            parts,
            vec![
                ("nam", false),
                ("e", true),
                (": w", true),
                ("orker-0", false)
            ]
        );
        assert_eq!(out.spans[1].style.fg, Some(Color::Blue));
    }

    #[test]
    fn a_line_without_the_text_is_unchanged() {
        let line = Line::from("nothing here");
        assert_eq!(marked(line.clone(), "zzz", Style::default(), true), line);
    }
}
