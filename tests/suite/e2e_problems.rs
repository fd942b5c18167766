//! Where to look first, against the real API server (a child of `e2e_kube`, whose harness and
//! console it uses): nodes watched with their readiness and the cache they hold, events of
//! Fluid objects and their pods, and the problems list (a lost node, a failed DataLoad, a pod
//! not ready on the lost node, a runtime whose remount fails), live as the cluster changes:
//! a node coming back leaves the list, a DataLoad failing after the start raises the notice.

use super::*;

/// A node as kwok or a kubelet would register it (cluster-scoped, so named after the test).
fn node(name: &str) -> serde_json::Value {
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}}
    })
}

fn ready_status(status: &str, reason: &str, since: &str) -> serde_json::Value {
    json!({"conditions": [{
        "type": "Ready", "status": status, "reason": reason,
        "message": "Kubelet stopped posting node status.",
        "lastTransitionTime": since, "lastHeartbeatTime": since
    }]})
}

fn cache_pod(ns: &str, name: &str, runtime: &str, node: &str) -> serde_json::Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": {
            "cacheruntime.fluid.io/name": runtime,
            "cacheruntime.fluid.io/component-name": format!("{runtime}-worker")}},
        "spec": {"nodeName": node,
                 "containers": [{"name": "worker", "image": "curvine/curvine:v0.2.5"}]}
    })
}

fn event(
    ns: &str,
    name: &str,
    kind: &str,
    about: &str,
    reason: &str,
    msg: &str,
) -> serde_json::Value {
    let at = Timestamp::now().to_string();
    json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": name, "namespace": ns},
        "involvedObject": {"kind": kind, "name": about, "namespace": ns},
        "reason": reason, "message": msg, "type": "Warning", "count": 1,
        "firstTimestamp": at, "lastTimestamp": at,
        "source": {"component": "e2e"}
    })
}

fn dataload(ns: &str, name: &str) -> serde_json::Value {
    json!({
        "apiVersion": "data.fluid.io/v1alpha1", "kind": "DataLoad",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"dataset": {"name": "cache", "namespace": ns}}
    })
}

/// A DataLoad's status as Fluid writes it when its job gave up.
fn failed() -> serde_json::Value {
    let at = Timestamp::now().to_string();
    json!({"phase": "Failed", "duration": "1m2s", "conditions": [{
        "type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
        "message": "Job has reached the specified backoff limit",
        "lastProbeTime": at, "lastTransitionTime": at
    }]})
}

fn problem_line<'a>(text: &'a str, name: &str) -> &'a str {
    line_with(text, name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn problems_events_and_nodes_from_the_api_server() {
    let Some((_h, _g, admin)) = begin().await else {
        return;
    };
    let ns = unique_ns("problems");
    create_namespace(&admin, &ns).await;
    let lost = format!("{ns}-lost");
    let fine = format!("{ns}-fine");
    let ten_min_ago = Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_mins(10))
        .unwrap()
        .to_string();
    for n in [&lost, &fine] {
        create(&admin, Kind::Node, "", node(n)).await;
    }
    patch_status(
        &admin,
        Kind::Node,
        "",
        &lost,
        ready_status("Unknown", "NodeStatusUnknown", &ten_min_ago),
    )
    .await;
    patch_status(
        &admin,
        Kind::Node,
        "",
        &fine,
        ready_status("True", "KubeletReady", &ten_min_ago),
    )
    .await;

    create(&admin, Kind::Dataset, &ns, dataset(&ns, "cache")).await;
    create(&admin, Kind::CacheRuntime, &ns, runtime(&ns, "cache")).await;
    create(
        &admin,
        Kind::Pod,
        &ns,
        cache_pod(&ns, "cache-worker-0", "cache", &lost),
    )
    .await;
    create(
        &admin,
        Kind::Pod,
        &ns,
        cache_pod(&ns, "cache-worker-1", "cache", &fine),
    )
    .await;
    let not_ready = json!({"phase": "Running", "conditions": [
        {"type": "Ready", "status": "False", "lastTransitionTime": ten_min_ago}]});
    patch_status(&admin, Kind::Pod, &ns, "cache-worker-0", not_ready).await;
    let ready = json!({"phase": "Running", "conditions": [
        {"type": "Ready", "status": "True", "lastTransitionTime": ten_min_ago}]});
    patch_status(&admin, Kind::Pod, &ns, "cache-worker-1", ready).await;
    let load = Kind::Operation(OpKind::DataLoad);
    create(&admin, load, &ns, dataload(&ns, "warm")).await;
    patch_status(&admin, load, &ns, "warm", failed()).await;
    let remount = "Failed to sync the ddc due to mount point /minio is not yet mounted";
    create(
        &admin,
        Kind::Event,
        &ns,
        event(
            &ns,
            "cache.remount",
            "CacheRuntime",
            "cache",
            "ErrorProcessRuntime",
            remount,
        ),
    )
    .await;
    create(
        &admin,
        Kind::Event,
        &ns,
        event(
            &ns,
            "w0.lost",
            "Pod",
            "cache-worker-0",
            "NodeNotReady",
            "Node is not ready",
        ),
    )
    .await;

    let mut c = Console::start(admin.clone(), None);
    c.wait_until("nodes, pods, the DataLoad and the events listed", |a| {
        *a.store.connection() == ConnectionState::Connected
            && has(a, Kind::Node, "", &lost)
            && has(a, Kind::Pod, &ns, "cache-worker-0")
            && has(a, load, &ns, "warm")
            && has(a, Kind::Event, &ns, "cache.remount")
            && has(a, Kind::Event, &ns, "w0.lost")
    })
    .await;
    assert_eq!(
        c.app.problem_watch.notice, None,
        "what was there at start is not news"
    );

    // Nodes: the lost one first, with the runtime whose worker runs there.
    let text = c.render(ViewKind::Nodes, None);
    let lost_line = problem_line(&text, &lost);
    assert!(lost_line.contains("Unknown"), "{lost_line}");
    let rows = c.app.table(ViewKind::Nodes).rows;
    let row = rows
        .iter()
        .find(|r| r.name() == lost)
        .expect("the lost node's row");
    let cells: Vec<String> = row.cells().iter().map(|c| c.text.to_string()).collect();
    assert_eq!(cells[2], format!("{ns}/cache worker"), "{cells:?}");
    assert!(cells[4].starts_with("NodeStatusUnknown"), "{cells:?}");
    // Other tests may have left nodes on this shared API server: compare rows, not the screen.
    let at = |name: &str| rows.iter().position(|r| r.name() == name).unwrap();
    assert!(at(&lost) < at(&fine), "lost nodes first:\n{text}");

    // Problems, in this namespace: critical ones before the pod merely not ready.
    let text = c.render(ViewKind::Problems, Some(&ns));
    assert!(problem_line(&text, &lost).contains("Lost"), "{text}");
    assert!(problem_line(&text, "warm").contains("Failed"), "{text}");
    let rt = problem_line(&text, "CacheRuntime");
    assert!(rt.contains("ErrorProcessRuntime"), "{rt}");
    let pod = problem_line(&text, "cache-worker-0");
    assert!(pod.contains(&format!("node {lost} lost")), "{pod}");
    assert!(!text.contains("cache-worker-1"), "{text}");
    assert!(
        text.find("warm").unwrap() < text.find("cache-worker-0").unwrap(),
        "{text}"
    );
    let header = text.lines().next().unwrap();
    let count = c
        .app
        .problem_watch
        .count(&c.app.store, c.app.now, Some(&ns));
    // Ours, and any lost node another test left on this shared API server.
    assert!(count >= 4, "{text}");
    assert!(header.contains(&format!("problems:{count}")), "{header}");

    // Events: newest first, filterable.
    let text = c.render(ViewKind::Events, Some(&ns));
    line_with(&text, "ErrorProcessRuntime");
    line_with(&text, "NodeNotReady");
    c.app.list_mut(ViewKind::Events).filter = "minio".into();
    let filtered = c.render(ViewKind::Events, Some(&ns));
    assert!(!filtered.contains("NodeNotReady"), "{filtered}");
    line_with(&filtered, "ErrorProcessRuntime");
    c.app.list_mut(ViewKind::Events).filter.clear();

    // Live: the node comes back and leaves the list; a DataLoad failing now is news.
    patch_status(
        &admin,
        Kind::Node,
        "",
        &lost,
        ready_status("True", "KubeletReady", &Timestamp::now().to_string()),
    )
    .await;
    create(&admin, load, &ns, dataload(&ns, "again")).await;
    c.app.act(Action::ViewOpen(ViewKind::Runtimes));
    patch_status(&admin, load, &ns, "again", failed()).await;
    let lost_key = ObjectKey::new(Kind::Node, "", &lost);
    c.wait_until("the node back and the new failure seen", |a| {
        a.store.get(&lost_key).is_some_and(
            |o| matches!(o, fluidops::model::Object::Node(n) if fluidops::model::node::is_ready(n)),
        ) && a.problem_watch.notice.is_some()
    })
    .await;
    let notice = c.app.problem_watch.notice.clone().unwrap();
    assert_eq!(notice.key, ObjectKey::new(load, &ns, "again"));
    let text = c.render(ViewKind::Problems, Some(&ns));
    let now = c.app.problem_watch.current(&c.app.store, c.app.now);
    assert!(now.iter().all(|p| p.key != lost_key), "{text}");
    line_with(&text, "again");
    assert_eq!(
        c.app.problem_watch.notice, None,
        "opening the problems clears it"
    );

    for n in [&lost, &fine] {
        delete(&admin, Kind::Node, "", n).await;
    }
}
