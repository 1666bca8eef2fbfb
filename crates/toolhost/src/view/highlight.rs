//! Python highlighted once, in Rust, into classed spans the page's stylesheet colours: the
//! page needs no highlighting script.

use std::sync::LazyLock;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// Longer code is shown plain: the backtracking regex engine is slow on huge inputs, and
/// nobody reads 20,000 characters of generated code for its colours.
const MAX_HIGHLIGHTED_CHARS: usize = 20_000;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// Escaped HTML of `code`, with `<span class="hl-…">` around tokens when it could be parsed.
pub fn highlight_python(code: &str) -> String {
    if code.len() <= MAX_HIGHLIGHTED_CHARS
        && let Some(html) = classed(code)
    {
        return html;
    }
    minijinja::HtmlEscape(code).to_string()
}

fn classed(code: &str) -> Option<String> {
    let syntax = SYNTAXES.find_syntax_by_extension("py")?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        &SYNTAXES,
        ClassStyle::SpacedPrefixed { prefix: "hl-" },
    );
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_is_coloured_and_markup_in_it_stays_text() {
        let html =
            highlight_python("x = \"<script>alert(1)</script>\"  # <img onerror=x>\nprint(x)\n");
        assert!(html.contains("hl-string"), "{html}");
        assert!(html.contains("hl-comment"), "{html}");
        assert!(
            !html.contains("<script") && !html.contains("<img"),
            "{html}"
        );
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn huge_code_is_escaped_plain() {
        let code = format!("s = '<b>'\n{}", "x = 1\n".repeat(5000));
        let html = highlight_python(&code);
        assert!(!html.contains("hl-") && html.starts_with("s = &#x27;&lt;b&gt;&#x27;"));
    }
}
