//! `fluidops`: the terminal console (see `fluidops --help`).

/// Many small allocations (kept pods, rows, watch events) freed across threads: an allocator
/// that keeps them dense and returns freed memory.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> color_eyre::Result<()> {
    fluidops::allocator::tune();
    fluidops::cli_main()
}
