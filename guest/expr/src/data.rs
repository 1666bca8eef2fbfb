//! Named data bound into a program when it is compiled.

/// Named numbers and arrays that an expression reads as constants, for
/// [`Expr::compile_with_data`](crate::Expr::compile_with_data).
///
/// A number behaves like a named constant. An array can only be used inside
/// a reduction (`sum`, `mean`, `len`); there every operation applies element
/// by element, numbers are repeated for every element, and arrays combined
/// in one expression must have the same length.
///
/// ```
/// use toolhost_expr::{Data, Expr};
///
/// let mut data = Data::new();
/// data.array("y", [1.0, 2.0, 4.0]).number("n", 3.0);
/// let program = Expr::parse("sum((y - mu)^2) / n")?.compile_with_data(&["mu"], &data)?;
/// assert_eq!(program.eval(&[1.0]), (0.0 + 1.0 + 9.0) / 3.0);
/// # Ok::<(), toolhost_expr::ExprError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Data {
    entries: Vec<(String, Datum)>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Datum {
    Number(f64),
    Array(Vec<f64>),
}

impl Data {
    /// No data.
    pub fn new() -> Self {
        Self::default()
    }

    /// Binds `name` to a number, replacing any earlier value of that name.
    pub fn number(&mut self, name: impl Into<String>, value: f64) -> &mut Self {
        self.insert(name.into(), Datum::Number(value))
    }

    /// Binds `name` to an array, replacing any earlier value of that name.
    pub fn array(&mut self, name: impl Into<String>, values: impl Into<Vec<f64>>) -> &mut Self {
        self.insert(name.into(), Datum::Array(values.into()))
    }

    /// The bound names, in the order they were first bound.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    /// The number of bound names.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if nothing is bound.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn entries(&self) -> &[(String, Datum)] {
        &self.entries
    }

    fn insert(&mut self, name: String, datum: Datum) -> &mut Self {
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = datum,
            None => self.entries.push((name, datum)),
        }
        self
    }
}
