//! `fluidops`: the terminal console (see `fluidops --help`).

fn main() -> color_eyre::Result<()> {
    fluidops::cli_main()
}
