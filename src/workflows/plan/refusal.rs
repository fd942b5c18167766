//! Why a run cannot be planned, in the words the operator reads.

use crate::model::Component;
use crate::workflows::LOCK_ANNOTATION;

/// Why a run cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    RuntimeNotFound {
        runtime: String,
    },
    /// The runtime carries `fluidops.io/maintenance` (or a run on it is active).
    Locked {
        runtime: String,
        by: String,
    },
    DatasetNotFound {
        dataset: String,
    },
    DatasetNotBound {
        dataset: String,
        phase: String,
    },
    MasterNotReady {
        phase: String,
    },
    WorkerNotReady {
        phase: String,
    },
    EmptyImage,
    EmptyTag,
    SameVersion {
        version: String,
    },
    ClientInUpgrade,
    ClientNotConfirmed {
        pods: Vec<String>,
    },
    /// A requested component does not exist in this runtime (class topology or `disabled`).
    ComponentAbsent {
        component: Component,
    },
    InvalidReason {
        reason: String,
    },
    PodNotFound {
        pod: String,
    },
    NoPodsMatch {
        selection: String,
    },
    /// Re-warm asked for but the class cannot run a DataLoad.
    RewarmUnsupported {
        reason: String,
    },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::RuntimeNotFound { runtime } => write!(f, "CacheRuntime {runtime} not found"),
            Refusal::Locked { runtime, by } => write!(
                f,
                "CacheRuntime {runtime} is locked by maintenance {by} (annotation {LOCK_ANNOTATION}); finish or abort that run first"
            ),
            Refusal::DatasetNotFound { dataset } => write!(
                f,
                "Dataset {dataset} not found: a CacheRuntime needs a Dataset of the same name"
            ),
            Refusal::DatasetNotBound { dataset, phase } => write!(
                f,
                "Dataset {dataset} is {phase}, not Bound: the runtime is not serving data yet"
            ),
            Refusal::MasterNotReady { phase } => write!(
                f,
                "master is {phase}, not Ready: fix the master first (workers and mounts depend on it)"
            ),
            Refusal::WorkerNotReady { phase } => write!(
                f,
                "worker is {phase}: no worker is Ready, an upgrade would only add restarts"
            ),
            Refusal::EmptyImage => f.write_str(
                "image is empty: Fluid changes the engine image only when image and imageTag are both set",
            ),
            Refusal::EmptyTag => f.write_str(
                "image tag is empty: Fluid changes the engine image only when image and imageTag are both set",
            ),
            Refusal::SameVersion { version } => {
                write!(f, "every selected component already runs {version}")
            }
            Refusal::ClientInUpgrade => f.write_str(
                "client cannot be upgraded: upstream never updates the client DaemonSet after creation (only master and worker runtimeVersion are synced)",
            ),
            Refusal::ClientNotConfirmed { pods } => write!(
                f,
                "rebuilding client pods ({}) interrupts the FUSE mount of every app pod on their nodes: confirm it explicitly",
                pods.join(", ")
            ),
            Refusal::ComponentAbsent { component } => write!(
                f,
                "this runtime has no {component} (not in its class topology, or disabled)"
            ),
            Refusal::InvalidReason { reason } => write!(
                f,
                "rebuild reason \"{reason}\" is not one of NodeFailure, ConfigChange, Manual"
            ),
            Refusal::PodNotFound { pod } => {
                write!(f, "pod {pod} is not a cache pod of this runtime")
            }
            Refusal::NoPodsMatch { selection } => write!(f, "no pods match {selection}"),
            Refusal::RewarmUnsupported { reason } => {
                write!(f, "cannot re-warm the cache: {reason}")
            }
        }
    }
}

impl std::error::Error for Refusal {}
