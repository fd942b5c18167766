//! The terminal: raw mode, alternate screen, mouse, restored on every way out (quit, signal,
//! panic). Frames are wrapped in synchronized-update escapes, and a frame that changes no cell
//! writes nothing at all.

use std::io::{self, Write};

use crossterm::{
    cursor, event,
    terminal::{
        self, BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen,
        LeaveAlternateScreen,
    },
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// Writes a frame's bytes between Begin/End synchronized update; an empty frame writes nothing.
pub struct FrameWriter<W: Write> {
    inner: W,
    pending: Vec<u8>,
    /// Bytes written to the terminal so far (for idle measurements).
    pub written: u64,
}

impl<W: Write> FrameWriter<W> {
    pub fn new(inner: W) -> Self {
        FrameWriter {
            inner,
            pending: Vec::with_capacity(64 * 1024),
            written: 0,
        }
    }
}

impl<W: Write> Write for FrameWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut out = Vec::with_capacity(self.pending.len() + 16);
        crossterm::queue!(out, BeginSynchronizedUpdate)?;
        out.append(&mut self.pending);
        crossterm::queue!(out, EndSynchronizedUpdate)?;
        self.inner.write_all(&out)?;
        self.written += out.len() as u64;
        self.inner.flush()
    }
}

pub type Tui = Terminal<CrosstermBackend<FrameWriter<io::Stdout>>>;

/// Enters raw mode and the alternate screen.
pub fn enter(mouse: bool) -> io::Result<Tui> {
    // crossterm obeys NO_COLOR itself by dropping colours in a way that also wipes bold and
    // reverse; the console implements NO_COLOR as its mono theme instead.
    crossterm::style::force_color_output(true);
    terminal::enable_raw_mode()?;
    let mut out = io::stdout();
    crossterm::execute!(out, EnterAlternateScreen, cursor::Hide)?;
    if mouse {
        crossterm::execute!(out, event::EnableMouseCapture)?;
    }
    let mut t = Terminal::new(CrosstermBackend::new(FrameWriter::new(io::stdout())))?;
    redraw_all(&mut t)?;
    Ok(t)
}

/// Clears the screen so the next frame draws every cell. (Unlike `Terminal::clear`, this does
/// not ask the terminal for its cursor position, which a slow link may not answer in time.)
pub fn redraw_all(t: &mut Tui) -> io::Result<()> {
    let size = t.size()?;
    t.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
}

/// Leaves the alternate screen and raw mode; safe to call more than once.
pub fn restore() {
    let mut out = io::stdout();
    let _ = crossterm::execute!(
        out,
        event::DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = terminal::disable_raw_mode();
}

/// Panic and error reports restore the terminal before they print.
pub fn install_hooks() -> color_eyre::Result<()> {
    let (panic_hook, eyre_hook) = color_eyre::config::HookBuilder::default().into_hooks();
    eyre_hook.install()?;
    let panic_hook = panic_hook.into_panic_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        panic_hook(info);
    }));
    Ok(())
}

/// Takes the terminal back after handing it to another program (raw mode, alternate screen,
/// mouse), and draws every cell again.
pub fn reenter(t: &mut Tui, mouse: bool) -> io::Result<()> {
    terminal::enable_raw_mode()?;
    crossterm::execute!(io::stdout(), EnterAlternateScreen, cursor::Hide)?;
    if mouse {
        crossterm::execute!(io::stdout(), event::EnableMouseCapture)?;
    }
    redraw_all(t)
}

/// Suspends the process (Ctrl-Z): restore the terminal, stop, and take it back on resume.
#[cfg(unix)]
pub fn suspend(t: &mut Tui, mouse: bool) -> io::Result<()> {
    restore();
    // SAFETY: raising a signal on our own process has no memory-safety preconditions.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    terminal::enable_raw_mode()?;
    crossterm::execute!(io::stdout(), EnterAlternateScreen, cursor::Hide)?;
    if mouse {
        crossterm::execute!(io::stdout(), event::EnableMouseCapture)?;
    }
    redraw_all(t)
}
