//! How bad a status is, for sorting by status: failures first, then what needs attention, what
//! is under way, and what is fine last (`S` puts Failed before Complete).

/// 0 is the worst. Reads the status's first word (`NotReady 1/2` is `NotReady`); a status not
/// known here sorts with what is under way.
pub fn rank(status: &str) -> u8 {
    let word = status.split_whitespace().next().unwrap_or("");
    match word {
        "Failed"
        | "Error"
        | "CrashLoopBackOff"
        | "ImagePullBackOff"
        | "ErrImagePull"
        | "OOMKilled"
        | "Aborted"
        | "Evicted"
        | "NodeLost"
        | "NotReady"
        | "Lost"
        | "CreateContainerConfigError"
        | "CreateContainerError"
        | "RunContainerError"
        | "InvalidImageName" => 0,
        "Blocked"
        | "AwaitingConfirmation"
        | "PartialReady"
        | "Pending"
        | "Terminating"
        | "Paused"
        | "NotBound"
        | "RolledBack"
        | "Unknown"
        | "Unschedulable"
        | "Stale" => 1,
        "Ready" | "Bound" | "Running" | "Complete" | "Completed" | "Succeeded" => 3,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::rank;

    #[test]
    fn failures_come_before_what_is_done() {
        assert!(rank("Failed") < rank("Complete"));
        assert!(rank("CrashLoopBackOff") < rank("Pending"));
        assert!(rank("Pending") < rank("Executing"));
        assert!(rank("Executing") < rank("Complete"));
        assert!(rank("NotReady 0/1") < rank("PartialReady 1/2"));
        assert!(rank("PartialReady 1/2") < rank("Ready 2/2"));
        assert_eq!(rank(""), 2);
    }
}
