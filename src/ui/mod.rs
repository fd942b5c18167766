//! Views: pure functions of the app state onto a ratatui frame. Nothing here changes state;
//! [`draw`] returns the geometry the update function needs for mouse hits and paging.

pub mod ascii;
pub mod chrome;
pub mod detail;
pub mod editor;
pub mod form;
pub mod highlight;
pub mod list;
pub mod maintenance_form;
pub mod overlay;
pub mod pages;
pub mod run_bar;
pub mod timeline;
pub mod widgets;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout as Split, Rect};

use crate::app::state::Layout;
use crate::app::{App, Screen};
use crate::config::{Keymap, Theme};

/// What the view needs besides the app state.
pub struct Ctx<'a> {
    pub theme: &'a Theme,
    pub keymap: &'a Keymap,
    /// Running on the embedded demo cluster.
    pub demo: bool,
    /// A caption for live demos (scenario step), shown above the footer.
    pub caption: Option<&'a str>,
}

/// Smallest size at which the full layout is drawn; below it only a notice.
const MIN_WIDTH: u16 = 20;
const MIN_HEIGHT: u16 = 6;

pub fn draw(frame: &mut Frame, app: &App, ctx: &Ctx) -> Layout {
    let layout = draw_all(frame, app, ctx);
    if ctx.theme.ascii() {
        ascii::to_ascii(frame.buffer_mut());
    }
    layout
}

fn draw_all(frame: &mut Frame, app: &App, ctx: &Ctx) -> Layout {
    let area = frame.area();
    frame.render_widget(
        ratatui::widgets::Block::default().style(ctx.theme.style("base")),
        area,
    );
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        chrome::too_small(frame, area, ctx);
        return Layout::default();
    }
    let caption_rows = ctx
        .caption
        .map_or(0, |t| chrome::caption_lines(t, area.width).len() as u16);
    let [header, body, caption, footer] = Split::vertical([
        Constraint::Length(chrome::header_height(area)),
        Constraint::Min(1),
        Constraint::Length(caption_rows),
        Constraint::Length(1),
    ])
    .areas(area);
    chrome::header(frame, header, app, ctx);
    // The filter and palette lines push the view down rather than hide its first rows.
    let input_rows = overlay::input_rows(app, body);
    let [input, view] =
        Split::vertical([Constraint::Length(input_rows), Constraint::Min(0)]).areas(body);
    let mut layout = body_view(frame, view, app, ctx);
    if let Some(text) = ctx.caption {
        chrome::caption(frame, caption, text, ctx);
    }
    chrome::footer(frame, footer, app, ctx);
    (layout.overlay_rows, layout.overlay_total) = overlay::draw(frame, input, view, app, ctx);
    layout
}

fn body_view(frame: &mut Frame, area: Rect, app: &App, ctx: &Ctx) -> Layout {
    if let Some(ed) = &app.editor {
        editor::draw(frame, area, ed, ctx);
        return Layout::default();
    }
    match &app.screen {
        Screen::List(crate::app::actions::ViewKind::Timeline) => Layout::default(),
        Screen::List(view) => list::draw(frame, area, app, *view, ctx),
        Screen::Detail(key) if key.kind == crate::model::Kind::CacheRuntimeMaintenance => {
            let bar = run_bar::height(app, key).min(area.height / 2);
            let [page, below] =
                Split::vertical([Constraint::Min(0), Constraint::Length(bar)]).areas(area);
            run_bar::draw(frame, below, app, key, ctx);
            detail::draw(frame, page, app, key, ctx)
        }
        Screen::Detail(key) => detail::draw(frame, area, app, key, ctx),
        Screen::Timeline(subject) => timeline::draw(frame, area, app, subject, ctx),
        Screen::Yaml(key) => pages::yaml(frame, area, app, key, ctx),
        Screen::Logs(key) => pages::logs(frame, area, app, key, ctx),
    }
}
