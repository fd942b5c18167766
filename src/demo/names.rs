//! Generated names and identifiers: UIDs, the random suffixes Kubernetes appends to pod and event
//! names, and stable hashes for revision labels.

use rand::Rng;
use rand::rngs::SmallRng;

/// A random RFC 4122 version-4 UID.
pub fn uid(rng: &mut SmallRng) -> String {
    let a: u32 = rng.random();
    let b: u16 = rng.random();
    let c: u16 = rng.random::<u16>() & 0x0fff;
    let d: u16 = (rng.random::<u16>() & 0x3fff) | 0x8000;
    let e: u64 = rng.random::<u64>() & 0xffff_ffff_ffff;
    format!("{a:08x}-{b:04x}-4{c:03x}-{d:04x}-{e:012x}")
}

/// The 5-character suffix of generated pod names (`-7xk2p`), from Kubernetes' alphabet.
pub fn pod_suffix(rng: &mut SmallRng) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..5)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The hexadecimal suffix of event names (`<object>.<16 hex>`).
pub fn event_suffix(rng: &mut SmallRng) -> String {
    format!("{:016x}", rng.random::<u64>())
}

/// FNV-1a: stable across runs and platforms, used for revision hashes.
pub fn stable_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A revision hash like `6c9d7f8b5d`.
pub fn revision_hash(s: &str) -> String {
    format!("{:010x}", stable_hash(s) & 0xff_ffff_ffff)
}

/// A UID derived from a name, for objects the demo does not model (the client DaemonSet, Jobs).
pub fn stable_uid(s: &str) -> String {
    let h = stable_hash(s);
    let g = stable_hash(&format!("{s}#"));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0x0fff,
        ((g >> 48) & 0x3fff) | 0x8000,
        g & 0xffff_ffff_ffff
    )
}
