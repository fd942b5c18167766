//! The terminal: raw mode, alternate screen, bracketed paste, mouse, restored on every way out
//! (quit, signal, panic). Frames are wrapped in synchronized-update escapes, and a frame that
//! changes no cell writes nothing at all. Input is read on a thread of its own
//! ([`InputReader`]), so that everything the terminal sent is at hand at once.

use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use crossterm::{
    cursor,
    event::{self, DisableBracketedPaste, EnableBracketedPaste},
    terminal::{
        self, BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen,
        LeaveAlternateScreen,
    },
};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use tokio::sync::mpsc;

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
        classic_colours(&self.pending, &mut out);
        self.pending.clear();
        crossterm::queue!(out, EndSynchronizedUpdate)?;
        self.inner.write_all(&out)?;
        self.written += out.len() as u64;
        self.inner.flush()
    }
}

/// Copies `bytes` to `out`, writing the 16 ANSI colours with their classic codes (`31`, `91`,
/// `44`, …) where crossterm writes them as palette indices (`38;5;1`), which an 8- or
/// 16-colour terminal (`TERM=xterm`, the Linux console) may not understand. Other colours and
/// every other byte pass unchanged.
pub fn classic_colours(bytes: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0x1b && bytes.get(i + 1) == Some(&b'[') {
            let start = i + 2;
            let len = bytes[start..]
                .iter()
                .position(|b| !(b.is_ascii_digit() || *b == b';'))
                .unwrap_or(bytes.len() - start);
            if bytes.get(start + len) == Some(&b'm') {
                out.extend_from_slice(b"\x1b[");
                sgr_params(&bytes[start..start + len], out);
                out.push(b'm');
                i = start + len + 1;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
}

/// The parameters of one SGR sequence, `38;5;N`/`48;5;N` with N below 16 rewritten.
fn sgr_params(params: &[u8], out: &mut Vec<u8>) {
    let tokens: Vec<&[u8]> = params.split(|b| *b == b';').collect();
    let number = |t: &[u8]| std::str::from_utf8(t).ok()?.parse::<u16>().ok();
    let mut written: Vec<Vec<u8>> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let colour_kind = number(tokens[i]).filter(|n| matches!(n, 38 | 48 | 58));
        match (colour_kind, tokens.get(i + 1).and_then(|t| number(t))) {
            (Some(kind), Some(5)) => {
                let index = tokens.get(i + 2).and_then(|t| number(t));
                match index {
                    Some(n) if n < 16 && kind != 58 => {
                        let base = if kind == 38 { 30 } else { 40 };
                        let code = if n < 8 { base + n } else { base + 60 + n - 8 };
                        written.push(code.to_string().into_bytes());
                    }
                    _ => written.extend(
                        tokens[i..(i + 3).min(tokens.len())]
                            .iter()
                            .map(|t| t.to_vec()),
                    ),
                }
                i += 3;
            }
            (Some(_), Some(2)) => {
                let end = (i + 5).min(tokens.len());
                written.extend(tokens[i..end].iter().map(|t| t.to_vec()));
                i = end;
            }
            _ => {
                written.push(tokens[i].to_vec());
                i += 1;
            }
        }
    }
    out.extend_from_slice(&written.join(&b';'));
}

/// A backend that leaves out what a frame changing no cell would still send: ratatui hides or
/// shows and places the cursor and resets the colours on every frame, so an unchanged frame (a
/// clock tick whose ages did not move) would write bytes. Here it writes none.
pub struct QuietBackend<B> {
    inner: B,
    cursor_hidden: bool,
    /// Where the cursor was put, while no cell was drawn since (drawing moves it).
    cursor_at: Option<ratatui::layout::Position>,
}

impl<B> QuietBackend<B> {
    /// `cursor_hidden`: whether the terminal's cursor is hidden already.
    pub fn new(inner: B, cursor_hidden: bool) -> Self {
        QuietBackend {
            inner,
            cursor_hidden,
            cursor_at: None,
        }
    }
}

impl<B: Backend> Backend for QuietBackend<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a ratatui::buffer::Cell)>,
    {
        let mut content = content.peekable();
        if content.peek().is_none() {
            return Ok(());
        }
        self.cursor_at = None;
        self.inner.draw(content)
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        if !self.cursor_hidden {
            self.inner.hide_cursor()?;
            self.cursor_hidden = true;
        }
        Ok(())
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        if self.cursor_hidden {
            self.inner.show_cursor()?;
            self.cursor_hidden = false;
        }
        Ok(())
    }
    fn get_cursor_position(&mut self) -> Result<ratatui::layout::Position, Self::Error> {
        self.inner.get_cursor_position()
    }
    fn set_cursor_position<P: Into<ratatui::layout::Position>>(
        &mut self,
        position: P,
    ) -> Result<(), Self::Error> {
        let position = position.into();
        if self.cursor_at != Some(position) {
            self.inner.set_cursor_position(position)?;
            self.cursor_at = Some(position);
        }
        Ok(())
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        self.cursor_at = None;
        self.inner.clear()
    }
    fn clear_region(&mut self, clear_type: ratatui::backend::ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(clear_type)
    }
    fn size(&self) -> Result<ratatui::layout::Size, Self::Error> {
        self.inner.size()
    }
    fn window_size(&mut self) -> Result<ratatui::backend::WindowSize, Self::Error> {
        self.inner.window_size()
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()
    }
}

pub type Tui = Terminal<QuietBackend<CrosstermBackend<FrameWriter<io::Stdout>>>>;

/// Raw mode, the alternate screen with the cursor hidden, bracketed paste (a paste arrives as
/// one text, not as keys) and, if asked, the mouse.
fn take_terminal(mouse: bool) -> io::Result<()> {
    terminal::enable_raw_mode()?;
    let mut out = io::stdout();
    crossterm::execute!(
        out,
        EnterAlternateScreen,
        cursor::Hide,
        EnableBracketedPaste
    )?;
    if mouse {
        crossterm::execute!(out, event::EnableMouseCapture)?;
    }
    Ok(())
}

/// Enters raw mode and the alternate screen.
pub fn enter(mouse: bool) -> io::Result<Tui> {
    // crossterm obeys NO_COLOR itself by dropping colours in a way that also wipes bold and
    // reverse; the console implements NO_COLOR as its mono theme instead.
    crossterm::style::force_color_output(true);
    take_terminal(mouse)?;
    let backend = CrosstermBackend::new(FrameWriter::new(io::stdout()));
    let mut t = Terminal::new(QuietBackend::new(backend, true))?;
    redraw_all(&mut t)?;
    Ok(t)
}

/// Clears the screen so the next frame draws every cell. (Unlike `Terminal::clear`, this does
/// not ask the terminal for its cursor position, which a slow link may not answer in time.)
pub fn redraw_all(t: &mut Tui) -> io::Result<()> {
    let size = t.size()?;
    t.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
}

/// Leaves the alternate screen, bracketed paste and raw mode; safe to call more than once.
pub fn restore() {
    let mut out = io::stdout();
    let _ = crossterm::execute!(
        out,
        event::DisableMouseCapture,
        DisableBracketedPaste,
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
/// bracketed paste, mouse), and draws every cell again.
pub fn reenter(t: &mut Tui, mouse: bool) -> io::Result<()> {
    take_terminal(mouse)?;
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
    reenter(t, mouse)
}

/// How long the input thread waits for input before it looks whether it is asked to pause or
/// stop.
const INPUT_POLL: Duration = Duration::from_millis(50);

/// What the run loop asks of the input thread, and what it answers.
#[derive(Debug, Default)]
struct ReaderState {
    /// Asked: stop reading until resumed (another program has the terminal).
    pause: bool,
    /// Answered: not reading (paused or ended).
    idle: bool,
    /// Asked: end.
    stop: bool,
}

#[derive(Debug, Default)]
struct ReaderControl {
    state: Mutex<ReaderState>,
    changed: Condvar,
}

impl ReaderControl {
    fn lock(&self) -> MutexGuard<'_, ReaderState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Terminal events read on a thread of their own as fast as the terminal sends them, waiting in
/// a channel: the run loop takes every event already there before it draws (a paste typed as
/// keys, or any burst, is one frame, and nothing waits for the next key to be delivered).
pub struct InputReader {
    events: mpsc::UnboundedReceiver<io::Result<event::Event>>,
    control: Arc<ReaderControl>,
}

impl InputReader {
    /// Starts reading the terminal.
    pub fn start() -> InputReader {
        let (tx, events) = mpsc::unbounded_channel();
        let control = Arc::new(ReaderControl::default());
        let shared = control.clone();
        std::thread::Builder::new()
            .name("terminal-input".into())
            .spawn(move || read_input(&shared, &tx))
            .expect("spawn the terminal input thread");
        InputReader { events, control }
    }

    /// The next event; `None` once the reader has ended.
    pub async fn next(&mut self) -> Option<io::Result<event::Event>> {
        self.events.recv().await
    }

    /// An event already read, if any (never waits).
    pub fn try_next(&mut self) -> Option<io::Result<event::Event>> {
        self.events.try_recv().ok()
    }

    /// Stops reading the terminal until [`InputReader::resume`]; returns once the thread
    /// reads no more, so another program can have the terminal's input.
    pub fn pause(&self) {
        let mut s = self.control.lock();
        s.pause = true;
        while !s.idle {
            s = self
                .control
                .changed
                .wait(s)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Reads the terminal again after [`InputReader::pause`].
    pub fn resume(&self) {
        self.control.lock().pause = false;
        self.control.changed.notify_all();
    }
}

impl Drop for InputReader {
    fn drop(&mut self) {
        self.control.lock().stop = true;
        self.control.changed.notify_all();
    }
}

/// The input thread: reads events and sends them on until it is stopped, the receiver is gone
/// or reading fails (the error is sent on).
fn read_input(control: &ReaderControl, tx: &mpsc::UnboundedSender<io::Result<event::Event>>) {
    loop {
        {
            let mut s = control.lock();
            while s.pause && !s.stop {
                s.idle = true;
                control.changed.notify_all();
                s = control.changed.wait(s).unwrap_or_else(|e| e.into_inner());
            }
            s.idle = false;
            if s.stop {
                break;
            }
        }
        let read = match event::poll(INPUT_POLL) {
            Ok(false) => continue,
            Ok(true) => event::read(),
            Err(e) => Err(e),
        };
        let failed = read.is_err();
        if tx.send(read).is_err() || failed {
            break;
        }
    }
    control.lock().idle = true;
    control.changed.notify_all();
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::widgets::Paragraph;

    #[test]
    fn ansi_colours_use_their_classic_codes() {
        let rewrite = |s: &str| {
            let mut out = Vec::new();
            classic_colours(s.as_bytes(), &mut out);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(rewrite("\x1b[38;5;1;48;5;0mx"), "\x1b[31;40mx");
        assert_eq!(rewrite("\x1b[38;5;9m\x1b[48;5;15m"), "\x1b[91m\x1b[107m");
        assert_eq!(rewrite("\x1b[39;48;5;6m"), "\x1b[39;46m");
        // Palette indices above 15, RGB and underline colours are left alone.
        assert_eq!(rewrite("\x1b[38;5;75;48;5;16m"), "\x1b[38;5;75;48;5;16m");
        assert_eq!(rewrite("\x1b[38;2;48;5;3m"), "\x1b[38;2;48;5;3m");
        assert_eq!(rewrite("\x1b[58;5;1m"), "\x1b[58;5;1m");
        // Other sequences and text pass unchanged.
        assert_eq!(rewrite("a\x1b[2;3Hb\x1b[1m"), "a\x1b[2;3Hb\x1b[1m");
        assert_eq!(rewrite("\x1b[38;5;"), "\x1b[38;5;");
    }

    #[test]
    fn a_term16_frame_writes_no_palette_codes() {
        let mut bytes = Vec::new();
        {
            let backend = CrosstermBackend::new(FrameWriter::new(&mut bytes));
            let mut t = Terminal::with_options(
                backend,
                ratatui::TerminalOptions {
                    viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 10, 1)),
                },
            )
            .unwrap();
            let theme = crate::config::Theme::builtin("term16").unwrap();
            t.draw(|f| {
                let (style, _) = theme.phase("Failed");
                f.render_widget(Paragraph::new("Failed").style(style), f.area());
            })
            .unwrap();
        }
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("\x1b[31"), "{text:?}");
        assert!(!text.contains("38;5;"), "{text:?}");
    }

    #[test]
    fn a_frame_that_changes_no_cell_writes_nothing() {
        /// What reached the terminal.
        #[derive(Clone, Default)]
        struct Screen(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
        impl Write for Screen {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                self.0.borrow_mut().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let screen = Screen::default();
        let backend = CrosstermBackend::new(FrameWriter::new(screen.clone()));
        let mut t = Terminal::with_options(
            QuietBackend::new(backend, true),
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 20, 2)),
            },
        )
        .unwrap();
        let written = |_: &Terminal<_>| screen.0.borrow().len();
        // With the cursor shown at the end of the text, as on a filter or command line.
        let frame = |t: &mut Terminal<_>, text: &str| {
            t.draw(|f| {
                f.render_widget(Paragraph::new(text.to_string()), f.area());
                f.set_cursor_position((text.len() as u16, 0));
            })
            .unwrap();
        };
        frame(&mut t, "age 5m");
        let first = written(&t);
        assert!(first > 0);
        frame(&mut t, "age 5m");
        assert_eq!(written(&t), first, "an unchanged frame wrote bytes");
        frame(&mut t, "age 6m");
        assert!(written(&t) > first, "a changed cell is written");
    }
}
