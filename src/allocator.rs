//! How the binaries' allocator (mimalloc) gives memory back: at once. A console that lists
//! 50,000 pods frees large transient buffers (pages of a list, generated objects) right after
//! keeping the compact form; by default mimalloc holds on to freed pages for a while, which
//! adds tens of megabytes to the resident size at the peak. (Its arena is committed as it is
//! used: a build define in `.cargo/config.toml`, as the arena exists before `main` runs.)

/// mimalloc's `mi_option_purge_delay` (milliseconds; 0: purge at once).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Sets the option above. Call it first in `main`, before any other thread starts.
pub fn tune() {
    // SAFETY: mi_option_set only stores the value; it is not thread safe, and `main` calls
    // this before it starts any thread.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
    }
}
