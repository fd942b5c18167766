//! The text of the page on screen (an object's YAML, its description, a pod's log) as plain
//! lines, and searching in it: what `Y` copies, `/` finds and `n` / `N` step through.
//! Pure: no drawing, no I/O.

use super::detail;
use super::state::{App, Screen};
use super::yaml;

/// Which text page is on screen, for messages ("Copied the log of …").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    Yaml,
    Describe,
    Log,
}

/// The plain lines of the text page on screen, or `None` on a list or a timeline.
pub fn page_lines(app: &App) -> Option<(PageKind, Vec<String>)> {
    match &app.screen {
        Screen::Yaml(key) => Some((PageKind::Yaml, yaml::lines(&app.store, key))),
        Screen::Logs(key) => Some((PageKind::Log, app.store.logs(key).cloned().collect())),
        Screen::Detail(key) => Some((
            PageKind::Describe,
            describe_lines(&detail::sections(&app.store, key, app.now)),
        )),
        _ => None,
    }
}

/// A detail page as text: each section's title, then its lines with their cells two spaces
/// apart (as `kubectl describe` reads).
pub fn describe_lines(sections: &[detail::Section]) -> Vec<String> {
    describe_text(sections)
        .into_iter()
        .map(|(l, _)| l)
        .collect()
}

/// Where a line of [`describe_lines`] comes from: a section's title (`line: None`) or one of
/// its lines. The blank line between sections comes from none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DescribePlace {
    pub section: usize,
    pub line: Option<usize>,
}

/// The place of each line of [`describe_lines`], index for index.
pub fn describe_places(sections: &[detail::Section]) -> Vec<Option<DescribePlace>> {
    describe_text(sections)
        .into_iter()
        .map(|(_, p)| p)
        .collect()
}

fn describe_text(sections: &[detail::Section]) -> Vec<(String, Option<DescribePlace>)> {
    let mut out = Vec::new();
    for (si, s) in sections.iter().enumerate() {
        if !out.is_empty() {
            out.push((String::new(), None));
        }
        let place = |line| Some(DescribePlace { section: si, line });
        out.push((s.title.clone(), place(None)));
        for (li, line) in s.lines.iter().enumerate() {
            let cells: Vec<&str> = line.cells.iter().map(|c| c.text.as_str()).collect();
            out.push((
                format!("  {}", cells.join("  ").trim_end()),
                place(Some(li)),
            ));
        }
    }
    out
}

/// Whether the screen is a page `/` searches in (rather than a list it filters).
pub fn searchable(screen: &Screen) -> bool {
    matches!(
        screen,
        Screen::Yaml(_) | Screen::Logs(_) | Screen::Detail(_)
    )
}

/// Byte ranges of `needle` in `line`, ignoring ASCII case, left to right, not overlapping.
pub fn match_ranges(line: &str, needle: &str) -> Vec<(usize, usize)> {
    if needle.is_empty() {
        return Vec::new();
    }
    let hay = line.to_ascii_lowercase();
    let needle = needle.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = hay[from..].find(&needle) {
        let start = from + i;
        let end = start + needle.len();
        out.push((start, end));
        from = end;
    }
    out
}

/// The indexes of the lines holding `needle`.
pub fn matching_lines<S: AsRef<str>>(lines: &[S], needle: &str) -> Vec<usize> {
    if needle.is_empty() {
        return Vec::new();
    }
    let needle = needle.to_ascii_lowercase();
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.as_ref().to_ascii_lowercase().contains(&needle))
        .map(|(i, _)| i)
        .collect()
}

/// The match to go to from line `from`: the first at or after it (`forward`, `inclusive`),
/// strictly after it (`forward`), or strictly before it; wrapping around the ends.
pub fn step(matches: &[usize], from: usize, forward: bool, inclusive: bool) -> Option<usize> {
    let first = *matches.first()?;
    let last = *matches.last()?;
    if forward {
        Some(
            matches
                .iter()
                .copied()
                .find(|&m| if inclusive { m >= from } else { m > from })
                .unwrap_or(first),
        )
    } else {
        Some(
            matches
                .iter()
                .rev()
                .copied()
                .find(|&m| m < from)
                .unwrap_or(last),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_ignore_case_and_do_not_overlap() {
        assert_eq!(
            match_ranges("Error error ERR", "err"),
            vec![(0, 3), (6, 9), (12, 15)]
        );
        assert_eq!(match_ranges("aaaa", "aa"), vec![(0, 2), (2, 4)]);
        assert!(match_ranges("abc", "").is_empty());
        assert!(match_ranges("abc", "x").is_empty());
    }

    #[test]
    fn steps_wrap_around() {
        let m = [2, 5, 9];
        assert_eq!(step(&m, 0, true, true), Some(2));
        assert_eq!(step(&m, 2, true, true), Some(2));
        assert_eq!(step(&m, 2, true, false), Some(5));
        assert_eq!(step(&m, 9, true, false), Some(2));
        assert_eq!(step(&m, 2, false, false), Some(9));
        assert_eq!(step(&m, 6, false, false), Some(5));
        assert_eq!(step(&[], 0, true, true), None);
    }

    #[test]
    fn finds_lines() {
        let lines = ["one", "Two", "three", "TWO more"];
        assert_eq!(matching_lines(&lines, "two"), vec![1, 3]);
        assert!(matching_lines(&lines, "").is_empty());
    }
}
