//! What a form on top answers a key with: the form decides, the app carries it out.

/// A form's answer to a key (with the action the keymap found for it).
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<T> {
    /// Nothing for the app to do (the form changed, or refused with its reason in `message`).
    Stay,
    /// Close the form without writing.
    Close,
    /// Ask for confirmation of this (a manifest, a plan); the form waits under the dialog.
    Submit(T),
    /// Not one of the form's actions: the app carries it out.
    Pass,
}
