//! On a log page: the previous instance (`p`), another container (`C`), how much history
//! (`:tail`, `:since`), and the server refusing a log asked for. Each change asks the source for
//! the log as the page's options now say.

use super::Command;
use crate::app::log_page::Tail;
use crate::app::log_strings;
use crate::app::sim_shell;
use crate::app::state::{App, ContainerPurpose, Overlay, Screen};
use crate::app::strings;
use crate::model::ObjectKey;

impl App {
    /// The pod whose log is on screen.
    fn log_pod(&self) -> Option<ObjectKey> {
        match &self.screen {
            Screen::Logs(pod) => Some(pod.clone()),
            _ => None,
        }
    }

    /// Asks for the log as the page's options say, from its newest line.
    fn ask_log(&mut self, pod: ObjectKey) -> Vec<Command> {
        self.page.follow = true;
        self.page.search_at = None;
        vec![Command::FollowLogs(self.page.log.request(pod))]
    }

    /// The name of the container shown (the engine's when none was chosen).
    fn shown_container(&self, pod: &ObjectKey) -> String {
        self.page.log.container.clone().unwrap_or_else(|| {
            sim_shell::containers(&self.store, pod)
                .map(|(names, engine)| names[engine].clone())
                .unwrap_or_default()
        })
    }

    /// `p`: the previous instance's log of the container shown, or back to the current one.
    pub(super) fn toggle_previous_log(&mut self) -> Vec<Command> {
        let Some(pod) = self.log_pod() else {
            return Vec::new();
        };
        self.page.log.previous = !self.page.log.previous;
        let container = self.shown_container(&pod);
        self.flash_info(if self.page.log.previous {
            log_strings::showing_previous(&container)
        } else {
            log_strings::showing_current(&container)
        });
        self.ask_log(pod)
    }

    /// `C`: the container choice, over the log page (the shown container chosen).
    pub(super) fn choose_log_container(&mut self) -> Vec<Command> {
        let Some(pod) = self.log_pod() else {
            return Vec::new();
        };
        let Some((names, engine)) = sim_shell::containers(&self.store, &pod) else {
            self.flash_warn(strings::SHELL_NO_CONTAINERS);
            return Vec::new();
        };
        if names.len() == 1 {
            self.flash_info(log_strings::only_container(&names[0]));
            return Vec::new();
        }
        let choice = self
            .page
            .log
            .container
            .as_ref()
            .and_then(|c| names.iter().position(|n| n == c))
            .unwrap_or(engine);
        self.overlays.push(Overlay::Containers {
            pod,
            names,
            choice,
            purpose: ContainerPurpose::Logs,
        });
        Vec::new()
    }

    /// Enter on the container choice of a log page: that container's log.
    pub(super) fn show_container_log(&mut self, names: &[String], name: &str) -> Vec<Command> {
        let Some(pod) = self.log_pod() else {
            return Vec::new();
        };
        let engine = sim_shell::containers(&self.store, &pod).map(|(n, e)| n[e].clone());
        // The engine's is the page's own log: no container named (as `l` opens it).
        self.page.log.container =
            (engine.as_deref() != Some(name) || names.is_empty()).then(|| name.to_string());
        self.flash_info(log_strings::showing_container(name));
        self.ask_log(pod)
    }

    /// `:tail N|all` and `:since DURATION|off` on a log page.
    pub(super) fn set_log_amount(
        &mut self,
        tail: Option<Tail>,
        since: Option<Option<(i64, String)>>,
    ) -> Vec<Command> {
        let Some(pod) = self.log_pod() else {
            self.flash_warn(log_strings::LOG_OPTIONS_NEED_LOG_PAGE);
            return Vec::new();
        };
        if let Some(tail) = tail {
            self.page.log.tail = tail;
        }
        if let Some(since) = since {
            self.page.log.since = since;
        }
        self.ask_log(pod)
    }

    /// The server refused the log asked for `pod` (no previous instance, no such container):
    /// its message, and the page shows the current log of the engine again.
    pub(super) fn log_refused(&mut self, pod: &ObjectKey, message: &str) -> Vec<Command> {
        if self.log_pod().as_ref() != Some(pod) {
            return Vec::new();
        }
        let options = &mut self.page.log;
        if !options.previous && options.container.is_none() {
            // Nothing to go back to: say it, and leave the page as it is.
            self.flash_warn(message);
            return Vec::new();
        }
        options.previous = false;
        options.container = None;
        self.flash_warn(&log_strings::log_refused(message));
        self.ask_log(pod.clone())
    }
}
