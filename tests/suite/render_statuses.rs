//! Every status the console can show has a symbol and a style of its own in every built-in
//! theme, in UTF-8 and in ASCII: pod statuses and container reasons, runtime and component
//! phases, dataset, operation and maintenance phases, step states and the console's own flags.
//! A pod that runs but is not Ready does not look healthy, and a pod on a lost node says so.

use crate::common;

use common::{app, now, press, render, row_text, type_text};
use fluidops::app::App;
use fluidops::cluster::ClusterEvent;
use fluidops::config::Theme;
use fluidops::config::theme::{BUILTIN_THEMES, PHASES, UNKNOWN_PHASE};
use fluidops::model::health::{KNOWN_STATUSES, OverallPhase};
use fluidops::model::maintenance::StepState;
use fluidops::model::{DatasetPhase, MaintenancePhase, Object, OpPhase, RuntimePhase, pod};
use ratatui::style::Style;

/// Every status, with the name the console draws it with (the phase a cell carries).
fn every_status() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut add = |status: &str, drawn: &str| out.push((status.to_string(), drawn.to_string()));
    let shown = |p: &str| if p.is_empty() { "None" } else { p }.to_string();
    for p in PHASES {
        add(p, p);
    }
    for p in RuntimePhase::KNOWN {
        add(p, &shown(p));
    }
    for p in [
        OverallPhase::SettingUp,
        OverallPhase::NotReady,
        OverallPhase::PartialReady,
        OverallPhase::Ready,
    ] {
        add(p.as_str(), p.as_str());
    }
    for p in DatasetPhase::KNOWN {
        add(p, &shown(p));
    }
    for p in OpPhase::KNOWN {
        add(p, OpPhase::parse(p).label());
    }
    for flag in ["Blocked", "Unsupported"] {
        add(flag, flag);
    }
    for p in MaintenancePhase::KNOWN {
        add(p, p);
    }
    for s in StepState::KNOWN {
        add(s, StepState::parse(s).theme_phase());
    }
    for s in KNOWN_STATUSES {
        // In lists and pages a pod's status carries its look; timelines record the status
        // itself, which the theme draws as the phase it means.
        add(s, pod::status_look(s, true));
        add(s, s);
    }
    out
}

/// A status meaning "not known" may look like the unknown phase; nothing else may.
fn means_unknown(status: &str) -> bool {
    matches!(status, "Unknown" | "ContainerStatusUnknown")
}

#[test]
fn every_status_has_a_symbol_and_a_style_in_every_theme() {
    let statuses = every_status();
    assert!(statuses.len() > 100, "{}", statuses.len());
    let mut bad = Vec::new();
    for (name, _, _) in BUILTIN_THEMES {
        for ascii in [false, true] {
            let mut theme = Theme::builtin(name).expect("built-in theme");
            theme.set_ascii(ascii);
            let unknown = theme.phase(UNKNOWN_PHASE);
            let unknown = (unknown.0, unknown.1.to_string());
            for (status, drawn) in &statuses {
                let (style, symbol): (Style, &str) = theme.phase(drawn);
                let mode = if ascii { "ascii" } else { "utf-8" };
                if !theme.knows(drawn) {
                    bad.push(format!(
                        "{name} ({mode}): {status} drawn as {drawn}: no look"
                    ));
                }
                if symbol.chars().count() != 1 || (ascii && !symbol.is_ascii()) {
                    bad.push(format!("{name} ({mode}): {status}: symbol {symbol:?}"));
                }
                if !means_unknown(status) && (style, symbol.to_string()) == unknown {
                    bad.push(format!(
                        "{name} ({mode}): {status} drawn as {drawn} looks like an unknown phase"
                    ));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

fn open(app: &mut App, line: &str) {
    press(app, ":");
    type_text(app, line);
    press(app, "<Enter>");
}

/// The row of the pods view showing `name`, and where its status cell starts.
fn pod_row(
    terminal: &ratatui::Terminal<ratatui::backend::TestBackend>,
    name: &str,
) -> (String, u16, u16) {
    let h = terminal.backend().buffer().area.height;
    (0..h)
        .find_map(|y| {
            let row = row_text(terminal, y);
            row.contains(name).then(|| {
                let header = (0..h)
                    .map(|y| row_text(terminal, y))
                    .find(|r| r.contains("STATUS"))
                    .expect("a STATUS column");
                let x = header[..header.find("STATUS").unwrap()].chars().count() as u16;
                (row, x, y)
            })
        })
        .unwrap_or_else(|| panic!("no row for {name}"))
}

/// `● Running 0/1` on a client that is not Ready read as healthy: a running pod whose
/// containers are not all ready is drawn as partly ready, and the worker whose node was lost
/// says `NodeLost` rather than `Terminating`.
#[test]
fn a_running_pod_that_is_not_ready_does_not_look_healthy() {
    let theme = common::theme("default");
    let mut app = app();
    open(&mut app, "pods llm-serving");
    render(&mut app, 160, 48, "default");
    let terminal = render(&mut app, 160, 48, "default");
    let buf = terminal.backend().buffer();

    let (row, x, y) = pod_row(&terminal, "qwen-weights-client-2hv8s");
    assert!(row.contains("Running") && row.contains("0/1"), "{row}");
    let (look, symbol) = theme.phase("PartialReady");
    assert_eq!(buf[(x, y)].symbol(), symbol, "{row}");
    assert_eq!(buf[(x, y)].fg, look.fg.unwrap(), "{row}");
    assert_ne!(theme.phase("Running"), theme.phase("PartialReady"));

    let (row, x, y) = pod_row(&terminal, "qwen-weights-worker-0");
    assert!(row.contains("Running") && row.contains("1/1"), "{row}");
    assert_eq!(buf[(x, y)].symbol(), theme.phase("Running").1, "{row}");

    let (row, x, y) = pod_row(&terminal, "qwen-weights-worker-2");
    assert!(row.contains("NodeLost"), "{row}");
    let (look, symbol) = theme.phase("NotReady");
    assert_eq!(buf[(x, y)].symbol(), symbol, "{row}");
    assert_eq!(buf[(x, y)].fg, look.fg.unwrap(), "{row}");
}

/// A worker whose node stopped reporting: the node controller turned it not Ready and recorded
/// `NodeNotReady`; before any eviction its status already says so, in the list and on its page.
#[test]
fn a_pod_on_a_node_that_stopped_reporting_says_so() {
    let mut app = app();
    let key = common::pod_key("llm-serving", "qwen-weights-worker-1");
    let Some(Object::Pod(p)) = app.store.get(&key).cloned() else {
        panic!("worker-1 in the examples");
    };
    let mut v = serde_json::to_value(&*p).unwrap();
    let since = "2026-11-25T09:55:00Z";
    v["status"]["conditions"] = serde_json::json!([
        {"type": "Ready", "status": "False", "lastTransitionTime": since}
    ]);
    v["status"]["containerStatuses"][0]["ready"] = false.into();
    let pod_obj = Object::Pod(Box::new(serde_json::from_value(v).unwrap()));
    let event = Object::from_value(serde_json::json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": "qwen-weights-worker-1.1", "namespace": "llm-serving"},
        "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": "qwen-weights-worker-1",
            "namespace": "llm-serving"},
        "type": "Warning", "reason": "NodeNotReady", "message": "Node is not ready",
        "count": 1, "firstTimestamp": since, "lastTimestamp": since
    }))
    .unwrap()
    .unwrap();
    let keymap = common::keymap();
    // Not Ready alone: still Running (in the partly-ready look).
    app.update(
        fluidops::app::Msg::Cluster {
            at: now(),
            events: vec![ClusterEvent::Applied(pod_obj)],
        },
        keymap,
    );
    open(&mut app, "pods llm-serving");
    let terminal = render(&mut app, 160, 48, "default");
    let (row, _, _) = pod_row(&terminal, "qwen-weights-worker-1");
    assert!(row.contains("Running") && row.contains("0/1"), "{row}");
    // With the node controller's event: it says its node is not ready.
    app.update(
        fluidops::app::Msg::Cluster {
            at: now(),
            events: vec![ClusterEvent::Applied(event)],
        },
        keymap,
    );
    let terminal = render(&mut app, 160, 48, "default");
    let (row, x, y) = pod_row(&terminal, "qwen-weights-worker-1");
    assert!(row.contains("NodeNotReady"), "{row}");
    let theme = common::theme("default");
    assert_eq!(
        terminal.backend().buffer()[(x, y)].symbol(),
        theme.phase("NotReady").1
    );
    // Its page says so too.
    app.screen = fluidops::app::Screen::Detail(key);
    let terminal = render(&mut app, 160, 48, "default");
    let text = common::screen_text(&terminal);
    assert!(
        text.lines()
            .any(|l| l.contains("Status:") && l.contains("NodeNotReady")),
        "{text}"
    );
}
