//! Components compiled into the binary by build.rs: the built-in tools and the Python
//! interpreter.

/// A built-in tool's component.
pub struct Builtin {
    pub name: &'static str,
    pub wasm: &'static [u8],
    pub sha256: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/builtins.rs"));

pub fn names() -> Vec<&'static str> {
    BUILTINS.iter().map(|b| b.name).collect()
}

pub fn get(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// The Python interpreter component (components/python, wit/repl/repl.wit): not a tool, so
/// not among [`names`].
pub fn python_repl() -> &'static Builtin {
    &PYTHON_REPL
}
