//! Text literals and text variables: compared with text, rejected elsewhere.

use toolhost_expr::{Data, ErrorKind, Expr, ExprError, Text};

/// Ranks in the sorted strings ["2024-01-01", "2024-06-30", "Lyon", "Paris"].
fn ranks() -> Text {
    let mut text = Text::new();
    text.variable("city")
        .variable("day")
        .literal("2024-01-01", 0.0)
        .literal("2024-06-30", 1.0)
        .literal("Lyon", 2.0)
        .literal("Paris", 3.0);
    text
}

fn compile(src: &str) -> Result<toolhost_expr::Program, ExprError> {
    Expr::parse(src)?.compile_with_text(&["city", "day", "price"], &Data::new(), &ranks())
}

#[test]
fn text_compares_by_the_numbers_standing_for_it() {
    let p = compile(r#"city == "Paris" && price > 10"#).unwrap();
    assert_eq!(p.eval(&[3.0, 0.0, 12.0]), 1.0);
    assert_eq!(p.eval(&[2.0, 0.0, 12.0]), 0.0);
    assert_eq!(p.eval(&[3.0, 0.0, 9.0]), 0.0);
    // Single quotes, and order comparisons between text.
    let p = compile("day >= '2024-01-01' && day < '2024-06-30' || city != 'Lyon'").unwrap();
    assert_eq!(p.eval(&[2.0, 0.0, 0.0]), 1.0);
    assert_eq!(p.eval(&[2.0, 1.0, 0.0]), 0.0);
    assert_eq!(p.eval(&[3.0, 1.0, 0.0]), 1.0);
    // Text variables compare with each other; literals with literals fold.
    assert_eq!(compile("city == day").unwrap().eval(&[1.0, 1.0, 0.0]), 1.0);
    assert_eq!(compile("'Lyon' < 'Paris'").unwrap().eval(&[0.0; 3]), 1.0);
}

#[test]
fn literals_are_listed_once_in_order() {
    let e = Expr::parse(r#"a == "x" || b == 'y z' || a == "x" || c == """#).unwrap();
    assert_eq!(e.text_literals(), ["x", "y z", ""]);
    assert_eq!(e.variables(), ["a", "b", "c"]);
}

#[track_caller]
fn misuse(src: &str, column: usize, message: &str) {
    let e = compile(src).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TextMisuse, "{src}: {e}");
    assert_eq!(e.location().unwrap().column, column, "{src}: {e}");
    assert_eq!(e.message(), message, "{src}");
}

#[test]
fn text_outside_a_comparison_with_text_is_an_error_at_the_fault() {
    misuse(
        "city == 3",
        6,
        "'==' compares text with a number (the left side is text): compare text with text, e.g. name == \"some text\"",
    );
    misuse(
        "price < 'Paris'",
        7,
        "'<' compares text with a number (the right side is text): compare text with text, e.g. name < \"some text\"",
    );
    misuse(
        "city + 1 > 2",
        1,
        "'city' is text and can only be compared with other text (==, !=, <, <=, >, >=)",
    );
    misuse(
        "sqrt('Lyon') > 1",
        6,
        "text 'Lyon' can only be compared with other text (==, !=, <, <=, >, >=)",
    );
    misuse(
        "day",
        1,
        "'day' is text and is not a number: compare it with other text to make a condition (==, !=, <, <=, >, >=)",
    );
    misuse("city == 'Nice'", 9, "text 'Nice' has no value bound to it");
}

#[test]
fn plain_compile_rejects_text_with_its_position() {
    let e = toolhost_expr::compile("x == \"a\"", &["x"]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TextMisuse);
    assert_eq!(
        e.to_string(),
        "line 1, column 6: text \"a\" cannot be used here: values are numbers"
    );
}

#[test]
fn unclosed_text_points_at_its_opening_quote() {
    let e = Expr::parse("city == \"Paris").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnclosedText);
    assert_eq!(
        e.render("city == \"Paris"),
        "line 1, column 9: text starting with \" is not closed (end it with \")\n  city == \"Paris\n          ^"
    );
}

#[test]
fn a_text_variable_must_be_one_of_the_variables() {
    let mut text = Text::new();
    text.variable("town");
    let e = Expr::parse("x > 1")
        .unwrap()
        .compile_with_text(&["x"], &Data::new(), &text)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownVariable);
    assert_eq!(
        e.message(),
        "text variable 'town' is not one of the variables"
    );
}
