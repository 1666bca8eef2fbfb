//! Compiling a component for this machine takes from a fraction of a second (a small tool)
//! to many seconds (the Python interpreter), once per component and machine. The runtime
//! says when it starts and ends so a front end can show it; core itself never prints.

use std::sync::Arc;

/// Hears the compiles that the cache could not spare (a miss, a replaced entry, or no
/// cache at all).
pub trait CompileObserver: Send + Sync {
    /// `name` is the tool (or `python` for the interpreter); `wasm_bytes` its size;
    /// `cached` whether the result will be kept for the next start.
    fn compiling(&self, name: &str, wasm_bytes: usize, cached: bool);
    /// The compile that `compiling` announced has ended (well or not).
    fn compiled(&self, name: &str);
}

/// The holder of an observer in `DispatcherOptions`.
#[derive(Clone)]
pub struct CompileWatcher(pub Arc<dyn CompileObserver>);

impl std::fmt::Debug for CompileWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CompileObserver")
    }
}

/// Announces a compile for its lifetime: `compiled` is called however the compile ends.
pub(super) struct Announced<'a> {
    watcher: Option<&'a CompileWatcher>,
    name: &'a str,
}

impl<'a> Announced<'a> {
    pub(super) fn start(
        watcher: Option<&'a CompileWatcher>,
        name: &'a str,
        wasm_bytes: usize,
        cached: bool,
    ) -> Self {
        if let Some(w) = watcher {
            w.0.compiling(name, wasm_bytes, cached);
        }
        Announced { watcher, name }
    }
}

impl Drop for Announced<'_> {
    fn drop(&mut self) {
        if let Some(w) = self.watcher {
            w.0.compiled(self.name);
        }
    }
}
