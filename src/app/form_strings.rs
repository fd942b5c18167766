//! Every user-visible text of the "start a data operation" form, in one place.

pub const TITLE: &str = "Start a data operation";
pub const STEP_OPERATION: &str = "Operation";
pub const STEP_TARGETS: &str = "Targets";
pub const STEP_SCHEDULE: &str = "Schedule";
pub const STEP_PLACEMENT: &str = "Placement";
pub const STEP_REVIEW: &str = "Review";

pub const LABEL_KIND: &str = "Kind";
pub const LABEL_NAME: &str = "Name";
pub const LABEL_PATH: &str = "Path";
pub const LABEL_REPLICAS: &str = "replicas";
pub const LABEL_ADD_PATH: &str = "Add path";
pub const LABEL_LOAD_METADATA: &str = "Load metadata";
pub const LABEL_MOUNT_PATH: &str = "Mount path";
pub const LABEL_IMAGE: &str = "Image";
pub const LABEL_SCRIPT: &str = "Script";
pub const LABEL_POLICY: &str = "Policy";
pub const LABEL_SCHEDULE: &str = "Schedule";
pub const LABEL_TTL: &str = "TTL (s)";
pub const LABEL_NODE_SELECTOR: &str = "Node selector";
pub const LABEL_TOLERATIONS: &str = "Tolerations";
pub const LABEL_NEXT_RUNS: &str = "Next runs";
pub const YES: &str = "yes";
pub const NO: &str = "no";

pub const HINT_CHOICE: &str = "←/→ change";
pub const HINT_PATH: &str = "↑/↓ paths · Del removes";
pub const HINT_ADD_PATH: &str = "type a path, or ↑/↓ for the dataset's paths";
pub const HINT_REPLICAS: &str = "↑/↓ change";
pub const HINT_NO_TARGET: &str = "no target: the whole dataset is loaded";
pub const HINT_TTL: &str = "optional: delete the operation this long after it finishes";
pub const HINT_ON_EVENT: &str = "runs when the dataset changes (OnEvent)";
pub const HINT_NODE_SELECTOR: &str = "key=value, … (optional)";
pub const HINT_TOLERATIONS: &str = "key[=value]:Effect, … (optional)";
pub const HINT_SCRIPT: &str = "run with bash in the image, dataset mounted at the mount path";
pub const HINT_SCHEDULE: &str = "five fields, UTC: minute hour day-of-month month day-of-week";
pub const HINT_SCROLL: &str = "↑/↓ scroll  ";
pub const REVIEW_INTRO: &str = "This manifest will be created:";
pub const KEY_NEXT_FIELD: &str = "next field";
pub const KEY_NEXT_STEP: &str = "next step";
pub const KEY_SUBMIT: &str = "confirm";
pub const KEY_BACK: &str = "back";
pub const KEY_ABORT: &str = "abort";

pub const SELECT_RUNTIME_OR_DATASET: &str =
    "start a data operation: select a cache runtime or a dataset";
pub const NO_RUNTIME: &str = "DataLoad: no cache runtime is bound to this dataset";
pub const NOT_SUPPORTED_KINDS: &str =
    "DataMigrate and DataBackup are not offered: on a CacheRuntime they fail as NotSupported";
pub const FIX_ERRORS: &str = "fix the marked fields first";

pub const NAME_EMPTY: &str = "a name is required";
pub const NAME_TOO_LONG: &str = "at most 63 characters";
pub const NAME_EDGE: &str = "must start and end with a letter or digit";
pub const NAME_TAKEN: &str = "an operation of this name exists in the namespace";
pub const PATH_ABSOLUTE: &str = "an absolute path (starts with /)";
pub const PATH_DUPLICATE: &str = "this path is already a target";
pub const REPLICAS_BAD: &str = "a whole number, at least 1";
pub const TTL_BAD: &str = "seconds, a whole number (or empty)";
pub const IMAGE_EMPTY: &str = "an image is required";
pub const SCRIPT_EMPTY: &str = "a script is required";
pub const SCHEDULE_EMPTY: &str = "a schedule is required for Cron";
pub const SCHEDULE_FIELDS: &str = "five fields: minute hour day-of-month month day-of-week";
pub const SCHEDULE_NEVER: &str = "this schedule never fires";

pub fn name_bad_char(c: char) -> String {
    format!("{c:?} is not allowed: lowercase letters, digits and '-'")
}

pub fn no_dataset(ns: &str, name: &str) -> String {
    format!("cannot start a data operation: no dataset {ns}/{name}")
}

pub fn no_class_entry(class: &str, kind: &str) -> String {
    format!("{kind} is not offered: class {class} declares no {kind} in dataOperationSpecs")
}

pub fn class_unknown(class: &str) -> String {
    format!("DataLoad is not offered: runtime class {class} is not known")
}

pub fn selector_bad(item: &str) -> String {
    format!("{item:?}: expected key=value")
}

pub fn toleration_bad(item: &str) -> String {
    format!("{item:?}: expected key[=value]:Effect")
}

pub fn toleration_effect(effect: &str) -> String {
    format!("{effect:?}: effect is NoSchedule, PreferNoSchedule or NoExecute")
}

pub fn fix_first(error: &str) -> String {
    format!("fix first: {error}")
}

pub fn title(ns: &str, dataset: &str) -> String {
    format!(" {TITLE} on dataset {ns}/{dataset} ")
}

pub fn step_of(n: usize, total: usize) -> String {
    format!("{n}/{total}")
}

pub fn confirm_title(target: &str) -> String {
    format!("Create {target}?")
}

pub fn write_failed(error: &str) -> String {
    format!("not created: {error}")
}
