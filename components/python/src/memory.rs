//! Counting the interpreter's memory, so Monty's `max_memory` works: Monty reads the live
//! byte count from `monty_types::LIVE_MEMORY`, which the global allocator must keep.
//! With it, `'a' * 10**10` raises `MemoryError` before allocating and the session lives
//! on; without it, the only stop would be the host's hard limit, which ends the session.
//!
//! Only the component counts (native builds use the system allocator untouched).

#[cfg(target_arch = "wasm32")]
mod counting {
    use monty_types::LIVE_MEMORY;
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::Ordering;

    pub struct Counting;

    // SAFETY: every call is forwarded to the system allocator unchanged; the counter is
    // only arithmetic on the sizes it was given.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
            let p = unsafe { System.alloc(layout) };
            if !p.is_null() {
                LIVE_MEMORY.fetch_add(layout.size(), Ordering::Relaxed);
            }
            p
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: as for `alloc`.
            let p = unsafe { System.alloc_zeroed(layout) };
            if !p.is_null() {
                LIVE_MEMORY.fetch_add(layout.size(), Ordering::Relaxed);
            }
            p
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: `ptr` came from this allocator with `layout`.
            unsafe { System.dealloc(ptr, layout) };
            LIVE_MEMORY.fetch_sub(layout.size(), Ordering::Relaxed);
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // SAFETY: `ptr` came from this allocator with `layout`.
            let p = unsafe { System.realloc(ptr, layout, new_size) };
            if !p.is_null() {
                LIVE_MEMORY.fetch_add(new_size, Ordering::Relaxed);
                LIVE_MEMORY.fetch_sub(layout.size(), Ordering::Relaxed);
            }
            p
        }
    }

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;
}

/// Take what the session holds now as the baseline Monty's limit is counted from.
pub fn arm() {
    use std::sync::atomic::Ordering;
    let live = monty_types::LIVE_MEMORY.load(Ordering::Relaxed);
    monty_types::BASELINE_MEMORY.store(live, Ordering::Relaxed);
}
