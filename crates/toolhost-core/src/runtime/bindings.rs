//! Host-side bindings of the `tool-plugin` world (wit/tool.wit).

wasmtime::component::bindgen!({
    path: "../../wit/tool.wit",
    world: "tool-plugin",
    exports: { default: async },
});

pub use self::toolhost::tool::types as wit_types;
