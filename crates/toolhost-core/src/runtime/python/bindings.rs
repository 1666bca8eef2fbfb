//! Host-side bindings of the `python-repl` world (wit/repl/repl.wit). Imports are async: a
//! tool call awaits a sandbox of its own while the interpreter waits.

wasmtime::component::bindgen!({
    path: "../../wit/repl/repl.wit",
    world: "python-repl",
    imports: { default: async },
    exports: { default: async },
});

pub use self::toolhost::repl::types as wit;
