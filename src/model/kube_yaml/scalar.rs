//! What a scalar means, as go-yaml v2 (under kubectl's sigs.k8s.io/yaml) resolves it: YAML 1.1
//! booleans and nulls, Go's integer syntax (`0755` is octal), floats only in decimal notation,
//! and timestamps kept as the text written. Quoted and block scalars are always strings unless a
//! tag says otherwise.

/// A resolved scalar, before it becomes JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    /// Above `i64::MAX`: go-yaml falls back to an unsigned 64-bit integer.
    Uint(u64),
    Float(f64),
    Str(String),
}

/// The type a scalar resolved to, to check an explicit tag against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resolved {
    Null,
    Bool,
    Int,
    Float,
    Str,
    Timestamp,
}

impl Resolved {
    fn tag(self) -> &'static str {
        match self {
            Resolved::Null => "null",
            Resolved::Bool => "bool",
            Resolved::Int => "int",
            Resolved::Float => "float",
            Resolved::Str => "str",
            Resolved::Timestamp => "timestamp",
        }
    }
}

/// The core-schema tag prefix (`!!x` is `tag:yaml.org,2002:x`).
pub const CORE_PREFIX: &str = "tag:yaml.org,2002:";

/// Resolves `text` written with `plain` style (or quoted/block when false) and an optional
/// tag (in full, e.g. `tag:yaml.org,2002:int`). An error says why the tag does not fit.
pub fn resolve(text: &str, plain: bool, tag: Option<&str>) -> Result<Scalar, String> {
    let core = tag.and_then(|t| t.strip_prefix(CORE_PREFIX));
    match (tag, core) {
        (None, _) if !plain => return Ok(Scalar::Str(text.to_string())),
        (None, _) => return resolve_plain(text, true).map(|(value, _)| value),
        (Some(_), Some("str")) => return Ok(Scalar::Str(text.to_string())),
        (Some(_), Some("binary")) => return Err(super::messages::binary()),
        // Tags go-yaml does not resolve (local tags, !!map on a scalar, …) leave the text.
        (Some(_), Some("bool" | "int" | "float" | "null" | "timestamp")) => {}
        (Some(_), _) => return Ok(Scalar::Str(text.to_string())),
    }
    let want = core.unwrap_or_default();
    let (value, got) = resolve_plain(text, want == "timestamp")?;
    if got.tag() == want {
        return Ok(value);
    }
    // An integer asked for as a float is that float; nothing else converts.
    match (want, value) {
        ("float", Scalar::Int(i)) => Ok(Scalar::Float(i as f64)),
        _ => Err(super::messages::wrong_tag(text, got.tag(), want)),
    }
}

/// go-yaml v2's `resolve` for an untagged plain scalar. An integer beyond 64 bits written in
/// hex, octal or binary (go-yaml keeps it as a big integer) is an error: JSON here cannot carry
/// it as written.
fn resolve_plain(text: &str, timestamps: bool) -> Result<(Scalar, Resolved), String> {
    let string = || Ok((Scalar::Str(text.to_string()), Resolved::Str));
    let hint = match text.bytes().next() {
        None => b'N',
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        Some(_) => return string(),
    };
    if let Some(known) = well_known(text) {
        return Ok(known);
    }
    match hint {
        b'.' => match finite_float(text) {
            Some(f) => Ok((Scalar::Float(f), Resolved::Float)),
            None => string(),
        },
        b'D' | b'S' => {
            if timestamps && is_timestamp(text) {
                // Decoded into an untyped value, a timestamp stays the text written.
                return Ok((Scalar::Str(text.to_string()), Resolved::Timestamp));
            }
            let digits = text.replace('_', "");
            if let Ok(i) = go_parse_int(&digits) {
                return Ok((Scalar::Int(i), Resolved::Int));
            }
            let unsigned = go_parse_uint(&digits);
            if let Ok(u) = unsigned {
                return Ok((Scalar::Uint(u), Resolved::Int));
            }
            if let Some(f) = finite_float(&digits) {
                return Ok((Scalar::Float(f), Resolved::Float));
            }
            if unsigned == Err(GoNumError::Range) {
                return Err(super::messages::too_big(text));
            }
            string()
        }
        _ => string(),
    }
}

/// Booleans, nulls and the special floats, spelled as YAML 1.1 (and go-yaml) spells them.
fn well_known(text: &str) -> Option<(Scalar, Resolved)> {
    Some(match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            (Scalar::Bool(true), Resolved::Bool)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            (Scalar::Bool(false), Resolved::Bool)
        }
        "" | "~" | "null" | "Null" | "NULL" => (Scalar::Null, Resolved::Null),
        ".nan" | ".NaN" | ".NAN" => (Scalar::Float(f64::NAN), Resolved::Float),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            (Scalar::Float(f64::INFINITY), Resolved::Float)
        }
        "-.inf" | "-.Inf" | "-.INF" => (Scalar::Float(f64::NEG_INFINITY), Resolved::Float),
        _ => return None,
    })
}

/// A decimal float as go-yaml accepts it (`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)
/// that Go's `ParseFloat` reads without overflowing.
fn finite_float(s: &str) -> Option<f64> {
    if !is_decimal_float(s) {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

fn is_decimal_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GoNumError {
    Syntax,
    Range,
}

/// Go's `strconv.ParseUint(s, 0, 64)`: `0x`/`0o`/`0b` prefixes, a leading `0` for octal, no
/// sign, no underscores (they were removed before).
fn go_parse_uint(s: &str) -> Result<u64, GoNumError> {
    let b = s.as_bytes();
    if b.is_empty() {
        return Err(GoNumError::Syntax);
    }
    let (base, digits): (u32, &[u8]) = if b[0] == b'0' {
        match b.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if b.len() >= 3 => (2, &b[2..]),
            Some(b'o') if b.len() >= 3 => (8, &b[2..]),
            Some(b'x') if b.len() >= 3 => (16, &b[2..]),
            _ => (8, &b[1..]),
        }
    } else {
        (10, b)
    };
    let mut n: u64 = 0;
    let mut overflow = false;
    for &c in digits {
        let d = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'a'..=b'z' => u32::from(c - b'a') + 10,
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return Err(GoNumError::Syntax),
        };
        if d >= base {
            return Err(GoNumError::Syntax);
        }
        match n
            .checked_mul(u64::from(base))
            .and_then(|m| m.checked_add(u64::from(d)))
        {
            Some(m) => n = m,
            None => overflow = true,
        }
    }
    if overflow {
        Err(GoNumError::Range)
    } else {
        Ok(n)
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`: an optional sign, then [`go_parse_uint`].
fn go_parse_int(s: &str) -> Result<i64, GoNumError> {
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let u = go_parse_uint(rest)?;
    if negative {
        if u > i64::MAX as u64 + 1 {
            return Err(GoNumError::Range);
        }
        Ok((u as i64).wrapping_neg())
    } else {
        i64::try_from(u).map_err(|_| GoNumError::Range)
    }
}

/// A plain timestamp as go-yaml recognises it: `2006-1-2`, `2006-1-2T15:4:5[.9]Z07:00` (or a
/// lower-case `t`), or `2006-1-2 15:4:5[.9]` without a zone.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let num = |i: &mut usize, min: usize, max: usize| -> Option<u32> {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() && *i - start < max {
            *i += 1;
        }
        (*i - start >= min).then(|| s[start..*i].parse().ok())?
    };
    let expect = |i: &mut usize, c: u8| -> Option<()> { (b.get(*i) == Some(&c)).then(|| *i += 1) };
    let date = (|| {
        let year = num(&mut i, 4, 4)?;
        expect(&mut i, b'-')?;
        let month = num(&mut i, 1, 2)?;
        expect(&mut i, b'-')?;
        let day = num(&mut i, 1, 2)?;
        valid_date(year, month, day).then_some(())
    })();
    if date.is_none() {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let zoned = match b[i] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    i += 1;
    let time = (|| {
        let h = num(&mut i, 1, 2)?;
        expect(&mut i, b':')?;
        let m = num(&mut i, 1, 2)?;
        expect(&mut i, b':')?;
        let sec = num(&mut i, 1, 2)?;
        if h > 23 || m > 59 || sec > 59 {
            return None;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            num(&mut i, 1, 9)?;
        }
        Some(())
    })();
    if time.is_none() {
        return false;
    }
    if !zoned {
        return i == b.len();
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let zone = &b[i + 1..];
            zone.len() == 5
                && zone[2] == b':'
                && zone[..2].iter().chain(&zone[3..]).all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

fn valid_date(year: u32, month: u32, day: u32) -> bool {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// The JSON number Go's `json.Marshal` writes for a float64, as read back: whole numbers below
/// 1e21 are written without a fraction, so they arrive as integers.
pub fn json_number(f: f64) -> Option<serde_json::Number> {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    const TWO_64: f64 = 18_446_744_073_709_551_616.0;
    if f.fract() == 0.0 && f.abs() < 1e21 {
        if (-TWO_63..TWO_63).contains(&f) {
            return Some((f as i64).into());
        }
        if (0.0..TWO_64).contains(&f) {
            return Some((f as u64).into());
        }
    }
    serde_json::Number::from_f64(f)
}

/// A float map key as sigs.k8s.io/yaml names it: Go's `FormatFloat(f, 'g', -1, 32)`, with
/// `.inf`, `-.inf` and `.nan` for the special values.
pub fn float_key(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    let x = f as f32;
    if x.is_infinite() {
        return if x > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    // Shortest digits of the float32 and its decimal exponent, from Rust's `{:e}`.
    let e = format!("{:e}", x.abs());
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if x.is_sign_negative() && x != 0.0 {
        "-"
    } else {
        ""
    };
    if digits.trim_start_matches('0').is_empty() {
        return format!("{sign}0");
    }
    let nd = digits.len() as i32;
    if !(-4..6).contains(&exp) {
        let frac = if nd > 1 {
            format!(".{}", &digits[1..])
        } else {
            String::new()
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{}{frac}e{esign}{:02}", &digits[..1], exp.abs());
    }
    let dp = exp + 1;
    let s = if dp <= 0 {
        format!("0.{}{digits}", "0".repeat((-dp) as usize))
    } else if dp >= nd {
        format!("{digits}{}", "0".repeat((dp - nd) as usize))
    } else {
        format!("{}.{}", &digits[..dp as usize], &digits[dp as usize..])
    };
    format!("{sign}{s}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: &str) -> Scalar {
        resolve(s, true, None).unwrap()
    }

    #[test]
    fn plain_scalars_resolve_as_go_yaml_v2_does() {
        use Scalar::*;
        let s = |x: &str| Str(x.to_string());
        let table: &[(&str, Scalar)] = &[
            // Nulls.
            ("", Null),
            ("~", Null),
            ("null", Null),
            ("Null", Null),
            ("NULL", Null),
            ("nULL", s("nULL")),
            // Booleans of YAML 1.1.
            ("y", Bool(true)),
            ("Y", Bool(true)),
            ("yes", Bool(true)),
            ("Yes", Bool(true)),
            ("YES", Bool(true)),
            ("on", Bool(true)),
            ("On", Bool(true)),
            ("ON", Bool(true)),
            ("true", Bool(true)),
            ("True", Bool(true)),
            ("TRUE", Bool(true)),
            ("n", Bool(false)),
            ("N", Bool(false)),
            ("no", Bool(false)),
            ("No", Bool(false)),
            ("NO", Bool(false)),
            ("off", Bool(false)),
            ("Off", Bool(false)),
            ("OFF", Bool(false)),
            ("false", Bool(false)),
            ("False", Bool(false)),
            ("FALSE", Bool(false)),
            ("yEs", s("yEs")),
            ("tRUE", s("tRUE")),
            // Integers, with Go's prefixes; underscores are dropped first.
            ("0", Int(0)),
            ("-0", Int(0)),
            ("42", Int(42)),
            ("+42", Int(42)),
            ("-42", Int(-42)),
            ("0755", Int(493)),
            ("-0755", Int(-493)),
            ("0o755", Int(493)),
            ("0O17", Int(15)),
            ("0x1F", Int(31)),
            ("0X1f", Int(31)),
            ("-0x10", Int(-16)),
            ("0b101", Int(5)),
            ("-0b101", Int(-5)),
            ("1_000", Int(1000)),
            ("0x_ff", Int(255)),
            ("9223372036854775807", Int(i64::MAX)),
            ("-9223372036854775808", Int(i64::MIN)),
            ("9223372036854775808", Uint(9_223_372_036_854_775_808)),
            ("18446744073709551615", Uint(u64::MAX)),
            ("0xFFFFFFFFFFFFFFFF", Uint(u64::MAX)),
            // Beyond 64 bits in decimal: a float; in hex: kept as text.
            ("18446744073709551616", Float(18446744073709551616.0)),
            // Not octal after all (8 and 9 are not octal digits): the float regex reads decimal.
            ("0789", Float(789.0)),
            ("08", Float(8.0)),
            // Not numbers.
            ("0x", s("0x")),
            ("0b", s("0b")),
            ("0b102", s("0b102")),
            ("1_", Int(1)),
            ("_1", s("_1")),
            ("1.2.3", s("1.2.3")),
            ("1e", s("1e")),
            ("12abc", s("12abc")),
            ("- 1", s("- 1")),
            ("+", s("+")),
            ("-", s("-")),
            ("0x1p3", s("0x1p3")),
            ("inf", s("inf")),
            ("nan", s("nan")),
            ("infinity", s("infinity")),
            // Floats: decimal notation only.
            ("1.5", Float(1.5)),
            ("-1.5", Float(-1.5)),
            ("+.5", Float(0.5)),
            (".5", Float(0.5)),
            ("1.", Float(1.0)),
            ("1e3", Float(1000.0)),
            ("1E+3", Float(1000.0)),
            ("1.5e-3", Float(0.0015)),
            ("1_000.5", Float(1000.5)),
            (".5_0", s(".5_0")),
            (".", s(".")),
            (".e3", s(".e3")),
            ("1e999", s("1e999")),
            (".5e999", s(".5e999")),
            // Timestamps stay the text written (go-yaml v2 into an untyped value).
            ("2024-01-02", s("2024-01-02")),
            ("2024-01-02T03:04:05Z", s("2024-01-02T03:04:05Z")),
            ("2024-1-2 3:4:5", s("2024-1-2 3:4:5")),
            // Anything else is a string.
            ("curvinefs", s("curvinefs")),
            ("<<", s("<<")),
            (
                "data.fluid.io/v1alpha1 [oops",
                s("data.fluid.io/v1alpha1 [oops"),
            ),
        ];
        for (text, want) in table {
            let got = plain(text);
            match (&got, want) {
                (Float(a), Float(b)) => assert!(a == b, "{text:?}: {got:?} != {want:?}"),
                _ => assert_eq!(&got, want, "{text:?}"),
            }
        }
        assert!(matches!(plain(".nan"), Float(f) if f.is_nan()));
        for inf in [".inf", ".Inf", ".INF", "+.inf"] {
            assert_eq!(plain(inf), Float(f64::INFINITY), "{inf}");
        }
        assert_eq!(plain("-.inf"), Float(f64::NEG_INFINITY));
    }

    #[test]
    fn integers_beyond_64_bits_in_hex_octal_or_binary_are_refused() {
        for text in [
            "0x10000000000000000",
            "0o2000000000000000000000",
            "0x1_0000_0000_0000_0000",
        ] {
            let e = resolve(text, true, None).unwrap_err();
            assert!(e.contains(text) && e.contains("64 bits"), "{e}");
        }
        // Signed, go-yaml gives up on it as a number.
        assert_eq!(
            resolve("-0x10000000000000000", true, None),
            Ok(Scalar::Str("-0x10000000000000000".into()))
        );
    }

    #[test]
    fn quoted_and_block_scalars_are_strings() {
        for text in ["0755", "yes", "null", "1.5", "", "on"] {
            assert_eq!(
                resolve(text, false, None),
                Ok(Scalar::Str(text.to_string())),
                "{text}"
            );
        }
    }

    #[test]
    fn explicit_tags_are_honoured() {
        let tag = |t: &str| format!("{CORE_PREFIX}{t}");
        let r = |text: &str, plain: bool, t: &str| resolve(text, plain, Some(&tag(t)));
        assert_eq!(r("0755", true, "str"), Ok(Scalar::Str("0755".into())));
        assert_eq!(r("yes", true, "str"), Ok(Scalar::Str("yes".into())));
        assert_eq!(r("0755", false, "int"), Ok(Scalar::Int(493)));
        assert_eq!(r("1", true, "float"), Ok(Scalar::Float(1.0)));
        assert_eq!(r("1.5", true, "float"), Ok(Scalar::Float(1.5)));
        assert_eq!(r("yes", false, "bool"), Ok(Scalar::Bool(true)));
        assert_eq!(r("~", true, "null"), Ok(Scalar::Null));
        assert_eq!(r("", false, "null"), Ok(Scalar::Null));
        assert_eq!(
            r("2024-01-02", true, "timestamp"),
            Ok(Scalar::Str("2024-01-02".into()))
        );
        for (text, t) in [
            ("abc", "int"),
            ("1.5", "int"),
            ("1", "bool"),
            ("x", "null"),
            ("abc", "float"),
            ("2024-01-02", "int"),
            ("abc", "timestamp"),
        ] {
            let e = r(text, true, t).unwrap_err();
            assert!(e.contains(text) && e.contains(&format!("!!{t}")), "{e}");
        }
        assert!(r("aGk=", true, "binary").is_err());
        // Tags go-yaml leaves alone keep the text.
        assert_eq!(
            resolve("1", true, Some("!custom")),
            Ok(Scalar::Str("1".into()))
        );
    }

    #[test]
    fn timestamps_are_recognised_for_the_timestamp_tag() {
        for t in [
            "2024-01-02",
            "2024-1-2",
            "2024-02-29",
            "2024-01-02T03:04:05Z",
            "2024-01-02t03:04:05.123Z",
            "2024-01-02T03:04:05+02:00",
            "2024-01-02 03:04:05",
            "2024-01-02 03:04:05.5",
        ] {
            assert!(is_timestamp(t), "{t}");
        }
        for t in [
            "2023-02-29",
            "2024-13-01",
            "2024-01-02T03:04:05",
            "2024-01-02 03:04:05Z",
            "24-01-02",
            "2024-01-02x",
            "2024-01-02T25:00:00Z",
        ] {
            assert!(!is_timestamp(t), "{t}");
        }
    }

    #[test]
    fn floats_become_the_json_numbers_go_writes() {
        assert_eq!(json_number(1.0), Some(1.into()));
        assert_eq!(json_number(-3.0), Some((-3).into()));
        assert_eq!(json_number(1.5), serde_json::Number::from_f64(1.5));
        assert_eq!(
            json_number(1e19),
            Some(10_000_000_000_000_000_000u64.into())
        );
        assert_eq!(json_number(1e21), serde_json::Number::from_f64(1e21));
        assert_eq!(json_number(f64::NAN), None);
        assert_eq!(json_number(f64::INFINITY), None);
    }

    #[test]
    fn float_keys_are_named_as_go_formats_float32() {
        for (f, want) in [
            (1.5, "1.5"),
            (1.0, "1"),
            (100.0, "100"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e6, "1e+06"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (0.1, "0.1"),
            (std::f64::consts::PI, "3.1415927"),
            (-2.5, "-2.5"),
            (0.0, "0"),
            (f64::INFINITY, ".inf"),
            (f64::NEG_INFINITY, "-.inf"),
            (f64::NAN, ".nan"),
        ] {
            assert_eq!(float_key(f), want, "{f}");
        }
    }
}
