//! The widget's exports to `www/loader/wasm.js`, with no binding generator.
//!
//! wasm-bindgen wrote a JavaScript shim and a wasm shim per method (the
//! wasm ones were a quarter of the module: each string crossing the
//! boundary got its own copy of the marshalling). Here there is one way in
//! and one way out, shared by every call:
//!
//! - **In:** the loader asks for room with [`doi_in`], writes the call's
//!   strings there, each as a little-endian `u32` byte length and its UTF-8
//!   bytes, and calls an export with the numbers directly.
//! - **Out:** an export that says something leaves it, as UTF-8, where
//!   [`doi_out`] points, [`doi_out_len`] bytes long, until the next call.
//!
//! A form crosses as a number, its *handle*: twice the form's place among
//! the built-in forms, plus one for English. Nothing here decides: every
//! export reads its arguments, calls [`crate::Form`] and writes the answer.
//!
//! The one import, `doi.lower`, is the browser's
//! `String.prototype.toLowerCase`: Rust's Unicode case tables would cost
//! every visitor more than the whole loader.

use core::cell::UnsafeCell;

use doi_core::Locale;

use crate::forms::Built;
use crate::prelude::*;
use crate::Form;

/// A buffer the loader and the module take turns with. The browser runs
/// wasm32-unknown-unknown (without atomics) on one thread, and every
/// access below is one whole borrow inside one export.
struct Buffer(UnsafeCell<Vec<u8>>);

// SAFETY: one thread (see `Buffer`).
unsafe impl Sync for Buffer {}

static IN: Buffer = Buffer(UnsafeCell::new(Vec::new()));
static OUT: Buffer = Buffer(UnsafeCell::new(Vec::new()));

/// Room for `len` bytes of arguments; where to write them.
#[no_mangle]
pub extern "C" fn doi_in(len: usize) -> *mut u8 {
    // SAFETY: the only borrow of IN while it lives (see `Buffer`).
    let buffer = unsafe { &mut *IN.0.get() };
    buffer.clear();
    buffer.resize(len, 0);
    buffer.as_mut_ptr()
}

/// Where the last answer is.
#[no_mangle]
pub extern "C" fn doi_out() -> *const u8 {
    // SAFETY: the only borrow of OUT while it lives (see `Buffer`).
    unsafe { &*OUT.0.get() }.as_ptr()
}

/// How many bytes the last answer has.
#[no_mangle]
pub extern "C" fn doi_out_len() -> usize {
    // SAFETY: the only borrow of OUT while it lives (see `Buffer`).
    unsafe { &*OUT.0.get() }.len()
}

/// Leaves `text` for [`doi_out`].
fn say(text: &str) {
    // SAFETY: the only borrow of OUT while it lives (see `Buffer`).
    let buffer = unsafe { &mut *OUT.0.get() };
    buffer.clear();
    buffer.extend_from_slice(text.as_bytes());
}

/// The call's arguments, as the loader wrote them into IN: `N` byte
/// strings. A short or cut buffer gives empty ones (the loader always
/// writes all of them; nothing here trusts that more than it must).
fn args<const N: usize>() -> [&'static [u8]; N] {
    // SAFETY: IN is read-only until the loader's next `doi_in`, which no
    // export calls; the slices do not outlive the export that asked.
    let mut rest: &'static [u8] = unsafe { &*IN.0.get() }.as_slice();
    let mut out = [&[][..]; N];
    for slot in out.iter_mut() {
        let Some((head, tail)) = rest.split_first_chunk::<4>() else {
            break;
        };
        let len = u32::from_le_bytes(*head) as usize;
        let (this, after) = tail.split_at_checked(len).unwrap_or((tail, &[]));
        *slot = this;
        rest = after;
    }
    out
}

/// `bytes` as text. Only the loader writes IN, and only what its
/// `TextEncoder` made (UTF-8 by definition: a lone surrogate becomes
/// U+FFFD); the module is never exposed to the page. Checking again would
/// cost every visitor the UTF-8 validator (0.7 KB).
fn text(bytes: &[u8]) -> &str {
    // SAFETY: UTF-8, as above.
    unsafe { core::str::from_utf8_unchecked(bytes) }
}

/// The strings of [`args`], as text.
fn texts<const N: usize>() -> [&'static str; N] {
    args::<N>().map(text)
}

/// The form a handle stands for (see the module's doc).
fn form(handle: u32) -> Option<Form> {
    let built = Built::at((handle / 2) as usize)?;
    let locale = if handle % 2 == 1 {
        Locale::En
    } else {
        Locale::Ja
    };
    Some(Form::from_parts(built, locale))
}

/// The stylesheet of both modes, for [`doi_out`].
#[no_mangle]
pub extern "C" fn doi_stylesheet() {
    say(crate::style::CSS);
}

/// [`crate::retry_delay`]; `retryable` is -1 when the Worker did not say.
#[no_mangle]
pub extern "C" fn doi_retry_delay(attempt: u32, status: u32, retryable: i32) -> i32 {
    let retryable = match retryable {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    };
    crate::retry_delay(attempt, status.min(u16::MAX.into()) as u16, retryable)
}

/// [`Form::new`] with the strings id, hints, page origin and own origin:
/// its handle, or minus the refusal's code (`Refusal::code`).
#[no_mangle]
pub extern "C" fn doi_form() -> i32 {
    let [id, hints, page_origin, own] = texts::<4>();
    match Form::new(id, hints, page_origin, own) {
        Ok(made) => made.handle() as i32,
        Err(refusal) => -refusal.code(),
    }
}

/// [`Form::turnstile`], at [`doi_out`].
#[no_mangle]
pub extern "C" fn doi_turnstile(handle: u32) {
    say(form(handle).map_or("", |f| f.turnstile()));
}

/// [`Form::min_fill_ms`].
#[no_mangle]
pub extern "C" fn doi_min_fill_ms(handle: u32) -> f64 {
    form(handle).map_or(0.0, |f| f.min_fill_ms())
}

/// [`Form::layout`], at [`doi_out`] (for a handle no form has, the last
/// answer stays: the loader only passes handles `doi_form` gave).
#[no_mangle]
pub extern "C" fn doi_layout(handle: u32, attach: u32) {
    if let Some(f) = form(handle) {
        say(&f.layout(attach != 0));
    }
}

/// [`Form::problems`] for the strings email and topics: the three messages
/// at [`doi_out`], each ended by a NUL.
#[no_mangle]
pub extern "C" fn doi_problems(handle: u32, consent: u32, attach: u32) {
    let [email, topics] = texts::<2>();
    // SAFETY: the only borrow of OUT while it lives (see `Buffer`).
    let out = unsafe { &mut *OUT.0.get() };
    out.clear();
    if let Some(f) = form(handle) {
        for message in f.problems(email, consent != 0, topics, attach != 0) {
            out.extend_from_slice(message.as_bytes());
            out.push(0);
        }
    }
}

/// [`Form::record`] for the strings email, topics, website, page URL and
/// the 16 random bytes: 1 with the JSON at [`doi_out`], or 0 when nothing
/// may be sent.
#[no_mangle]
pub extern "C" fn doi_record(
    handle: u32,
    consent: u32,
    client_time: f64,
    elapsed_ms: f64,
    attach: u32,
) -> u32 {
    let [email, topics, website, page_url, random] = args::<5>();
    let json = form(handle).and_then(|f| {
        f.record(
            text(email),
            consent != 0,
            text(topics),
            text(website),
            text(page_url),
            client_time,
            elapsed_ms,
            random,
            attach != 0,
        )
    });
    match json {
        Some(json) => {
            say(&json);
            1
        }
        None => 0,
    }
}

/// [`Form::says`] for the string `what`, at [`doi_out`].
#[no_mangle]
pub extern "C" fn doi_says(handle: u32) {
    let [what] = texts::<1>();
    say(form(handle).map_or("", |f| f.says(what)));
}

/// [`Form::accepted`] for the string status, at [`doi_out`].
#[no_mangle]
pub extern "C" fn doi_accepted(handle: u32, double_opt_in: u32) {
    let [status] = texts::<1>();
    say(form(handle).map_or("", |f| f.accepted(status, double_opt_in != 0)));
}

/// [`Form::failed`] for the string code, at [`doi_out`].
#[no_mangle]
pub extern "C" fn doi_failed(handle: u32, status: u32) {
    let [code] = texts::<1>();
    say(form(handle).map_or("", |f| f.failed(status.min(u16::MAX.into()) as u16, code)));
}

#[cfg(feature = "trap")]
#[link(wasm_import_module = "doi")]
extern "C" {
    /// The browser lower-cases the `len` UTF-8 bytes at `text` into the
    /// `room` bytes at `out`: how many it wrote, or -1 for too little room.
    fn lower(text: *const u8, len: usize, out: *mut u8, room: usize) -> i32;
}

/// `s` lower-cased by the browser (see [`lower`]).
#[cfg(feature = "trap")]
pub(crate) fn lowercase(s: &str) -> String {
    // Lower-casing grows UTF-8 by at most half (İ, 2 bytes, becomes i̇, 3).
    let mut room = vec![0u8; s.len() + s.len() / 2 + 4];
    // SAFETY: both pointers are valid for the lengths given, and the
    // browser writes only inside `room`.
    let written = unsafe { lower(s.as_ptr(), s.len(), room.as_mut_ptr(), room.len()) };
    match usize::try_from(written) {
        Ok(n) if n <= room.len() => {
            room.truncate(n);
            // SAFETY: `encodeInto` writes whole UTF-8 characters only.
            unsafe { String::from_utf8_unchecked(room) }
        }
        _ => String::new(),
    }
}
