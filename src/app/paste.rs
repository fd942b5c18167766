//! Pasted text as the text inputs take it. A terminal hands a paste over whole (bracketed
//! paste); the focused input takes it as one change. Multi-line inputs (the spec editor) keep
//! its line breaks; single-line inputs (filter, command line, form fields, a name to type) take
//! it as one line. A paste is text, never a key: whatever it holds, it submits, confirms or
//! answers nothing.

/// The line breaks of a paste as `\n` (terminals send `\r` or `\r\n` for them).
pub fn line_breaks(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// A paste as one line: line breaks at its end dropped, the others and any other control
/// character (a tab) as one space each.
pub fn one_line(text: &str) -> String {
    text.trim_end_matches(['\r', '\n'])
        .replace("\r\n", " ")
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_become_newlines() {
        assert_eq!(line_breaks("a\r\nb\rc\nd"), "a\nb\nc\nd");
    }

    #[test]
    fn one_line_keeps_the_text_and_drops_what_would_submit() {
        assert_eq!(one_line("y\n"), "y");
        assert_eq!(one_line("worker-1\r\n"), "worker-1");
        assert_eq!(one_line("a\r\nb\nc\td"), "a b c d");
        assert_eq!(one_line("\n"), "");
        assert_eq!(one_line("ünïcode"), "ünïcode");
    }
}
