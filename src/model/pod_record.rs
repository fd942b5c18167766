//! The byte encoding of a kept pod's fields (see [`super::pod::CompactPod`]): one buffer per pod
//! instead of a few dozen small allocations. Numbers are LEB128 varints (signed ones zigzagged),
//! texts are length-prefixed, and texts from a table of well-known ones (condition types,
//! phases, reasons, owner kinds, label keys) are one byte. Every optional field has its own
//! "absent" mark, so a pod reads back exactly as it was written.
//!
//! [`Writer`] appends; [`Reader`] reads the same fields in the same order. A reader never
//! panics: past the end of the buffer it reads absent fields, zeros and empty texts.

use jiff::Timestamp;

/// The first byte of a table text that is not in the table: the text follows.
const OTHER: u8 = 0xFF;
/// An absent optional table text.
const ABSENT: u8 = 0xFE;

#[derive(Debug, Default)]
pub struct Writer(Vec<u8>);

impl Writer {
    pub fn finish(self) -> Box<[u8]> {
        self.0.into_boxed_slice()
    }

    /// Where the next field starts.
    pub fn at(&self) -> u32 {
        u32::try_from(self.0.len()).unwrap_or(u32::MAX)
    }

    pub fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    pub fn int(&mut self, v: i64) {
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }

    pub fn byte(&mut self, b: u8) {
        self.0.push(b);
    }

    pub fn str(&mut self, s: &str) {
        self.varint(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.varint(0),
            Some(s) => {
                self.varint(s.len() as u64 + 1);
                self.0.extend_from_slice(s.as_bytes());
            }
        }
    }

    /// A text of `table`: its index when it is there, else the text itself.
    pub fn sym(&mut self, table: &[&str], s: &str) {
        match table.iter().position(|t| *t == s) {
            Some(i) if i < usize::from(ABSENT) => self.byte(i as u8),
            _ => {
                self.byte(OTHER);
                self.str(s);
            }
        }
    }

    pub fn opt_sym(&mut self, table: &[&str], s: Option<&str>) {
        match s {
            None => self.byte(ABSENT),
            Some(s) => self.sym(table, s),
        }
    }

    pub fn opt_int(&mut self, v: Option<i64>) {
        match v {
            None => self.byte(0),
            Some(v) => {
                self.byte(1);
                self.int(v);
            }
        }
    }

    pub fn bool(&mut self, b: bool) {
        self.byte(u8::from(b));
    }

    pub fn opt_bool(&mut self, b: Option<bool>) {
        self.byte(match b {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        });
    }

    pub fn time(&mut self, t: Option<Timestamp>) {
        match t {
            None => self.byte(0),
            Some(t) => {
                self.byte(1);
                self.int(t.as_second());
                self.varint(u64::try_from(t.subsec_nanosecond()).unwrap_or(0));
            }
        }
    }

    /// The length of an optional list (its items follow).
    pub fn count(&mut self, n: Option<usize>) {
        self.varint(n.map_or(0, |n| n as u64 + 1));
    }

    /// A UID: sixteen bytes when it has the usual form (lower-case hex, 8-4-4-4-12), else text.
    pub fn uid(&mut self, uid: Option<&str>) {
        match uid {
            None => self.byte(0),
            Some(u) => match uuid_bytes(u) {
                Some(b) => {
                    self.byte(1);
                    self.0.extend_from_slice(&b);
                }
                None => {
                    self.byte(2);
                    self.str(u);
                }
            },
        }
    }
}

const UUID_DASHES: [usize; 4] = [8, 13, 18, 23];

fn uuid_bytes(u: &str) -> Option<[u8; 16]> {
    let b = u.as_bytes();
    if b.len() != 36 || UUID_DASHES.iter().any(|&i| b[i] != b'-') {
        return None;
    }
    let mut out = [0u8; 16];
    let mut digits = b.iter().filter(|&&c| c != b'-');
    for o in &mut out {
        let hi = hex(*digits.next()?)?;
        let lo = hex(*digits.next()?)?;
        *o = hi << 4 | lo;
    }
    Some(out)
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

fn uuid_text(b: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if [4, 6, 8, 10].contains(&i) {
            s.push('-');
        }
        s.push(char::from(HEX[usize::from(byte >> 4)]));
        s.push(char::from(HEX[usize::from(byte & 15)]));
    }
    s
}

#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8], at: u32) -> Reader<'a> {
        Reader {
            buf,
            at: at as usize,
        }
    }

    pub fn byte(&mut self) -> u8 {
        let b = self.buf.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    pub fn varint(&mut self) -> u64 {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte();
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
        }
        v
    }

    pub fn int(&mut self) -> i64 {
        let v = self.varint();
        ((v >> 1) as i64) ^ -((v & 1) as i64)
    }

    fn text(&mut self, len: usize) -> &'a str {
        let start = self.at;
        self.at = self.at.saturating_add(len);
        self.buf
            .get(start..self.at)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }

    pub fn str(&mut self) -> &'a str {
        let len = self.varint() as usize;
        self.text(len)
    }

    pub fn opt_str(&mut self) -> Option<&'a str> {
        match self.varint() {
            0 => None,
            n => Some(self.text(n as usize - 1)),
        }
    }

    pub fn sym(&mut self, table: &[&'static str]) -> &'a str {
        match self.byte() {
            OTHER => self.str(),
            b => table.get(usize::from(b)).copied().unwrap_or(""),
        }
    }

    pub fn opt_sym(&mut self, table: &[&'static str]) -> Option<&'a str> {
        if self.buf.get(self.at) == Some(&ABSENT) {
            self.at += 1;
            return None;
        }
        Some(self.sym(table))
    }

    pub fn opt_int(&mut self) -> Option<i64> {
        match self.byte() {
            0 => None,
            _ => Some(self.int()),
        }
    }

    pub fn bool(&mut self) -> bool {
        self.byte() != 0
    }

    pub fn opt_bool(&mut self) -> Option<bool> {
        match self.byte() {
            0 => None,
            1 => Some(false),
            _ => Some(true),
        }
    }

    pub fn time(&mut self) -> Option<Timestamp> {
        match self.byte() {
            0 => None,
            _ => {
                let secs = self.int();
                let nanos = i32::try_from(self.varint()).unwrap_or(0);
                Timestamp::new(secs, nanos).ok()
            }
        }
    }

    pub fn count(&mut self) -> Option<usize> {
        match self.varint() {
            0 => None,
            n => Some(n as usize - 1),
        }
    }

    pub fn uid(&mut self) -> Option<String> {
        match self.byte() {
            0 => None,
            1 => {
                let start = self.at;
                self.at = self.at.saturating_add(16);
                Some(uuid_text(self.buf.get(start..self.at).unwrap_or_default()))
            }
            _ => Some(self.str().to_string()),
        }
    }

    /// Skips the items of a list written with [`Writer::count`], each read by `item`.
    pub fn skip_list(&mut self, item: impl Fn(&mut Reader<'a>)) {
        for _ in 0..self.count().unwrap_or(0) {
            item(self);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &[&str] = &["Ready", "True"];

    #[test]
    fn fields_read_back_as_written() {
        let t: Timestamp = "2026-11-25T10:02:00.5Z".parse().unwrap();
        let mut w = Writer::default();
        w.str("héllo");
        w.opt_str(None);
        w.opt_str(Some(""));
        w.sym(TABLE, "True");
        w.sym(TABLE, "Other");
        w.opt_sym(TABLE, None);
        w.int(-300);
        w.opt_int(Some(i64::MAX));
        w.opt_bool(Some(false));
        w.time(Some(t));
        w.time(None);
        w.count(Some(0));
        w.uid(Some("0b6f2e1c-3d4a-4b5c-8d9e-0f1a2b3c4d5e"));
        w.uid(Some("NOT-A-UUID"));
        w.varint(u64::MAX);
        let buf = w.finish();
        let mut r = Reader::new(&buf, 0);
        assert_eq!(r.str(), "héllo");
        assert_eq!(r.opt_str(), None);
        assert_eq!(r.opt_str(), Some(""));
        assert_eq!(r.sym(TABLE), "True");
        assert_eq!(r.sym(TABLE), "Other");
        assert_eq!(r.opt_sym(TABLE), None);
        assert_eq!(r.int(), -300);
        assert_eq!(r.opt_int(), Some(i64::MAX));
        assert_eq!(r.opt_bool(), Some(false));
        assert_eq!(r.time(), Some(t));
        assert_eq!(r.time(), None);
        assert_eq!(r.count(), Some(0));
        assert_eq!(
            r.uid().as_deref(),
            Some("0b6f2e1c-3d4a-4b5c-8d9e-0f1a2b3c4d5e")
        );
        assert_eq!(r.uid().as_deref(), Some("NOT-A-UUID"));
        assert_eq!(r.varint(), u64::MAX);
        // Past the end: absent, zero, empty.
        assert_eq!(r.opt_str(), None);
        assert_eq!(r.str(), "");
        assert_eq!(r.int(), 0);
    }

    #[test]
    fn a_cut_buffer_reads_without_panicking() {
        let mut w = Writer::default();
        w.str("a long enough text");
        let buf = w.finish();
        let mut r = Reader::new(&buf[..5], 0);
        assert_eq!(r.str(), "");
        let mut r = Reader::new(&buf, 1000);
        assert_eq!(r.str(), "");
    }
}
