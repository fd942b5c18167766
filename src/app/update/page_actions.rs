//! Copying to the clipboard, searching in a YAML, describe or log page, saving a log, and the command
//! line's history: the state changes and the commands they ask for (no I/O here).

use super::Command;
use crate::app::detail;
use crate::app::state::{App, MAX_PALETTE_HISTORY, Overlay, Screen};
use crate::app::strings;
use crate::app::text_pages;

impl App {
    /// `c`: the selected object's name.
    pub(super) fn copy_name(&mut self) -> Vec<Command> {
        let Some(key) = self.selected_object() else {
            self.flash_warn(strings::NOTHING_SELECTED);
            return Vec::new();
        };
        self.flash_info(strings::copied_name(&key.name));
        vec![Command::Copy(key.name)]
    }

    /// `Y`: the whole text of the YAML, description or log on screen, as plain lines.
    pub(super) fn copy_text(&mut self) -> Vec<Command> {
        let Some((page, lines)) = text_pages::page_lines(self) else {
            self.flash_warn(strings::COPY_TEXT_NEEDS_PAGE);
            return Vec::new();
        };
        if lines.is_empty() {
            self.flash_warn(strings::NOTHING_TO_COPY);
            return Vec::new();
        }
        let mut text = lines.join("\n");
        text.push('\n');
        let object = self
            .selected_object()
            .map(|k| format!("{}/{}", k.namespace, k.name))
            .unwrap_or_default();
        let object = object.trim_start_matches('/').to_string();
        self.flash_info(strings::copied(
            &strings::page_text_label(page, &object),
            text.len(),
        ));
        vec![Command::Copy(text)]
    }

    /// The search line changed (typed, or applied): go to the first match at or after the match
    /// last gone to (or the first line shown).
    pub(super) fn set_search(&mut self, needle: &str) {
        self.page.search = needle.to_string();
        let from = self.page.search_at.unwrap_or(self.layout.first_row);
        self.page.search_at = None;
        self.go_to_match(from, true, true);
    }

    /// `n` / `N`: the next or previous match, wrapping around.
    pub(super) fn search_step(&mut self, forward: bool) {
        if self.page.search.is_empty() {
            return self.flash_warn(strings::SEARCH_NONE);
        }
        let (from, inclusive) = match self.page.search_at {
            Some(at) => (at, false),
            None => (self.layout.first_row, true),
        };
        if self.go_to_match(from, forward, inclusive) {
            let lines = self.page_text();
            let matches = text_pages::matching_lines(&lines, &self.page.search);
            let at = self
                .page
                .search_at
                .and_then(|m| matches.iter().position(|&x| x == m))
                .map_or(0, |i| i + 1);
            self.flash_info(strings::search_position(
                &self.page.search,
                at,
                matches.len(),
            ));
        }
    }

    fn page_text(&self) -> Vec<String> {
        text_pages::page_lines(self)
            .map(|(_, lines)| lines)
            .unwrap_or_default()
    }

    /// Scrolls to the match `step` picks from line `from`; says so when nothing matches.
    /// Returns whether a match was found.
    fn go_to_match(&mut self, from: usize, forward: bool, inclusive: bool) -> bool {
        if self.page.search.is_empty() {
            return false;
        }
        let lines = self.page_text();
        let matches = text_pages::matching_lines(&lines, &self.page.search);
        let Some(m) = text_pages::step(&matches, from, forward, inclusive) else {
            let text = strings::search_no_match(&self.page.search);
            self.flash_warn(&text);
            return false;
        };
        self.page.search_at = Some(m);
        let rows = (self.layout.body_rows as usize).max(1);
        match self.screen {
            // A log page is drawn up to its scroll line: keep the match in the middle.
            Screen::Logs(_) => {
                self.page.follow = false;
                self.page.scroll = (m + rows / 2).min(lines.len().saturating_sub(1));
            }
            // A description: focus the match's section, the cursor on its line where it can go.
            Screen::Detail(ref key) => {
                let sections = detail::sections(&self.store, key, self.now);
                let places = text_pages::describe_places(&sections);
                if let Some(Some(place)) = places.get(m) {
                    self.page.pane = place.section;
                    self.page.cursor = place
                        .line
                        .and_then(|li| detail::cursor_of_line(&sections[place.section], li))
                        .unwrap_or(0);
                }
            }
            _ => self.page.scroll = m.saturating_sub(rows / 3),
        }
        true
    }

    /// Closing the search line with Esc: no search any more.
    pub(super) fn clear_search(&mut self) {
        self.page.search.clear();
        self.page.search_at = None;
    }

    /// `Ctrl-S` on a log page: the log as it is now, to a file under the state directory.
    pub(super) fn save_log(&mut self) -> Vec<Command> {
        let Screen::Logs(key) = &self.screen else {
            return Vec::new();
        };
        let Some(dir) = self.saved_logs_dir.clone() else {
            self.flash_warn(strings::LOG_SAVE_NO_DIR);
            return Vec::new();
        };
        let lines: Vec<&String> = self.store.logs(key).collect();
        if lines.is_empty() {
            self.flash_warn(strings::LOG_EMPTY_NOT_SAVED);
            return Vec::new();
        }
        let mut text = lines
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        text.push('\n');
        let stamp = self.now.strftime("%Y%m%dT%H%M%SZ").to_string();
        let path = dir.join(format!("{}_{}_{stamp}.log", key.namespace, key.name));
        vec![Command::SaveLog {
            path,
            text,
            lines: lines.len(),
        }]
    }

    /// Up / Down on the command line walk its history (Up: older) when the line is empty or
    /// already showing an entry. Returns whether the key was taken.
    pub(super) fn browse_palette_history(&mut self, older: bool) -> bool {
        let n = self.palette_history.len();
        let Some(Overlay::Palette { input, choice }) = self.overlays.top_mut() else {
            return false;
        };
        if n == 0 || (!input.is_empty() && self.palette_browse.is_none()) {
            return false;
        }
        let next = match (self.palette_browse, older) {
            (None, true) => Some(n - 1),
            (None, false) => return false,
            (Some(i), true) => Some(i.saturating_sub(1)),
            (Some(i), false) if i + 1 < n => Some(i + 1),
            (Some(_), false) => None,
        };
        self.palette_browse = next;
        *input = next
            .map(|i| self.palette_history[i].clone())
            .unwrap_or_default();
        *choice = 0;
        true
    }

    /// Remembers a command run from the line (not twice in a row), and asks for the history to
    /// be kept when it has a file.
    pub(super) fn remember_command(&mut self, input: &str) -> Option<Command> {
        let input = input.trim();
        if input.is_empty() {
            return None;
        }
        if self.palette_history.last().map(String::as_str) != Some(input) {
            self.palette_history.push(input.to_string());
        }
        if self.palette_history.len() > MAX_PALETTE_HISTORY {
            let extra = self.palette_history.len() - MAX_PALETTE_HISTORY;
            self.palette_history.drain(..extra);
        }
        let path = self.palette_history_file.clone()?;
        let mut text = self.palette_history.join("\n");
        text.push('\n');
        Some(Command::SaveHistory { path, text })
    }
}

/// The command line's history as kept in its file: one command a line, the newest last, at most
/// [`MAX_PALETTE_HISTORY`].
pub fn history_from_file(text: &str) -> Vec<String> {
    let lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let skip = lines.len().saturating_sub(MAX_PALETTE_HISTORY);
    lines.into_iter().skip(skip).collect()
}
