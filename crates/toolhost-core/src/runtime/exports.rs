//! The tool's exports (`describe`, `call`), called with result types whose strings and
//! lists are size-checked in guest memory before they are copied (lift.rs). The
//! generated bindings check the contract when a component is prepared; calls go through
//! these types so that a result is never copied out whole before its size is known.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use wasmtime::Store;
use wasmtime::component::{
    Component, ComponentExportIndex, ComponentType, Instance, Lift, TypedFunc,
};

use super::call_state::CallState;
use super::contract::CONTRACT_VERSION;
use super::lift::{ChargedBytes, ChargedText, ItemList, PrefixText};

/// Items one call may return: a bound on the host's bookkeeping for a list of tiny items,
/// which the byte budget would not see.
pub const MAX_OUTPUT_ITEMS: usize = 4096;
/// Examples a tool may list in `describe`.
pub const MAX_EXAMPLES: usize = 256;
/// What a tool's error keeps of its message and of its details (each), at most.
pub const MAX_ERROR_TEXT_BYTES: usize = 64 * 1024;
const MAX_ERROR_CODE_BYTES: usize = 256;

#[derive(ComponentType, Lift)]
#[component(record)]
pub struct Example {
    pub description: ChargedText,
    pub input: ChargedText,
}

#[derive(ComponentType, Lift)]
#[component(record)]
pub struct ToolInfo {
    /// The registry entry's name wins; the tool's own is read and dropped.
    #[expect(dead_code, reason = "the record's field must be declared to be lifted")]
    pub name: ChargedText,
    pub version: ChargedText,
    pub description: ChargedText,
    #[component(name = "input-schema")]
    pub input_schema: ChargedText,
    #[component(name = "output-schema")]
    pub output_schema: Option<ChargedText>,
    pub examples: ItemList<Example, MAX_EXAMPLES>,
}

#[derive(ComponentType, Lift)]
#[component(record)]
pub struct Image {
    #[component(name = "mime-type")]
    pub mime_type: ChargedText,
    pub data: ChargedBytes,
}

#[derive(ComponentType, Lift)]
#[component(variant)]
pub enum Content {
    #[component(name = "text")]
    Text(ChargedText),
    #[component(name = "json")]
    Json(ChargedText),
    #[component(name = "image")]
    Image(Image),
    #[component(name = "sixel")]
    Sixel(ChargedText),
}

/// A tool's own error: only a prefix of each text is ever copied.
#[derive(ComponentType, Lift)]
#[component(record)]
pub struct ToolError {
    pub code: PrefixText<MAX_ERROR_CODE_BYTES>,
    pub message: PrefixText<MAX_ERROR_TEXT_BYTES>,
    pub details: Option<PrefixText<MAX_ERROR_TEXT_BYTES>>,
}

pub type CallResult = Result<ItemList<Content, MAX_OUTPUT_ITEMS>, ToolError>;

/// Where a component's exports are, found once when it is prepared.
#[derive(Clone)]
pub struct ToolExports {
    describe: ComponentExportIndex,
    call: ComponentExportIndex,
    /// Set once `call`'s type has been checked against [`CallResult`] in an instance of
    /// this component: every instance has the same types, so later calls skip the check
    /// (walking the result's type tree was 1.5 % of `echo`'s call).
    call_checked: Arc<AtomicBool>,
}

impl ToolExports {
    pub fn find(component: &Component) -> Result<Self, String> {
        let interface = format!("toolhost:tool/tool@{CONTRACT_VERSION}");
        let missing = |what: &str| format!("the component does not export `{what}`");
        let tool = component
            .get_export_index(None, &interface)
            .ok_or_else(|| missing(&interface))?;
        let function = |name: &str| {
            component
                .get_export_index(Some(&tool), name)
                .ok_or_else(|| missing(&format!("{interface}#{name}")))
        };
        Ok(ToolExports {
            describe: function("describe")?,
            call: function("call")?,
            call_checked: Arc::default(),
        })
    }

    pub async fn describe(
        &self,
        instance: Instance,
        store: &mut Store<CallState>,
    ) -> wasmtime::Result<ToolInfo> {
        let f = instance.get_typed_func::<(), (ToolInfo,)>(&mut *store, &self.describe)?;
        Ok(f.call_async(store, ()).await?.0)
    }

    pub async fn call(
        &self,
        instance: Instance,
        store: &mut Store<CallState>,
        input: &str,
    ) -> wasmtime::Result<CallResult> {
        let f: TypedFunc<(&str,), (CallResult,)> = if self.call_checked.load(Ordering::Acquire) {
            let func = instance
                .get_func(&mut *store, self.call)
                .ok_or_else(|| wasmtime::format_err!("the component lost its `call` export"))?;
            // SAFETY: `call_checked` is set only after `get_typed_func` accepted these
            // types for this export of this same component, and a component's export
            // types are the same in all its instances.
            unsafe { TypedFunc::new_unchecked(func) }
        } else {
            let f = instance.get_typed_func(&mut *store, self.call)?;
            self.call_checked.store(true, Ordering::Release);
            f
        };
        Ok(f.call_async(store, (input,)).await?.0)
    }
}
