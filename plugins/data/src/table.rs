//! A table: named columns of equal length, and finding columns by name.

use crate::column::Column;
use crate::error::DataError;

#[derive(Clone, Debug)]
pub struct Table {
    pub columns: Vec<Column>,
    /// Said once about the whole table, e.g. renamed duplicate headers.
    pub notes: Vec<String>,
    /// Columns of the source left unread because no operation uses them.
    pub unread: Vec<String>,
}

impl Table {
    pub fn new(columns: Vec<Column>, notes: Vec<String>) -> Self {
        Table {
            columns,
            notes,
            unread: Vec::new(),
        }
    }

    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }

    pub fn names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// The index of column `name`; `pointer` locates the name in the input.
    pub fn find(&self, name: &str, pointer: &str) -> Result<usize, DataError> {
        self.columns
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| unknown_column(pointer, name, &self.names()))
    }

    /// The rows `rows` of every column, in that order.
    pub fn take(&self, rows: &[u32]) -> Table {
        Table {
            columns: self.columns.iter().map(|c| c.take(rows)).collect(),
            notes: self.notes.clone(),
            unread: self.unread.clone(),
        }
    }
}

/// The error for a name that is not a column, with the closest name if one
/// is plausibly meant and the list of columns.
pub fn unknown_column(pointer: &str, name: &str, names: &[String]) -> DataError {
    let closest = names
        .iter()
        .map(|n| {
            (
                strsim::damerau_levenshtein(&name.to_lowercase(), &n.to_lowercase()),
                n,
            )
        })
        .min_by_key(|(d, _)| *d)
        .filter(|(d, n)| *d <= (n.chars().count().max(name.chars().count()) / 3).max(1));
    let mut hint = match closest {
        Some((_, n)) => format!(" (did you mean '{n}'?)"),
        None => String::new(),
    };
    let listed: Vec<String> = names.iter().take(30).map(|n| format!("'{n}'")).collect();
    hint.push_str(&format!("; the columns are {}", listed.join(", ")));
    if names.len() > 30 {
        hint.push_str(&format!(" and {} more", names.len() - 30));
    }
    DataError::UnknownColumn {
        pointer: pointer.to_owned(),
        name: name.to_owned(),
        hint,
    }
}

/// Column names from a header: blanks become `columnN` and repeats get a
/// suffix (`price_2`), each change noted.
pub fn unique_names(raw: Vec<String>, notes: &mut Vec<String>) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(raw.len());
    for (i, name) in raw.into_iter().enumerate() {
        let mut chosen = if name.is_empty() {
            let n = format!("column{}", i + 1);
            notes.push(format!(
                "column {} has no name in the header; it is called '{n}'",
                i + 1
            ));
            n
        } else {
            name
        };
        if names.contains(&chosen) {
            let base = chosen.clone();
            let mut k = 2;
            while names.contains(&format!("{base}_{k}")) {
                k += 1;
            }
            chosen = format!("{base}_{k}");
            notes.push(format!(
                "column {} repeats the name '{base}'; it is called '{chosen}'",
                i + 1
            ));
        }
        names.push(chosen);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_columns_suggest_a_close_name() {
        let names: Vec<String> = ["price", "qty", "city"].map(String::from).to_vec();
        let e = unknown_column("/ops/0/columns/0", "prise", &names).to_string();
        assert_eq!(
            e,
            "unknown column 'prise' (did you mean 'price'?); the columns are 'price', 'qty', 'city'"
        );
        let e = unknown_column("/x", "banana", &names).to_string();
        assert_eq!(
            e,
            "unknown column 'banana'; the columns are 'price', 'qty', 'city'"
        );
        let e = unknown_column("/x", "Qty", &names).to_string();
        assert!(e.contains("did you mean 'qty'"), "{e}");
    }

    #[test]
    fn blank_and_repeated_header_names_are_renamed_and_noted() {
        let mut notes = Vec::new();
        let names = unique_names(["a", "", "a", "a"].map(String::from).to_vec(), &mut notes);
        assert_eq!(names, ["a", "column2", "a_2", "a_3"]);
        assert_eq!(notes.len(), 3);
    }
}
