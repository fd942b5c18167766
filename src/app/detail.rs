//! The describe-like detail of any object, as sections of lines built purely from the store.
//! Lines that point at another object (a runtime's pods, its operations, a component's
//! timeline) are selectable: Enter opens them.

use jiff::Timestamp;

use super::tables::Cell;
use crate::cluster::{Store, Subject};
use crate::model::ObjectKey;

/// Where a selectable line leads.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Object(ObjectKey),
    Timeline(Subject),
}

#[derive(Debug, Clone, PartialEq)]
pub struct DetailLine {
    pub cells: Vec<Cell>,
    pub target: Option<Target>,
}

impl DetailLine {
    pub fn cells(cells: Vec<Cell>) -> DetailLine {
        DetailLine {
            cells,
            target: None,
        }
    }
    pub fn to(mut self, target: Target) -> DetailLine {
        self.target = Some(target);
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub title: String,
    pub lines: Vec<DetailLine>,
}

impl Section {
    pub fn selectable(&self) -> impl Iterator<Item = &DetailLine> {
        self.lines.iter().filter(|l| l.target.is_some())
    }
}

/// Sections of the detail page of `key`; empty when the object is gone.
pub fn sections(store: &Store, key: &ObjectKey, now: Timestamp) -> Vec<Section> {
    super::describe::describe(store, key, now)
}

/// The cursor that puts line `line` of `section` under it: its place among the selectable
/// lines, or in a section without any (where the cursor scrolls) the line itself; `None` for a
/// plain line of a section with selectable ones.
pub fn cursor_of_line(section: &Section, line: usize) -> Option<usize> {
    let selectable = section.selectable().count();
    if selectable == 0 {
        return (line < section.lines.len()).then_some(line);
    }
    section.lines.get(line)?.target.as_ref()?;
    Some(
        section.lines[..line]
            .iter()
            .filter(|l| l.target.is_some())
            .count(),
    )
}

/// The target of the `cursor`-th selectable line of pane `pane`.
pub fn target_at(sections: &[Section], pane: usize, cursor: usize) -> Option<&Target> {
    sections
        .get(pane)?
        .selectable()
        .nth(cursor)?
        .target
        .as_ref()
}
