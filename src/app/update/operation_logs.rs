//! `l` on a data operation: the log of its loader pod (Fluid's Job `<op>-loader-job`, or a cron
//! run's `<op>-loader-job-<minutes>`; its pods add a suffix), the newest when there are several.

use super::Command;
use crate::app::state::{App, Screen};
use crate::app::strings;
use crate::model::{Kind, ObjectKey};

/// The newest pod of `op`'s loader Jobs, if any is known.
pub fn loader_pod(app: &App, op: &ObjectKey) -> Option<ObjectKey> {
    let prefix = format!("{}-loader-job", op.name);
    app.store
        .compact_pods()
        .filter(|p| p.namespace() == op.namespace && p.name().starts_with(&prefix))
        .max_by_key(|p| (p.created(), p.name().to_string()))
        .map(|p| p.key())
}

impl App {
    /// Opens the loader pod's log of the operation `op`, or says there is none.
    pub(super) fn open_operation_logs(&mut self, op: &ObjectKey) -> Vec<Command> {
        match loader_pod(self, op) {
            Some(pod) => {
                self.push(Screen::Logs(pod.clone()));
                self.page.follow = true;
                vec![Command::FollowLogs(self.page.log.request(pod))]
            }
            None => {
                self.flash_warn(&strings::no_loader_pod(&op.name));
                Vec::new()
            }
        }
    }
}

/// Whether `key` is a data operation (whose logs are its loader pod's).
pub fn is_operation(key: &ObjectKey) -> bool {
    matches!(key.kind, Kind::Operation(_))
}
