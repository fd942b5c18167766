//! ASCII mode (`--ascii`, `ascii = true`, a locale without UTF-8, `TERM=linux`): after a frame is
//! drawn, every cell that is not plain ASCII is replaced by its nearest ASCII look-alike, so
//! borders, arrows, ellipses, separators, symbols and text from the cluster all reach a terminal
//! that cannot show anything else.

use ratatui::buffer::Buffer;

/// The ASCII stand-in for one character.
fn ascii_for(c: char) -> char {
    match c {
        // Box drawing: lines and corners.
        '─' | '━' | '═' | '╌' | '╍' | '┄' | '┅' | '┈' | '┉' | '╴' | '╶' | '╸' | '╺' => {
            '-'
        }
        '│' | '┃' | '║' | '╎' | '╏' | '┆' | '┇' | '┊' | '┋' | '╵' | '╷' | '╹' | '╻' => {
            '|'
        }
        '\u{2500}'..='\u{257f}' => '+',
        // Blocks and shades (timeline strips, gauges); thin left blocks (a text cursor).
        '▏' | '▎' | '▍' => '|',
        '\u{2580}'..='\u{259f}' => '#',
        // Arrows and pointers.
        '→' | '⇒' | '⟶' | '▶' | '▸' | '►' | '›' | '»' | '❯' => '>',
        '←' | '⇐' | '⟵' | '◀' | '◂' | '◄' | '‹' | '«' | '↶' => '<',
        '↑' | '▲' | '▴' | '⇡' => '^',
        '↓' | '▼' | '▾' | '⇣' => 'v',
        '⇄' | '↔' | '⇆' => '=',
        '↻' | '↺' | '≈' | '∼' | '…' => '~',
        // Punctuation.
        '·' | '•' | '∙' | '⋅' => '.',
        '–' | '—' | '―' | '‐' | '−' => '-',
        '“' | '”' | '„' | '″' => '"',
        '‘' | '’' | '′' => '\'',
        '×' | '✗' | '✖' | '✘' => 'x',
        '✓' | '✔' => '+',
        '≥' => '>',
        '≤' => '<',
        '≠' => '!',
        '●' | '◉' | '⬤' => '*',
        '○' | '◌' | '◯' => 'o',
        _ => '?',
    }
}

/// An ASCII version of `symbol` (one cell's text).
pub fn ascii_symbol(symbol: &str) -> String {
    symbol
        .chars()
        .filter(|c| !is_combining(*c))
        .map(|c| if c.is_ascii() { c } else { ascii_for(c) })
        .take(1)
        .collect()
}

/// Zero-width marks that belong to the character before them.
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036f}' | '\u{200b}'..='\u{200f}' | '\u{fe00}'..='\u{fe0f}')
}

/// Replaces every non-ASCII cell of `buf` with its ASCII stand-in. A wide character leaves its
/// second column blank.
pub fn to_ascii(buf: &mut Buffer) {
    for cell in buf.content.iter_mut() {
        if !cell.symbol().is_ascii() {
            let replacement = ascii_symbol(cell.symbol());
            cell.set_symbol(if replacement.is_empty() {
                " "
            } else {
                &replacement
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn look_alikes() {
        assert_eq!(ascii_symbol("┌"), "+");
        assert_eq!(ascii_symbol("─"), "-");
        assert_eq!(ascii_symbol("│"), "|");
        assert_eq!(ascii_symbol("…"), "~");
        assert_eq!(ascii_symbol("›"), ">");
        assert_eq!(ascii_symbol("█"), "#");
        assert_eq!(ascii_symbol("中"), "?");
        assert_eq!(ascii_symbol("e\u{301}"), "e");
    }

    #[test]
    fn a_buffer_becomes_ascii() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        buf.set_string(0, 0, "a─›中…b", Style::default());
        to_ascii(&mut buf);
        let text: String = buf.content.iter().map(|c| c.symbol()).collect();
        assert_eq!(text, "a->? ~b     ");
    }
}
