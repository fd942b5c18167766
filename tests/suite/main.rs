//! The integration tests, linked into one test binary: rendered screens (snapshots), the
//! simulated control plane, workflows, forms and the editor, configuration loading, the binary
//! in a pseudo-terminal, and the end-to-end tests against a real API server
//! (`tests/e2e/cluster.sh`) and against upstream Fluid's controllers (`tests/e2e/fluid.sh`). Run one group with `cargo test --test suite MODULE::`.

mod common;
mod support;

mod calibration;
mod config_loading;
mod demo_consistency;
mod detail_pages;
mod dirty_frames;
mod e2e_fluid;
mod e2e_fluid_record;
mod e2e_fluid_shell;
mod e2e_fluid_wizards;
pub(crate) mod e2e_kube;
mod editor;
mod kubectl_plugin;
mod load_form;
mod logs;
mod maintenance_form;
mod maintenance_run;
mod model_crd_roundtrip;
mod model_roundtrip;
mod page_actions;
mod pty;
mod recorder;
mod render_contrast;
mod render_snapshots;
mod render_statuses;
mod render_sweep;
mod shell;
mod simulator;
mod triage_views;
mod upstream_views;
mod workflows;
