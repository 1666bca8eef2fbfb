//! The Python interpreter component in the sandbox: one long-lived Store and instance per
//! session, on the process's one Engine, loaded through the compile cache, under the same
//! memory limiter and epoch deadline every tool call has, except that the deadline is set
//! afresh for each input.
//!
//! A failure of the sandbox (the deadline, the memory limit, a trap such as a stack
//! overflow) may leave the instance mid-execution, so it ends the session: the
//! [`PythonInstance`] is marked dead and the layer above starts a fresh one.

mod bindings;
mod classify;
mod host;
mod state;

use std::time::{Duration, Instant};
use wasmtime::Store;
use wasmtime::component::{HasSelf, Linker};

pub use bindings::wit;
use bindings::{PythonRepl, PythonReplPre};
pub use host::PythonHost;
use state::PythonState;

use super::{Runtime, ticker};
use crate::error::{ErrorCode, ToolError};

/// The interpreter component compiled and linked, ready to instantiate per session.
pub struct PreparedPython {
    pre: PythonReplPre<PythonState>,
}

/// Limits of one session's sandbox.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    pub memory_bytes: u64,
}

/// One live interpreter instance.
pub struct PythonInstance {
    store: Store<PythonState>,
    repl: PythonRepl,
    memory_bytes: u64,
}

impl Runtime {
    /// Compile (or load from the cache) and link the interpreter component.
    pub fn prepare_python(&self, wasm: &[u8], sha256: &str) -> Result<PreparedPython, ToolError> {
        let (component, _) = self
            .cache
            .load(&self.engine, wasm, sha256, "python")
            .map_err(|e| {
                ToolError::new(
                    ErrorCode::ContractMismatch,
                    format!("the Python component is not a valid WebAssembly component: {e:#}"),
                )
            })?;
        let mut linker: Linker<PythonState> = Linker::new(&self.engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)
            .and_then(|()| PythonRepl::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s))
            .map_err(|e| ToolError::internal(&anyhow::Error::from(e)))?;
        let pre = linker
            .instantiate_pre(&component)
            .and_then(PythonReplPre::new)
            .map_err(|e| {
                ToolError::new(
                    ErrorCode::ContractMismatch,
                    format!(
                        "the Python component does not match this toolhost's wit/repl/repl.wit: {e:#}"
                    ),
                )
            })?;
        Ok(PreparedPython { pre })
    }

    /// A fresh instance whose imports `host` answers.
    pub async fn instantiate_python(
        &self,
        prepared: &PreparedPython,
        host: Box<dyn PythonHost>,
        limits: SessionLimits,
        start_timeout: Duration,
    ) -> Result<PythonInstance, ToolError> {
        let mut store = Store::new(&self.engine, PythonState::new(host, limits.memory_bytes));
        store.limiter(|s| &mut s.limiter);
        store.epoch_deadline_callback(|ctx| ticker::on_epoch(ctx.data().deadline));
        store.data_mut().deadline = Instant::now() + start_timeout;
        store.set_epoch_deadline(ticker::FIRST_CHECK_TICKS);
        let _ticking = self.ticker.active_call();
        let repl = prepared
            .pre
            .instantiate_async(&mut store)
            .await
            .map_err(|e| {
                let logs = store.data_mut().take_output();
                classify::failure(&e, start_timeout, limits.memory_bytes, &logs)
            })?;
        Ok(PythonInstance {
            store,
            repl,
            memory_bytes: limits.memory_bytes,
        })
    }

    /// Run one export call with `timeout`. An `Err` is the sandbox's (timeout, memory,
    /// trap): the instance must not be used again.
    async fn run_python<R: Send>(
        &self,
        instance: &mut PythonInstance,
        timeout: Duration,
        f: impl for<'s> FnOnce(
            &'s PythonRepl,
            &'s mut Store<PythonState>,
        ) -> std::pin::Pin<
            Box<dyn Future<Output = wasmtime::Result<R>> + Send + 's>,
        >,
    ) -> Result<R, ToolError> {
        let deadline = Instant::now() + timeout;
        instance.store.data_mut().deadline = deadline;
        instance.store.set_epoch_deadline(ticker::FIRST_CHECK_TICKS);
        let _ticking = self.ticker.active_call();
        let PythonInstance { store, repl, .. } = instance;
        let outcome = ticker::within_deadline(deadline, f(repl, store)).await;
        match outcome {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(e)) => {
                let logs = instance.store.data_mut().take_output();
                Err(classify::failure(&e, timeout, instance.memory_bytes, &logs))
            }
            Err(_) => Err(classify::timeout(timeout)),
        }
    }

    pub async fn python_start(
        &self,
        instance: &mut PythonInstance,
        config: wit::SessionConfig,
        timeout: Duration,
    ) -> Result<Result<(), String>, ToolError> {
        self.run_python(instance, timeout, move |repl, store| {
            Box::pin(async move {
                repl.toolhost_repl_session()
                    .call_start(store, &config)
                    .await
            })
        })
        .await
    }

    pub async fn python_eval(
        &self,
        instance: &mut PythonInstance,
        code: &str,
        timeout: Duration,
    ) -> Result<wit::Outcome, ToolError> {
        let code = code.to_owned();
        self.run_python(instance, timeout, move |repl, store| {
            Box::pin(async move { repl.toolhost_repl_session().call_eval(store, &code).await })
        })
        .await
    }

    pub async fn python_define(
        &self,
        instance: &mut PythonInstance,
        name: &str,
        json: &str,
        timeout: Duration,
    ) -> Result<Result<(), String>, ToolError> {
        let (name, json) = (name.to_owned(), json.to_owned());
        self.run_python(instance, timeout, move |repl, store| {
            Box::pin(async move {
                repl.toolhost_repl_session()
                    .call_define(store, &name, &json)
                    .await
            })
        })
        .await
    }

    pub async fn python_needs_more(
        &self,
        instance: &mut PythonInstance,
        code: &str,
        timeout: Duration,
    ) -> Result<bool, ToolError> {
        let code = code.to_owned();
        self.run_python(instance, timeout, move |repl, store| {
            Box::pin(async move {
                repl.toolhost_repl_session()
                    .call_needs_more(store, &code)
                    .await
            })
        })
        .await
    }
}
