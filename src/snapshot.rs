//! `fluidops snapshot`: one frame rendered as plain text, after the demo cluster has settled.
//! Uses the same drawing code as the live console.

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::app::actions::{Action, ViewKind};
use crate::app::{App, Msg};
use crate::cluster::source::SourceMsg;
use crate::config::Keymap;
use crate::demo::DemoCluster;
use crate::demo::source::initial_batches;
use crate::ui::{self, Ctx};

/// Feeds the demo cluster's initial state and `settle_secs` of simulated time into the app.
pub fn settle(app: &mut App, keymap: &Keymap, cluster: &mut DemoCluster, settle_secs: u64) {
    for msg in initial_batches(cluster) {
        if let SourceMsg::Batch { at, events } = msg {
            app.update(Msg::Cluster { at, events }, keymap);
        }
    }
    for _ in 0..settle_secs {
        let events = cluster.advance(Duration::from_secs(1));
        app.update(
            Msg::Cluster {
                at: cluster.now(),
                events,
            },
            keymap,
        );
    }
}

/// Opens a view by name the way `:name` would.
pub fn open_view(app: &mut App, keymap: &Keymap, view: &str) -> Result<(), String> {
    let v = ViewKind::from_name(view).ok_or_else(|| {
        let names: Vec<&str> = ViewKind::ALL.iter().map(|v| v.name()).collect();
        format!("unknown view \"{view}\" (one of: {})", names.join(", "))
    })?;
    if v == ViewKind::Timeline {
        app.act(Action::ViewOpen(ViewKind::Runtimes));
    }
    app.act(Action::ViewOpen(v));
    let _ = keymap;
    Ok(())
}

/// Renders one frame to text, one line per row, trailing spaces removed.
pub fn render_text(app: &mut App, ctx: &Ctx, width: u16, height: u16) -> String {
    let mut terminal = match Terminal::new(TestBackend::new(width, height)) {
        Ok(t) => t,
        Err(e) => return format!("cannot render: {e}\n"),
    };
    let mut layout = app.layout;
    if let Err(e) = terminal.draw(|f| layout = ui::draw(f, app, ctx)) {
        return format!("cannot render: {e}\n");
    }
    app.layout = layout;
    let buf = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
