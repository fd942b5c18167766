//! What the console reads from Pods: which runtime and component they belong to (by Fluid's
//! labels), their displayed status, restarts and engine image.

use k8s_openapi::api::core::v1::Pod;

use super::runtime::Component;

pub const LABEL_RUNTIME: &str = "cacheruntime.fluid.io/name";
pub const LABEL_COMPONENT: &str = "cacheruntime.fluid.io/component-name";
pub const LABEL_DATASET: &str = "fluid.io/dataset";
pub const LABEL_RELEASE: &str = "release";
pub const LABEL_ROLE: &str = "role";
pub const LABEL_TARGET_DATASET: &str = "targetDataset";

fn label<'a>(pod: &'a Pod, key: &str) -> Option<&'a str> {
    pod.metadata.labels.as_ref()?.get(key).map(String::as_str)
}

/// Runtime a cache pod belongs to (`cacheruntime.fluid.io/name`).
pub fn runtime_of(pod: &Pod) -> Option<&str> {
    label(pod, LABEL_RUNTIME)
}

/// Component of a cache pod: the component-name label with the `<rt>-` prefix stripped.
pub fn component_of(pod: &Pod) -> Option<Component> {
    let rt = runtime_of(pod)?;
    let full = label(pod, LABEL_COMPONENT)?;
    let short = full
        .strip_prefix(rt)
        .and_then(|s| s.strip_prefix('-'))
        .unwrap_or(full);
    Component::parse(short)
}

/// For DataLoad job pods: the operation's helm release (`<dataload>-loader`) and target dataset.
pub fn operation_release_of(pod: &Pod) -> Option<&str> {
    label(pod, LABEL_RELEASE)
}

pub fn target_dataset_of(pod: &Pod) -> Option<&str> {
    label(pod, LABEL_TARGET_DATASET)
}

pub fn node_of(pod: &Pod) -> Option<&str> {
    pod.spec.as_ref()?.node_name.as_deref()
}

pub fn restarts(pod: &Pod) -> i32 {
    pod.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .map(|cs| cs.iter().map(|c| c.restart_count).sum())
        .unwrap_or(0)
}

/// Image of the engine container (container[0]): from its status when running, else the spec.
pub fn engine_image(pod: &Pod) -> Option<&str> {
    let from_status = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| cs.first())
        .map(|c| c.image.as_str())
        .filter(|s| !s.is_empty());
    from_status.or_else(|| pod.spec.as_ref()?.containers.first()?.image.as_deref())
}

/// Tag of the engine image (`v0.2.5` of `curvine/curvine:v0.2.5`).
pub fn engine_version(pod: &Pod) -> Option<&str> {
    let image = engine_image(pod)?;
    let last = image.rsplit('/').next().unwrap_or(image);
    last.rsplit_once(':').map(|(_, tag)| tag)
}

pub fn is_ready(pod: &Pod) -> bool {
    condition_true(pod, "Ready")
}

pub fn condition_true(pod: &Pod, type_: &str) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == type_ && c.status == "True"))
}

/// The status kubectl shows: Terminating, a waiting/terminated container reason
/// (CrashLoopBackOff, ContainerCreating, Error, …), else the pod phase.
pub fn display_status(pod: &Pod) -> String {
    if pod.metadata.deletion_timestamp.is_some() {
        return "Terminating".into();
    }
    let status = pod.status.as_ref();
    let reason = status
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
        .find_map(|c| {
            let st = c.state.as_ref()?;
            st.waiting
                .as_ref()
                .and_then(|w| w.reason.clone())
                .or_else(|| st.terminated.as_ref().and_then(|t| t.reason.clone()))
        });
    if let Some(r) = reason {
        return r;
    }
    status
        .and_then(|s| s.phase.clone())
        .unwrap_or_else(|| "Pending".into())
}

/// `ready/total` containers, as kubectl prints it.
pub fn ready_containers(pod: &Pod) -> (usize, usize) {
    let total = pod.spec.as_ref().map(|s| s.containers.len()).unwrap_or(0);
    let ready = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .map(|cs| cs.iter().filter(|c| c.ready).count())
        .unwrap_or(0);
    (ready, total)
}
