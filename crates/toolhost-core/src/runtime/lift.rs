//! Copying strings and lists out of a guest's memory with their size checked first.
//!
//! wasmtime lifts a `string` or `list` into a host `String`/`Vec` in full before the host
//! sees it, so a tool could make the host allocate as much as its own memory holds (a
//! 100 MiB log message, a 200 MiB output) before any limit is checked. The types here read
//! a value's length from guest memory and decide before copying: [`PrefixText`] copies at
//! most a fixed prefix, [`ChargedText`] and [`ChargedBytes`] charge the call's lift budget
//! (see [`with_budget`]) and fail once it is spent, [`ItemList`] refuses a list longer
//! than its bound before allocating it.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use wasmtime::component::__internal::wasmtime_environ::component::StringEncoding;
use wasmtime::component::__internal::{CanonicalAbiInfo, InstanceType, InterfaceType, LiftContext};
use wasmtime::component::{ComponentType, Lift};
use wasmtime::{Result, ValRaw, bail};

/// Why lifting a result stopped: the bytes it would copy exceed the call's budget.
#[derive(Debug, thiserror::Error)]
#[error("the tool passed at least {at_least} bytes to the host; the limit is {limit}")]
pub struct LiftBudgetExceeded {
    pub limit: u64,
    pub at_least: u64,
}

/// Why lifting a result stopped: a list has more items than the host accepts.
#[derive(Debug, thiserror::Error)]
#[error("the tool passed a list of {count} items; at most {max} are accepted")]
pub struct TooManyItems {
    pub count: usize,
    pub max: usize,
}

#[derive(Clone, Copy)]
struct Budget {
    limit: u64,
    spent: u64,
}

thread_local! {
    /// The budget of the call whose future this thread is polling. wasmtime runs the guest
    /// and lifts its results on a fiber inside that poll, on the polling thread, so a
    /// `Lift` impl (which sees no store data) finds its call's budget here.
    static BUDGET: Cell<Option<Budget>> = const { Cell::new(None) };
}

/// Runs `future` with a lift budget of `limit` bytes for the charged types.
pub fn with_budget<F: Future>(limit: u64, future: F) -> WithBudget<F> {
    WithBudget {
        inner: Box::pin(future),
        budget: Budget { limit, spent: 0 },
    }
}

pub struct WithBudget<F> {
    inner: Pin<Box<F>>,
    budget: Budget,
}

impl<F: Future> Future for WithBudget<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        struct Restore(Option<Budget>);
        impl Drop for Restore {
            fn drop(&mut self) {
                BUDGET.with(|b| b.set(self.0));
            }
        }
        let outer = BUDGET.with(|b| b.replace(Some(self.budget)));
        let restore = Restore(outer);
        let poll = self.inner.as_mut().poll(cx);
        if let Some(budget) = BUDGET.with(Cell::get) {
            self.budget = budget;
        }
        drop(restore);
        poll
    }
}

/// Takes `bytes` from the budget of the call being polled; fails closed without one.
fn charge(bytes: usize) -> Result<()> {
    BUDGET.with(|cell| {
        let Some(mut budget) = cell.get() else {
            bail!("toolhost bug: a charged value was lifted outside a call's lift budget");
        };
        let at_least = budget.spent.saturating_add(bytes as u64);
        if at_least > budget.limit {
            return Err(LiftBudgetExceeded {
                limit: budget.limit,
                at_least,
            }
            .into());
        }
        budget.spent = at_least;
        cell.set(Some(budget));
        Ok(())
    })
}

/// A guest (pointer, length) pair, bounds-checked against its memory.
struct GuestSpan<'m> {
    memory: &'m [u8],
    start: usize,
    /// In bytes.
    len: usize,
}

fn span_from_flat<'m>(cx: &mut LiftContext<'m>, src: &[ValRaw; 2]) -> Result<GuestSpan<'m>> {
    span(cx, src[0].get_u32(), src[1].get_u32())
}

fn span_from_memory<'m>(cx: &mut LiftContext<'m>, bytes: &[u8]) -> Result<GuestSpan<'m>> {
    span(cx, word(bytes, 0), word(bytes, 4))
}

/// A little-endian u32 of the canonical ABI's in-memory (pointer, length) pair.
fn word(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn span<'m>(cx: &mut LiftContext<'m>, ptr: u32, len: u32) -> Result<GuestSpan<'m>> {
    let memory = cx.memory();
    let start = ptr as usize;
    match start.checked_add(len as usize) {
        Some(end) if end <= memory.len() => Ok(GuestSpan {
            memory,
            start,
            len: end - start,
        }),
        _ => bail!("pointer/length out of bounds of memory"),
    }
}

fn is_utf8(cx: &LiftContext<'_>) -> bool {
    matches!(cx.options().string_encoding, StringEncoding::Utf8)
}

/// The longest valid UTF-8 prefix of `bytes`, at most `max` bytes; invalid UTF-8 inside it
/// is an error, as wasmtime's own lifting makes it.
fn utf8_prefix(bytes: &[u8], max: usize) -> Result<&str> {
    let cut = &bytes[..bytes.len().min(max)];
    match std::str::from_utf8(cut) {
        Ok(s) => Ok(s),
        // Cut inside a character: drop its first bytes.
        Err(e) if e.error_len().is_none() && cut.len() < bytes.len() => {
            Ok(std::str::from_utf8(&cut[..e.valid_up_to()]).expect("valid up to here"))
        }
        Err(e) => Err(e.into()),
    }
}

/// At most `N` bytes of a guest string, and the string's whole length. Nothing beyond the
/// prefix is read or copied.
pub struct PrefixText<const N: usize> {
    pub text: String,
    /// The whole string's length in bytes (UTF-8), however much was kept.
    pub len: usize,
}

impl<const N: usize> PrefixText<N> {
    pub fn is_cut(&self) -> bool {
        self.len > self.text.len()
    }

    fn lift(span: GuestSpan<'_>) -> Result<Self> {
        let bytes = &span.memory[span.start..][..span.len];
        let text = utf8_prefix(bytes, N)?.to_owned();
        Ok(PrefixText {
            text,
            len: span.len,
        })
    }
}

unsafe impl<const N: usize> ComponentType for PrefixText<N> {
    type Lower = [ValRaw; 2];
    const ABI: CanonicalAbiInfo = CanonicalAbiInfo::POINTER_PAIR;

    fn typecheck(ty: &InterfaceType, types: &InstanceType<'_>) -> Result<()> {
        <str as ComponentType>::typecheck(ty, types)
    }
}

unsafe impl<const N: usize> Lift for PrefixText<N> {
    fn linear_lift_from_flat(
        cx: &mut LiftContext<'_>,
        ty: InterfaceType,
        src: &Self::Lower,
    ) -> Result<Self> {
        if !is_utf8(cx) {
            return Self::from_string(<String as Lift>::linear_lift_from_flat(cx, ty, src)?);
        }
        Self::lift(span_from_flat(cx, src)?)
    }

    fn linear_lift_from_memory(
        cx: &mut LiftContext<'_>,
        ty: InterfaceType,
        bytes: &[u8],
    ) -> Result<Self> {
        if !is_utf8(cx) {
            return Self::from_string(<String as Lift>::linear_lift_from_memory(cx, ty, bytes)?);
        }
        Self::lift(span_from_memory(cx, bytes)?)
    }
}

impl<const N: usize> PrefixText<N> {
    /// A string another encoding made the host lift whole (bounded by the store's hostcall
    /// fuel), cut to the prefix.
    fn from_string(mut text: String) -> Result<Self> {
        let len = text.len();
        let cut = text.floor_char_boundary(N);
        text.truncate(cut);
        text.shrink_to_fit();
        Ok(PrefixText { text, len })
    }
}

/// A guest string copied whole after its length is charged to the call's lift budget.
pub struct ChargedText(pub String);

impl ChargedText {
    /// Charge a UTF-8 string's bytes in guest memory, then copy them out.
    fn copy(span: GuestSpan<'_>) -> Result<Self> {
        charge(span.len)?;
        Ok(ChargedText(
            std::str::from_utf8(&span.memory[span.start..][..span.len])?.to_owned(),
        ))
    }
}

unsafe impl ComponentType for ChargedText {
    type Lower = [ValRaw; 2];
    const ABI: CanonicalAbiInfo = CanonicalAbiInfo::POINTER_PAIR;

    fn typecheck(ty: &InterfaceType, types: &InstanceType<'_>) -> Result<()> {
        <str as ComponentType>::typecheck(ty, types)
    }
}

unsafe impl Lift for ChargedText {
    fn linear_lift_from_flat(
        cx: &mut LiftContext<'_>,
        ty: InterfaceType,
        src: &Self::Lower,
    ) -> Result<Self> {
        if !is_utf8(cx) {
            // Another encoding: the host's copy is at least the string's length in units.
            charge(src[1].get_u32() as usize)?;
            return Ok(ChargedText(<String as Lift>::linear_lift_from_flat(
                cx, ty, src,
            )?));
        }
        ChargedText::copy(span_from_flat(cx, src)?)
    }

    fn linear_lift_from_memory(
        cx: &mut LiftContext<'_>,
        ty: InterfaceType,
        bytes: &[u8],
    ) -> Result<Self> {
        if !is_utf8(cx) {
            charge(word(bytes, 4) as usize)?;
            return Ok(ChargedText(<String as Lift>::linear_lift_from_memory(
                cx, ty, bytes,
            )?));
        }
        ChargedText::copy(span_from_memory(cx, bytes)?)
    }
}

/// A guest `list<u8>` copied whole after its length is charged to the call's lift budget.
pub struct ChargedBytes(pub Vec<u8>);

unsafe impl ComponentType for ChargedBytes {
    type Lower = [ValRaw; 2];
    const ABI: CanonicalAbiInfo = CanonicalAbiInfo::POINTER_PAIR;

    fn typecheck(ty: &InterfaceType, types: &InstanceType<'_>) -> Result<()> {
        <[u8] as ComponentType>::typecheck(ty, types)
    }
}

unsafe impl Lift for ChargedBytes {
    fn linear_lift_from_flat(
        cx: &mut LiftContext<'_>,
        _ty: InterfaceType,
        src: &Self::Lower,
    ) -> Result<Self> {
        let span = span_from_flat(cx, src)?;
        charge(span.len)?;
        Ok(ChargedBytes(span.memory[span.start..][..span.len].to_vec()))
    }

    fn linear_lift_from_memory(
        cx: &mut LiftContext<'_>,
        _ty: InterfaceType,
        bytes: &[u8],
    ) -> Result<Self> {
        let span = span_from_memory(cx, bytes)?;
        charge(span.len)?;
        Ok(ChargedBytes(span.memory[span.start..][..span.len].to_vec()))
    }
}

/// A guest `list<T>` of at most `MAX` items; a longer one fails before any is lifted.
pub struct ItemList<T, const MAX: usize>(pub Vec<T>);

unsafe impl<T: ComponentType, const MAX: usize> ComponentType for ItemList<T, MAX> {
    type Lower = [ValRaw; 2];
    const ABI: CanonicalAbiInfo = CanonicalAbiInfo::POINTER_PAIR;

    fn typecheck(ty: &InterfaceType, types: &InstanceType<'_>) -> Result<()> {
        <[T] as ComponentType>::typecheck(ty, types)
    }
}

unsafe impl<T: Lift, const MAX: usize> Lift for ItemList<T, MAX> {
    fn linear_lift_from_flat(
        cx: &mut LiftContext<'_>,
        ty: InterfaceType,
        src: &Self::Lower,
    ) -> Result<Self> {
        check_count(src[1].get_u32(), MAX)?;
        Ok(ItemList(<Vec<T> as Lift>::linear_lift_from_flat(
            cx, ty, src,
        )?))
    }

    fn linear_lift_from_memory(
        cx: &mut LiftContext<'_>,
        ty: InterfaceType,
        bytes: &[u8],
    ) -> Result<Self> {
        check_count(word(bytes, 4), MAX)?;
        Ok(ItemList(<Vec<T> as Lift>::linear_lift_from_memory(
            cx, ty, bytes,
        )?))
    }
}

fn check_count(count: u32, max: usize) -> Result<()> {
    let count = count as usize;
    if count > max {
        return Err(TooManyItems { count, max }.into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_never_splits_a_character() {
        let text = "aé€";
        assert_eq!(utf8_prefix(text.as_bytes(), 2).unwrap(), "a");
        assert_eq!(utf8_prefix(text.as_bytes(), 3).unwrap(), "aé");
        assert_eq!(utf8_prefix(text.as_bytes(), 100).unwrap(), text);
        assert!(utf8_prefix(b"a\xffb", 3).is_err());
    }

    #[test]
    fn the_budget_is_the_polled_calls_and_fails_closed_without_one() {
        assert!(charge(1).is_err());
        let outcome = futures::executor::block_on(with_budget(10, async {
            (charge(6).is_ok(), charge(4).is_ok(), charge(1).unwrap_err())
        }));
        let (first, second, third) = outcome;
        assert!(first && second);
        let exceeded = third.downcast_ref::<LiftBudgetExceeded>().unwrap();
        assert_eq!((exceeded.limit, exceeded.at_least), (10, 11));
        assert!(
            charge(1).is_err(),
            "the budget does not leak out of the call"
        );
    }
}
