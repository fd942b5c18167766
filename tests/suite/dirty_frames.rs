//! The run loop draws only when the app says the screen is dirty. So every message that changes
//! what is on screen must say so: after any message — a key, a mouse event, a cluster batch, a
//! tick, a write's answer, the editor's settle, `$EDITOR` coming back, a presenter's step —
//! either `dirty` is set or a fresh frame is cell for cell (text and style) the frame already on
//! screen. Checked over random sessions on the demo cluster, writes answered by its writer.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use fluidops::app::{App, Command, Msg};
use fluidops::cluster::source::OperatorAction;
use fluidops::cluster::writer::{Guarded, Writer};
use fluidops::cluster::{ClusterEvent, ConnectionState};
use fluidops::demo::DemoCluster;
use fluidops::demo::writer::DemoWriter;
use proptest::prelude::*;
use ratatui::buffer::Buffer;

use crate::common::{key, keymap, now, render};

const W: u16 = 100;
const H: u16 = 30;

/// Keys an operator might press anywhere (notation of the keymap).
const KEYS: &[&str] = &[
    "j", "k", "<Enter>", "<Esc>", "/", "a", "x", "<BS>", ":", "?", "y", "d", "l", "L", "U", "R",
    "e", "t", "<Tab>", "1", "2", "3", "n", "<Down>", "<Up>", "g", "G", "<C-d>", "<C-u>", "<Space>",
    "h", "o", "p", "r", "<Left>", "<Right>",
];

/// Key sequences that lead to writes and forms (a token in quotes is typed letter by letter).
const MACROS: &[&str] = &[
    // Start a DataLoad from the form and confirm it.
    ": 'runtimes' <Enter> / 'imagenet' <Enter> L <Enter> <Enter> <Enter> <Enter> <Enter> <Enter> y",
    // Edit a class, review it (dry run), confirm.
    ": 'classes' <Enter> e '#' <C-s>",
    // Open the upgrade and rebuild forms of a runtime and go through them.
    ": 'runtimes' <Enter> U <Tab> 'v9' <Enter> <Enter> <Enter> y",
    ": 'runtimes' <Enter> R <Space> <Enter> <Enter> <Enter> y",
];

#[derive(Debug, Clone)]
enum Step {
    Macro(usize),
    Key(usize),
    Scroll {
        down: bool,
        row: u16,
    },
    Click {
        column: u16,
        row: u16,
    },
    /// The demo cluster moves on by this many milliseconds; the app gets its batch.
    Cluster(u64),
    /// The wall clock moves on by this many seconds.
    Tick(u64),
    Resize,
    Operator(usize),
    /// Deliver the oldest answer waiting (a write, the editor's settle, `$EDITOR`).
    Answer,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (0..KEYS.len()).prop_map(Step::Key),
        2 => (0..MACROS.len()).prop_map(Step::Macro),
        1 => (any::<bool>(), 0..H).prop_map(|(down, row)| Step::Scroll { down, row }),
        1 => (0..W, 0..H).prop_map(|(column, row)| Step::Click { column, row }),
        3 => (100u64..8_000).prop_map(Step::Cluster),
        2 => (0u64..40).prop_map(Step::Tick),
        1 => Just(Step::Resize),
        1 => (0..4usize).prop_map(Step::Operator),
        3 => Just(Step::Answer),
    ]
}

fn frame(app: &mut App) -> Buffer {
    render(app, W, H, "default").backend().buffer().clone()
}

fn text(b: &Buffer) -> String {
    (0..b.area.height)
        .map(|y| {
            (0..b.area.width)
                .map(|x| b[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

struct Session {
    app: App,
    cluster: Arc<Mutex<DemoCluster>>,
    writer: Guarded,
    clock: jiff::Timestamp,
    /// Answers the outside world owes the app, oldest first.
    owed: VecDeque<Msg>,
    _dir: tempfile::TempDir,
}

impl Session {
    fn new(seed: u64) -> Session {
        let cluster = Arc::new(Mutex::new(DemoCluster::builtin(seed, now())));
        let mut app = App::new("demo", now());
        let mut events = vec![ClusterEvent::Connection(ConnectionState::Connected)];
        events.extend(cluster.lock().unwrap().initial_events());
        app.update(Msg::Cluster { at: now(), events }, keymap());
        let dir = tempfile::tempdir().unwrap();
        let writer = Guarded::new(
            Box::new(DemoWriter::new(cluster.clone())),
            false,
            Some(dir.path().join("audit.log")),
        );
        Session {
            app,
            cluster,
            writer,
            clock: now(),
            owed: VecDeque::new(),
            _dir: dir,
        }
    }

    fn messages(&mut self, step: &Step) -> Vec<Msg> {
        let Step::Macro(i) = step else {
            return self.message(step).into_iter().collect();
        };
        let mut out = Vec::new();
        for token in MACROS[*i].split_whitespace() {
            match token.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
                Some(text) => out.extend(text.chars().map(|c| {
                    let k = crossterm::event::KeyEvent::new(
                        crossterm::event::KeyCode::Char(c),
                        KeyModifiers::NONE,
                    );
                    Msg::Key(k)
                })),
                None => out.push(Msg::Key(key(token))),
            }
        }
        out
    }

    fn message(&mut self, step: &Step) -> Option<Msg> {
        let mouse = |kind, column, row| {
            Msg::Mouse(MouseEvent {
                kind,
                column,
                row,
                modifiers: KeyModifiers::NONE,
            })
        };
        Some(match *step {
            Step::Key(i) => Msg::Key(key(KEYS[i])),
            Step::Scroll { down, row } => {
                let kind = if down {
                    MouseEventKind::ScrollDown
                } else {
                    MouseEventKind::ScrollUp
                };
                mouse(kind, W / 2, row)
            }
            Step::Click { column, row } => {
                mouse(MouseEventKind::Down(MouseButton::Left), column, row)
            }
            Step::Cluster(ms) => {
                let mut c = self.cluster.lock().unwrap();
                let events = c.advance(Duration::from_millis(ms));
                Msg::Cluster {
                    at: c.now(),
                    events,
                }
            }
            Step::Tick(secs) => {
                let cluster_now = self.cluster.lock().unwrap().now();
                self.clock =
                    self.clock.max(cluster_now) + jiff::SignedDuration::from_secs(secs as i64);
                Msg::Tick(self.clock)
            }
            Step::Resize => Msg::Resize,
            Step::Operator(i) => Msg::Operator(match i {
                0 => OperatorAction::Confirm,
                1 => OperatorAction::Pause,
                2 => OperatorAction::Resume,
                _ => OperatorAction::Abort,
            }),
            Step::Answer => self.owed.pop_front()?,
            Step::Macro(_) => return None,
        })
    }

    /// What the binary's loop would do with the app's commands, as answers owed later.
    fn owe(&mut self, cmds: Vec<Command>) {
        for c in cmds {
            match c {
                Command::Write(write) => {
                    let result = futures::executor::block_on(self.writer.write(&write));
                    self.owed.push_back(Msg::WriteDone { write, result });
                }
                Command::Settle { generation, .. } => {
                    self.owed.push_back(Msg::EditorSettle(generation))
                }
                Command::ExternalEdit(_) => self
                    .owed
                    .push_back(Msg::ExternalEdited(Err("no editor in this test".into()))),
                _ => {}
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn a_message_that_changes_the_screen_marks_it_dirty(
        seed in 0u64..1_000,
        steps in proptest::collection::vec(step(), 1..40),
    ) {
        let mut s = Session::new(seed);
        for (i, step) in steps.iter().enumerate() {
            for msg in s.messages(step) {
                let before = frame(&mut s.app);
                s.app.dirty = false;
                let kind = format!("{msg:?}").chars().take(60).collect::<String>();
                let cmds = s.app.update(msg, keymap());
                s.owe(cmds);
                if s.app.dirty {
                    continue;
                }
                let after = frame(&mut s.app);
                prop_assert!(
                    before == after,
                    "step {i} ({step:?}: {kind}) changed the screen without marking it dirty\n\
                     before:\n{}\nafter:\n{}",
                    text(&before),
                    text(&after)
                );
            }
        }
    }
}
