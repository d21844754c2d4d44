//! HTML escaping: the one way user-supplied or configured text reaches HTML.

use crate::prelude::*;

use core::fmt;

/// Text that will be escaped when displayed; use it in `format!` when
/// building HTML: `format!("<p>{}</p>", Escaped(name))`.
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut last = 0;
        for (i, c) in self.0.char_indices() {
            let rep = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                '`' => "&#96;",
                _ => continue,
            };
            f.write_str(&self.0[last..i])?;
            f.write_str(rep)?;
            last = i + 1;
        }
        f.write_str(&self.0[last..])
    }
}

/// `text` escaped for HTML text and double- or single-quoted attributes.
pub fn escape(text: &str) -> String {
    Escaped(text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert('x')</script> & "y""#),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        assert_eq!(escape("株式会社サンプル"), "株式会社サンプル");
    }

    proptest! {
        #[test]
        fn escaped_text_has_no_markup_characters(s in "\\PC*") {
            let e = escape(&s);
            prop_assert!(!e.contains(['<', '>', '"', '\'', '`']));
        }
    }
}
