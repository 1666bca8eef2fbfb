//! The evaluation hot path allocates nothing once the scratch has grown:
//! samplers call `eval_grad` millions of times.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use toolhost_expr::{Data, Scratch};

/// Counts this thread's allocations, so tests running in parallel on other
/// threads do not disturb the count.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn evaluations_after_the_first_allocate_nothing() {
    let mut data = Data::new();
    data.array(
        "y",
        (0..200).map(|i| f64::from(i) / 50.0).collect::<Vec<_>>(),
    );
    let src = "normal_lpdf(mu, 0, 10) + sum(student_t_lpdf(y, 4, mu, exp(s))) \
               + sin(mu) * if(s > 0, s, -s)";
    let p = toolhost_expr::compile_with_data(src, &["mu", "s"], &data).unwrap();
    let mut scratch = Scratch::new();
    let mut grad = [0.0; 2];
    // The first calls grow the empty scratch.
    p.eval_grad(&[0.1, 0.2], &mut grad, &mut scratch);
    p.eval_with(&[0.1, 0.2], &mut scratch);
    let before = allocations();
    let mut total = 0.0;
    for i in 0..100 {
        let x = [f64::from(i) / 100.0, 0.3];
        total += p.eval_grad(&x, &mut grad, &mut scratch) + grad[0];
        total += p.eval_with(&x, &mut scratch);
    }
    assert_eq!(allocations(), before, "the hot path allocated");
    assert!(total.is_finite());
}
