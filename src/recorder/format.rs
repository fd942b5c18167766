//! The file layout of a recording (documented in README, "Recording format"): a header, then
//! frames, each a compressed block of JSON lines.
//!
//! ```text
//! header  "FLUIDREC" (8 bytes)  version u16 LE  length u32 LE  header JSON
//! frame   type u8 (1 changes, 2 keyframe)  length u32 LE  first ns i64 LE  last ns i64 LE
//!         count u32 LE  zlib(JSON lines)
//! ```

use std::io::{self, Read, Write};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub const MAGIC: &[u8; 8] = b"FLUIDREC";
/// The version this build writes and the newest it reads.
pub const VERSION: u16 = 1;
/// Bytes before a frame's compressed payload.
pub const FRAME_HEADER: usize = 1 + 4 + 8 + 8 + 4;
/// Compression level of the blocks (zlib, 0–10): 6 is the usual trade of size for time.
pub const LEVEL: u8 = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameType {
    /// Batches of changes, each `{"t": ns, "e": [entries]}`.
    Changes = 1,
    /// The whole state at one moment: a first line `{"t": ns, ...}` then one object a line.
    Keyframe = 2,
}

/// What a recording says about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Header {
    /// What was recorded: `demo`, or the kubeconfig context.
    pub source: String,
    /// The namespace watched; `None`: all.
    pub namespace: Option<String>,
    /// When recording started (RFC 3339).
    pub started: String,
    /// The program that wrote it.
    pub writer: String,
}

/// Why a recording cannot be read.
#[derive(Debug, PartialEq)]
pub enum OpenError {
    NotARecording,
    NewerVersion(u16),
    Io(String),
}

pub fn write_header<W: Write>(w: &mut W, header: &Header) -> io::Result<()> {
    let json = serde_json::to_vec(header)?;
    w.write_all(MAGIC)?;
    w.write_all(&VERSION.to_le_bytes())?;
    w.write_all(&(json.len() as u32).to_le_bytes())?;
    w.write_all(&json)
}

/// The header and the offset where the frames start.
pub fn read_header(bytes: &[u8]) -> Result<(Header, u16, usize), OpenError> {
    if bytes.len() < 14 || &bytes[..8] != MAGIC {
        return Err(OpenError::NotARecording);
    }
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    if version > VERSION {
        return Err(OpenError::NewerVersion(version));
    }
    let len = u32::from_le_bytes(bytes[10..14].try_into().unwrap_or_default()) as usize;
    let json = bytes.get(14..14 + len).ok_or(OpenError::NotARecording)?;
    let header = serde_json::from_slice(json).map_err(|_| OpenError::NotARecording)?;
    Ok((header, version, 14 + len))
}

pub fn ns(t: Timestamp) -> i64 {
    t.as_nanosecond() as i64
}

pub fn from_ns(n: i64) -> Timestamp {
    Timestamp::from_nanosecond(n as i128).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// One frame written out: returns the bytes it took.
pub fn write_frame<W: Write>(
    w: &mut W,
    kind: FrameType,
    first: i64,
    last: i64,
    count: u32,
    raw: &[u8],
) -> io::Result<usize> {
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(raw, LEVEL);
    let mut head = Vec::with_capacity(FRAME_HEADER);
    head.push(kind as u8);
    head.extend_from_slice(&(packed.len() as u32).to_le_bytes());
    head.extend_from_slice(&first.to_le_bytes());
    head.extend_from_slice(&last.to_le_bytes());
    head.extend_from_slice(&count.to_le_bytes());
    w.write_all(&head)?;
    w.write_all(&packed)?;
    Ok(head.len() + packed.len())
}

/// Where one frame is in the file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameInfo {
    pub kind: FrameType,
    /// Offset of the compressed payload and its length.
    pub at: usize,
    pub len: usize,
    pub first: i64,
    pub last: i64,
    pub count: u32,
}

/// The frame starting at `offset`, if it is whole (a recording cut short ends at the last
/// whole frame).
pub fn frame_at(bytes: &[u8], offset: usize) -> Option<FrameInfo> {
    let head = bytes.get(offset..offset + FRAME_HEADER)?;
    let kind = match head[0] {
        1 => FrameType::Changes,
        2 => FrameType::Keyframe,
        _ => return None,
    };
    let u32_at = |i: usize| u32::from_le_bytes(head[i..i + 4].try_into().unwrap_or_default());
    let i64_at = |i: usize| i64::from_le_bytes(head[i..i + 8].try_into().unwrap_or_default());
    let len = u32_at(1) as usize;
    let at = offset + FRAME_HEADER;
    bytes.get(at..at + len)?;
    Some(FrameInfo {
        kind,
        at,
        len,
        first: i64_at(5),
        last: i64_at(13),
        count: u32_at(21),
    })
}

/// A frame's JSON lines (`None`: damaged, its checksum does not match).
pub fn frame_text(bytes: &[u8], f: &FrameInfo) -> Option<Vec<u8>> {
    miniz_oxide::inflate::decompress_to_vec_zlib(&bytes[f.at..f.at + f.len]).ok()
}

/// Reads a whole file.
pub fn read_all(path: &std::path::Path) -> Result<Vec<u8>, OpenError> {
    let mut f = std::fs::File::open(path).map_err(|e| OpenError::Io(e.to_string()))?;
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes)
        .map_err(|e| OpenError::Io(e.to_string()))?;
    Ok(bytes)
}
