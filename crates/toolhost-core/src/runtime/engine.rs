//! The one wasmtime Engine of the process and its configuration. Nothing else configures
//! the engine.

use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, OptLevel, PoolingAllocationConfig,
};

/// Calls that may be in flight at once; the pooling allocator reserves slots for them and
/// the dispatcher queues calls beyond it instead of failing them.
pub const MAX_CONCURRENT_INSTANCES: u32 = 256;
/// The largest linear memory any tool may be granted (the registry caps `memory_mb` too).
pub const MAX_MEMORY_BYTES: usize = 4 << 30;
/// Linear memory a finished instance's slot keeps mapped, its written pages wiped in place
/// for the next call instead of returned to the kernel and faulted in again.
const KEEP_RESIDENT_BYTES: usize = 128 << 20;
/// Idle slots kept warm for reuse: with [`KEEP_RESIDENT_BYTES`] each, this bounds the
/// memory an idle host holds on to (2 GiB at most, after 16 heavy calls at once).
const WARM_SLOTS: u32 = 16;

fn base_config() -> Config {
    let mut config = Config::new();
    config
        .wasm_component_model(true)
        .epoch_interruption(true)
        .parallel_compilation(true)
        .cranelift_opt_level(OptLevel::Speed);
    config
}

fn pooling_config() -> PoolingAllocationConfig {
    let n = MAX_CONCURRENT_INSTANCES;
    let mut pool = PoolingAllocationConfig::new();
    // A Rust wasip2 component instantiates a handful of core modules (the tool plus small
    // adapter shims), each with at most one memory and a few tables.
    pool.total_component_instances(n)
        .total_core_instances(n * 8)
        .total_memories(n * 2)
        .total_tables(n * 8)
        .total_stacks(n)
        .max_memory_size(MAX_MEMORY_BYTES)
        .max_unused_warm_slots(WARM_SLOTS)
        // Tables are small: zeroing them in place beats an madvise and a page fault per
        // call (p50 26 µs instead of 29 µs for `echo`).
        .table_keep_resident(64 << 10);
    // Linear memory too, but only the pages a call wrote, which PAGEMAP_SCAN (Linux 6.7+)
    // lists: `echo` went from p50 26–28 µs to 11–15 µs, and `data` on a 29 MB CSV (70 MB
    // of columns) no longer faults its pages in again. Without the scan wasmtime would
    // memset the first bytes blindly, and even 64 KiB per call measured slower than the
    // faults it saves: there memory is left to madvise.
    if PoolingAllocationConfig::is_pagemap_scan_available() {
        pool.linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
            .pagemap_scan(Enabled::Yes);
    }
    pool
}

/// How the engine allocates instances (reported by `toolhost bench`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allocator {
    Pooling,
    OnDemand,
}

/// Build the engine: pooling allocator for fast per-call instantiation, falling back to
/// on-demand allocation where the address space cannot be reserved (e.g. under `ulimit -v`).
pub fn build_engine() -> anyhow::Result<(Engine, Allocator)> {
    let mut config = base_config();
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling_config()));
    match Engine::new(&config) {
        Ok(engine) => Ok((engine, Allocator::Pooling)),
        Err(_) => {
            let mut config = base_config();
            config.allocation_strategy(InstanceAllocationStrategy::OnDemand);
            Ok((Engine::new(&config)?, Allocator::OnDemand))
        }
    }
}
