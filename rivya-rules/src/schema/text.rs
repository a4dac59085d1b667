//! String rules shared by every schema: what the validators call blank, and what they call a URL,
//! written as patterns any 2020-12 validator reads the same way.

/// The characters Rust's `char::is_whitespace` (Unicode `White_Space`) matches, as a regex
/// character-class body. Spelled out rather than `\s`, whose ECMA-262 meaning differs from
/// Unicode's at U+0085 and U+FEFF, so every JSON Schema engine agrees with `str::trim`.
const WHITESPACE: &str =
    r"\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// A string with at least one non-whitespace character (`rules`' "must not be blank").
pub fn not_blank() -> String {
    format!("[^{WHITESPACE}]")
}

/// `rivya_rules::rules::is_http_url`: `http(s)://`, a non-empty host (up to the first `/`, `?`
/// or `#`), and no whitespace anywhere.
pub fn http_url() -> String {
    format!("^https?://[^/?#{WHITESPACE}][^{WHITESPACE}]*$")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The class lists exactly the characters `char::is_whitespace` accepts.
    #[test]
    fn the_whitespace_class_is_rusts() {
        let listed: Vec<char> = (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect();
        let mut spelled = Vec::new();
        let body = WHITESPACE.replace(r"\t", "\t").replace(r"\n", "\n");
        let body = body.replace(r"\f", "\u{c}").replace(r"\r", "\r");
        let mut chars = unescape(&body).into_iter().peekable();
        while let Some(c) = chars.next() {
            if chars.peek() == Some(&'-') {
                chars.next();
                let end = chars.next().unwrap();
                spelled.extend((c..=end).collect::<Vec<_>>());
            } else {
                spelled.push(c);
            }
        }
        assert_eq!(spelled, listed);
    }

    /// Turns `\uXXXX` escapes into characters (the only escape left after the replacements).
    fn unescape(s: &str) -> Vec<char> {
        let mut out = Vec::new();
        let mut rest = s;
        while let Some(i) = rest.find(r"\u") {
            out.extend(rest[..i].chars());
            let code = u32::from_str_radix(&rest[i + 2..i + 6], 16).unwrap();
            out.push(char::from_u32(code).unwrap());
            rest = &rest[i + 6..];
        }
        out.extend(rest.chars());
        out
    }
}
