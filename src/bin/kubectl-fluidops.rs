//! `kubectl-fluidops`: the same console as a kubectl plugin (`kubectl fluidops ...` finds it on
//! PATH). Everything is shared with the `fluidops` binary.

fn main() -> color_eyre::Result<()> {
    fluidops::cli_main()
}
