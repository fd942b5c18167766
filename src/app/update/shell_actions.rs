//! `s`: a shell in the selected pod's container; the engine's container by default, a choice
//! when the pod has several.

use super::Command;
use crate::app::sim_shell;
use crate::app::state::{App, ContainerPurpose, Overlay};
use crate::app::strings;
use crate::model::{Kind, ObjectKey};

impl App {
    /// Opens the container choice, or asks for the shell right away when there is one container.
    pub(super) fn open_shell(&mut self) -> Vec<Command> {
        let Some(pod) = self.selected_object().filter(|k| k.kind == Kind::Pod) else {
            self.flash_warn(strings::SHELL_NEEDS_POD);
            return Vec::new();
        };
        let Some((names, engine)) = sim_shell::containers(&self.store, &pod) else {
            self.flash_warn(strings::SHELL_NO_CONTAINERS);
            return Vec::new();
        };
        if names.len() == 1 {
            return self.shell_into(pod, names[engine].clone());
        }
        self.overlays.push(Overlay::Containers {
            pod,
            names,
            choice: engine,
            purpose: ContainerPurpose::Shell,
        });
        Vec::new()
    }

    /// Enter on the container choice: the shell in the chosen one, or its log.
    pub(super) fn pick_container(&mut self) -> Vec<Command> {
        match self.overlays.pop() {
            Some(Overlay::Containers {
                pod,
                names,
                choice,
                purpose,
            }) => match (names.get(choice), purpose) {
                (Some(name), ContainerPurpose::Shell) => self.shell_into(pod, name.clone()),
                (Some(name), ContainerPurpose::Logs) => self.show_container_log(&names, name),
                (None, _) => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    fn shell_into(&mut self, pod: ObjectKey, container: String) -> Vec<Command> {
        self.flash_info(strings::shell_opening(&pod, &container));
        vec![Command::Shell { pod, container }]
    }
}
