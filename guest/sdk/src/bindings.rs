//! wit-bindgen output for the `tool-plugin` world; only the export macro uses it directly.

wit_bindgen::generate!({
    path: "../../wit/tool.wit",
    world: "tool-plugin",
    pub_export_macro: true,
    export_macro_name: "__export_tool_plugin",
    default_bindings_module: "::toolhost_sdk::bindings",
    runtime_path: "::toolhost_sdk::__private::wit_bindgen::rt",
});
